"""Statistics on small synthetic matrices whose answers are worked out by hand (or by an
independent computation written here: scipy's G-test, plain loops), so that a deliberate
breakage of the code -- a flipped sort, a document in its own reference, a claim that always
holds -- fails a test. Never copied from the code's output."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.stats import power_divergence

from analysis.errors import ParameterError
from analysis.index.dfm import DFM, dfm_group, dfm_select, dfm_trim
from analysis.stats.keyness import distinctive_terms, keyness_table
from analysis.stats.rates import (FREQUENCY_COLUMNS, first_years, per_10k, period_rates, theme_emergence,
                                  theme_frequencies, yearly_series)
from analysis.stats.terms import emergent_terms
from analysis.synthesis.robustness import ClaimSet, robustness_summary


def make_dfm(rows: list[dict], doc_ids, years, word_tokens) -> DFM:
    """A DFM from one {term: count} per document (features sorted, as the index gives them)."""
    features = sorted({term for row in rows for term in row})
    dense = np.array([[row.get(term, 0) for term in features] for row in rows], dtype=np.int64)
    docvars = pd.DataFrame({"doc_id": list(doc_ids), "year": list(years), "word_tokens": list(word_tokens)})
    return DFM(sparse.csr_matrix(dense), np.array(features, dtype=object), docvars)


def g_test(a, b, c, d) -> float:
    """Signed G2, independently: scipy's log-likelihood G-test of (a, b) against the counts
    expected from the sizes c and d; negative where the term is rarer in the target."""
    expected = [c * (a + b) / (c + d), d * (a + b) / (c + d)]
    statistic = power_divergence([a, b], f_exp=expected, lambda_="log-likelihood").statistic
    return float(statistic) if a / c >= b / d else -float(statistic)


# -- distinctive terms: the MOST over-used terms, in order -------------------------------------------

# Two periods of 100 tokens each (period_length 10: 2000-2009 and 2010-2019), each split over
# two documents. Totals, target 2000s / 2010s:
#   alpha 40/0, beta 25/5, gamma 15/5, delta 12/8, eps 4/40, zeta 4/42.
# With equal sizes E1 = E2 = (a+b)/2, so G2 = 2 (a ln(2a/(a+b)) + b ln(2b/(a+b))):
#   alpha 2*40 ln 2 = 55.45; beta 2(25 ln(50/30) + 5 ln(10/30)) = 14.56;
#   gamma 2(15 ln 1.5 + 5 ln 0.5) = 5.23; delta 2(12 ln 1.2 + 8 ln 0.8) = 0.81;
#   for the 2010s: zeta 2(42 ln(84/46) + 4 ln(8/46)) = 36.59, eps 2(40 ln(80/44) + 4 ln(8/44)) = 34.19.
PERIODS = make_dfm(
    [{"alpha": 25, "beta": 10, "gamma": 15, "delta": 2, "eps": 4, "zeta": 0},
     {"alpha": 15, "beta": 15, "gamma": 0, "delta": 10, "eps": 0, "zeta": 4},
     {"alpha": 0, "beta": 5, "gamma": 0, "delta": 8, "eps": 30, "zeta": 2},
     {"alpha": 0, "beta": 0, "gamma": 5, "delta": 0, "eps": 10, "zeta": 40}],
    ["d2000", "d2003", "d2011", "d2015"], [2000, 2003, 2011, 2015], [150, 150, 150, 150])


def test_distinctive_terms_are_the_most_over_used_in_order():
    table = distinctive_terms(PERIODS, period_length=10, n_terms=3, min_count=3)
    first = table[table["period"] == 2000]
    assert first["term"].tolist() == ["alpha", "beta", "gamma"]  # not delta, the least over-used
    assert first["g2"].tolist() == pytest.approx([55.4518, 14.5552, 5.2325], abs=1e-4)
    assert first["freq_target"].tolist() == [40, 25, 15] and first["freq_reference"].tolist() == [0, 5, 5]
    second = table[table["period"] == 2010]
    assert second["term"].tolist() == ["zeta", "eps"]  # only two terms are over-used in the 2010s
    assert second["g2"].tolist() == pytest.approx([36.5891, 34.1890], abs=1e-4)
    assert second["g2"].tolist() == pytest.approx([g_test(42, 4, 100, 100), g_test(40, 4, 100, 100)])
    assert table["period"].tolist() == [2000, 2000, 2000, 2010, 2010]


def test_distinctive_terms_top_one_per_period():
    table = distinctive_terms(PERIODS, period_length=10, n_terms=1, min_count=3)
    assert list(zip(table["period"], table["term"])) == [(2000, "alpha"), (2010, "zeta")]


# -- keyness: a document against the REST of the corpus ---------------------------------------------

# Three documents: A (2000) x 10, y 90; B (2010) x 5, y 45; C (2020) x 35, y 15.
# "C vs rest": target C (c = 50) against A + B (d = 150): x 35 / 15, y 15 / 135.
#   x: E1 = 50*50/200 = 12.5, E2 = 37.5; G2 = 2(35 ln(35/12.5) + 15 ln(15/37.5)) = 44.5846
#   y: E1 = 50*150/200 = 37.5, E2 = 112.5; G2 = 2(15 ln(15/37.5) + 135 ln(135/112.5)) = 21.7381,
#      rarer in C (0.3 < 0.9): -21.7381
# "A vs rest": target A (c = 100) against B + C (d = 100): x 10 / 40, y 90 / 60.
#   x: E = 25 each; G2 = 2(10 ln 0.4 + 40 ln 1.6) = 19.2745, rarer in A: -19.2745
#   y: E = 75 each; G2 = 2(90 ln 1.2 + 60 ln 0.8) = 6.0407
THREE = make_dfm([{"x": 10, "y": 90}, {"x": 5, "y": 45}, {"x": 35, "y": 15}], ["A", "B", "C"],
                 [2000, 2010, 2020], [100, 50, 50])


def test_document_against_the_rest_leaves_the_document_out_of_the_reference():
    table = keyness_table(THREE, split_year=2015, by_document=True, min_count=3).set_index(["comparison", "term"])
    c = table.loc["C vs rest"]
    assert c.loc["x", ["freq_target", "freq_reference"]].tolist() == [35, 15]
    assert c.loc["y", ["freq_target", "freq_reference"]].tolist() == [15, 135]
    assert c.loc["x", "g2"] == pytest.approx(44.5846, abs=1e-4)
    assert c.loc["y", "g2"] == pytest.approx(-21.7381, abs=1e-4)
    a = table.loc["A vs rest"]
    assert a.loc["x", "freq_reference"] == 40 and a.loc["y", "freq_reference"] == 60
    assert a.loc["x", "g2"] == pytest.approx(-19.2745, abs=1e-4)
    assert a.loc["y", "g2"] == pytest.approx(6.0407, abs=1e-4)
    assert a.loc["y", "g2"] == pytest.approx(g_test(90, 60, 100, 100))
    b = table.loc["B vs rest"]  # B: x 5, y 45 (50) against A + C: x 45, y 105 (150)
    assert b.loc["x", ["freq_target", "freq_reference"]].tolist() == [5, 45]
    assert b.loc["x", "g2"] == pytest.approx(g_test(5, 45, 50, 150))
    # the split comparison: 2015+ (C alone) against the years before (A + B)
    split = table.loc["2015+ vs before"]
    assert split.loc["x", "freq_reference"] == 15 and split.loc["x", "g2"] == pytest.approx(44.5846, abs=1e-4)
    assert [c for c in dict.fromkeys(table.index.get_level_values(0))] == [
        "2015+ vs before", "A vs rest", "B vs rest", "C vs rest"]


# -- emergent terms -------------------------------------------------------------------------------------

# Documents in date order (word tokens): d1 2000 (100), d2 2001 (100), d3 2005 (200), d4 2005 (100),
# d5 2010 (500). Tokens from 2005 on: 800; from 2010 on: 500.
#   base, old: used in 2000, the first year: never emergent;
#   new: first in d3 (2005), 2 + 1 + 4 = 7 times in 3 documents: 7 / 800 * 10,000 = 87.5;
#   boom: first in d4 (2005, the second document of the year), 5 + 5 = 10 in 2: 125.0;
#   late, aaa: first in d5 (2010), 3 times each in 1 document: 3 / 500 * 10,000 = 60.0;
#   rare: 1 occurrence, below min_count 3.
# Order: first year, then count (highest first), then term: boom, new, aaa, late.
EMERGING = make_dfm(
    [{"base": 5, "old": 3},
     {"base": 2, "old": 1},
     {"base": 4, "new": 2, "rare": 1},
     {"new": 1, "boom": 5},
     {"base": 1, "new": 4, "boom": 5, "late": 3, "aaa": 3}],
    ["d1", "d2", "d3", "d4", "d5"], [2000, 2001, 2005, 2005, 2010], [100, 100, 200, 100, 500])


def test_emergent_terms_by_hand():
    table = emergent_terms(EMERGING, min_count=3)
    assert table["term"].tolist() == ["boom", "new", "aaa", "late"]
    assert table["first_year"].tolist() == [2005, 2005, 2010, 2010]
    assert table["first_doc_id"].tolist() == ["d4", "d3", "d5", "d5"]
    assert table["count_after"].tolist() == [10, 7, 3, 3]
    assert table["per_10k_after"].tolist() == pytest.approx([125.0, 87.5, 60.0, 60.0])
    assert table["documents_after"].tolist() == [2, 3, 1, 1]
    assert emergent_terms(EMERGING, min_count=1)["term"].tolist() == ["boom", "new", "rare", "aaa", "late"]
    assert emergent_terms(EMERGING, min_count=8)["term"].tolist() == ["boom"]


# -- first years, emergence, period rates, per_10k, theme frequencies ----------------------------------


def frequencies_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["doc_id", "year", "theme", "count", "word_tokens"])


def test_first_years_pool_the_documents_of_a_year():
    frequencies = frequencies_frame([
        ("a", 2000, "t1", 0, 100), ("b", 2001, "t1", 1, 100), ("c", 2002, "t1", 2, 100),
        ("a", 2000, "t2", 0, 100), ("b", 2001, "t2", 0, 100), ("c", 2002, "t2", 0, 100),
        ("a", 2000, "t3", 1, 100), ("a2", 2000, "t3", 1, 100), ("b", 2001, "t3", 3, 100),
    ])
    themes = ["t1", "t2", "t3", "absent"]
    assert first_years(frequencies, themes) == {"t1": 2001, "t2": None, "t3": 2000, "absent": None}
    # t3 has 1 + 1 = 2 mentions in 2000, pooled over its two documents
    assert first_years(frequencies, themes, min_count=2) == {"t1": 2002, "t2": None, "t3": 2000, "absent": None}
    assert first_years(frequencies, themes, min_count=3) == {"t1": None, "t2": None, "t3": 2001, "absent": None}
    with pytest.raises(ParameterError, match="min_count=0"):
        first_years(frequencies, themes, min_count=0)


def test_theme_emergence_by_hand():
    # corpus order: z (2000), m (2001), a (2001), q (2003); m comes before a in the corpus
    documents = pd.DataFrame({"doc_id": ["z", "m", "a", "q"], "year": [2000, 2001, 2001, 2003],
                              "word_tokens": [1000, 500, 500, 2000]})
    kwic = pd.DataFrame({
        "doc_id": ["m", "m", "a", "a", "q", "q", "q", "q", "m", "q", "q"],
        "year": [2001, 2001, 2001, 2001, 2003, 2003, 2003, 2003, 2001, 2003, 2003],
        "paragraph_id": ["m:p12", "m:p03", "a:p01", "a:p01", "q:p02", "q:p02", "q:p05", "q:p07",
                         "m:p20", "q:p01", "q:p09"],
        "theme": ["t", "t", "t", "t", "t", "t", "t", "t", "u", "u", "u"],
    })
    frequencies = theme_frequencies(kwic, documents, ["t", "u", "never"])
    table = theme_emergence(frequencies, kwic, ["t", "u", "never"]).set_index("theme")
    # t: 2001 has 2 + 2 = 4 mentions in 1,000 tokens (40 per 10k), 2003 has 4 in 2,000 (20)
    assert table.loc["t", ["first_year", "first_doc_id", "first_paragraph_id"]].tolist() == [2001, "m", "m:p03"]
    assert (table.loc["t", "peak_year"], table.loc["t", "years_present"]) == (2001, 2)
    assert table.loc["t", "peak_per_10k"] == pytest.approx(40.0)
    # u: 1 mention in 2001 (10 per 10k) and 2 in 2003 (10 per 10k): a tie goes to the earlier year
    assert table.loc["u", ["first_year", "first_doc_id", "first_paragraph_id"]].tolist() == [2001, "m", "m:p20"]
    assert (table.loc["u", "peak_year"], table.loc["u", "peak_per_10k"]) == (2001, pytest.approx(10.0))
    assert pd.isna(table.loc["never", "first_year"]) and table.loc["never", "years_present"] == 0


def test_period_rates_split_at_the_year_itself():
    frequencies = frequencies_frame([
        ("a", 2010, "t", 2, 1000), ("b", 2019, "t", 0, 1000), ("c", 2020, "t", 3, 500), ("d", 2021, "t", 1, 1500),
        ("a", 2010, "s", 6, 1000), ("b", 2019, "s", 4, 1000), ("c", 2020, "s", 1, 500), ("d", 2021, "s", 0, 1500),
    ])
    rates = period_rates(frequencies, ["t", "s"], 2020).set_index("theme")
    # t: before 2 / 2,000 -> 10; from 2020 on (2020 included) 4 / 2,000 -> 20
    assert rates.loc["t"].tolist() == pytest.approx([10.0, 20.0, 10.0])
    # s: before 10 / 2,000 -> 50; after 1 / 2,000 -> 5
    assert rates.loc["s"].tolist() == pytest.approx([50.0, 5.0, -45.0])
    nothing_before = period_rates(frequencies, ["t"], 2010).iloc[0]
    assert math.isnan(nothing_before["per_10k_before"]) and math.isnan(nothing_before["change"])
    assert nothing_before["per_10k_after"] == pytest.approx(6 / 4000 * 10_000)


def test_per_10k_is_undefined_without_tokens():
    assert per_10k(5, 2000) == 25.0 and isinstance(per_10k(5, 2000), float)
    assert math.isnan(per_10k(0, 0)) and math.isnan(per_10k(3, 0))
    assert per_10k(0, 50) == 0.0
    rates = per_10k(pd.Series([1, 2, 0]), pd.Series([100, 0, 50]))
    assert rates[0] == 100.0 and math.isnan(rates[1]) and rates[2] == 0.0


def test_theme_frequencies_include_zeros_in_corpus_and_theme_order():
    documents = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "year": [2000, 2001, 2002], "word_tokens": [100, 0, 200]})
    kwic = pd.DataFrame({"doc_id": ["d3", "d1", "d1", "d3", "d1"], "theme": ["t1", "t2", "t2", "t2", "other"]})
    table = theme_frequencies(kwic, documents, ["t1", "t2", "t3"])
    assert list(table.columns) == FREQUENCY_COLUMNS
    assert list(zip(table["doc_id"], table["theme"], table["count"])) == [
        ("d1", "t1", 0), ("d1", "t2", 2), ("d1", "t3", 0),
        ("d2", "t1", 0), ("d2", "t2", 0), ("d2", "t3", 0),
        ("d3", "t1", 1), ("d3", "t2", 1), ("d3", "t3", 0)]
    expected = [0.0, 200.0, 0.0, np.nan, np.nan, np.nan, 50.0, 50.0, 0.0]  # d2 has no tokens: undefined
    assert table["per_10k"].tolist() == pytest.approx(expected, nan_ok=True)
    assert table["year"].tolist() == [2000] * 3 + [2001] * 3 + [2002] * 3


# -- the bootstrap band -------------------------------------------------------------------------------------


def test_yearly_series_band_equals_an_independent_resampling_loop():
    # 2002 has five documents of different rates, so that the band depends on the exact draws
    documents = pd.DataFrame({"year": [2000, 2000, 2000, 2001, 2002, 2002, 2002, 2002, 2002],
                              "word_tokens": [100, 200, 300, 50, 400, 100, 250, 80, 170]})
    values = np.array([[1, 0], [4, 2], [3, 1], [5, 5], [2, 0], [0, 3], [7, 1], [1, 4], [3, 3]])
    n_boot, seed, level = 300, 11, 0.9
    table = yearly_series(documents, values, ["s1", "s2"], n_boot=n_boot, random_state=seed, level=level)

    # independent: plain loops over the same draws of the same generator, year by year in order
    rng = np.random.default_rng(seed)
    expected = {}
    for year in (2000, 2001, 2002):
        members = [i for i, y in enumerate(documents["year"]) if y == year]
        band = [(math.nan, math.nan)] * 2
        if len(members) > 1:
            draws = rng.integers(0, len(members), size=(n_boot, len(members)))
            band = []
            for j in range(2):
                rates = []
                for b in range(n_boot):
                    picked = [members[k] for k in draws[b]]
                    tokens = sum(documents["word_tokens"][i] for i in picked)
                    rates.append(10_000 * sum(values[i][j] for i in picked) / tokens)
                band.append(tuple(np.percentile(rates, [5, 95])))
        for j, name in enumerate(("s1", "s2")):
            expected[(name, year)] = band[j]

    rows = table.set_index(["series", "year"])
    for key, (low, high) in expected.items():
        assert rows.loc[key, "low"] == pytest.approx(low, nan_ok=True), key
        assert rows.loc[key, "high"] == pytest.approx(high, nan_ok=True), key
    assert math.isnan(rows.loc[("s1", 2001), "low"]) and math.isnan(rows.loc[("s2", 2001), "high"])
    # pooled rates by hand: 2000: 8 and 3 in 600 tokens; 2001: 5 and 5 in 50; 2002: 13 and 11 in 1,000
    assert rows["per_10k"].loc["s1"].tolist() == pytest.approx([8 / 600 * 1e4, 1000.0, 130.0])
    assert rows["per_10k"].loc["s2"].tolist() == pytest.approx([50.0, 1000.0, 110.0])
    assert rows["count"].loc["s1"].tolist() == [8, 5, 13] and rows["documents"].loc["s1"].tolist() == [3, 1, 5]
    assert rows["word_tokens"].loc["s2"].tolist() == [600, 50, 1000]


def test_band_of_documents_that_agree_is_their_rate():
    documents = pd.DataFrame({"year": [2000] * 3, "word_tokens": [100, 200, 300]})
    row = yearly_series(documents, np.array([[1], [2], [3]]), ["x"], n_boot=50, random_state=0).iloc[0]
    assert (row["low"], row["per_10k"], row["high"]) == pytest.approx((100.0, 100.0, 100.0))


# -- DFM verbs ----------------------------------------------------------------------------------------------

# rows a..d, years 2001, 2000, 2001, 2003; word tokens 10, 20, 30, 40
#        f1 f2 f3
#   a  [  1  0  2 ]
#   b  [  0  3  0 ]
#   c  [  4  0  1 ]
#   d  [  0  0  5 ]
# document frequency f1 2, f2 1, f3 3; totals f1 5, f2 3, f3 8
SMALL = make_dfm([{"f1": 1, "f3": 2}, {"f2": 3}, {"f1": 4, "f3": 1}, {"f3": 5}], "abcd", [2001, 2000, 2001, 2003],
                 [10, 20, 30, 40])


def test_dfm_group_pools_rows_by_sorted_group():
    grouped = dfm_group(SMALL, "year")
    assert grouped.docvars["year"].tolist() == [2000, 2001, 2003]
    assert grouped.docvars["documents"].tolist() == [1, 2, 1]
    assert grouped.docvars["word_tokens"].tolist() == [20, 40, 40]
    assert grouped.matrix.toarray().tolist() == [[0, 3, 0], [5, 0, 3], [0, 0, 5]]
    assert grouped.features.tolist() == ["f1", "f2", "f3"]
    assert grouped.history[-1] == "dfm_group(by='year')"
    with pytest.raises(ParameterError, match="by='body'"):
        dfm_group(SMALL, "body")


@pytest.mark.parametrize("options, kept", [
    ({}, ["f1", "f2", "f3"]),
    ({"min_df": 2}, ["f1", "f3"]),
    ({"max_df": 0.5}, ["f1", "f2"]),  # in at most 2 of 4 rows
    ({"min_count": 4}, ["f1", "f3"]),
    ({"min_count": 6}, ["f3"]),
    ({"min_df": 2, "max_df": 0.5}, ["f1"]),
    ({"min_df": 4}, []),
])
def test_dfm_trim_by_hand(options, kept):
    trimmed = dfm_trim(SMALL, **options)
    assert trimmed.features.tolist() == kept
    columns = {"f1": [1, 0, 4, 0], "f2": [0, 3, 0, 0], "f3": [2, 0, 1, 5]}
    assert trimmed.matrix.toarray().T.tolist() == [columns[f] for f in kept]
    assert trimmed.docvars.equals(SMALL.docvars)


def test_dfm_select_in_the_order_given_with_zeros_for_unknown_terms():
    selected = dfm_select(SMALL, ["f3", "missing", "f1"])
    assert selected.features.tolist() == ["f3", "missing", "f1"]
    assert selected.matrix.toarray().tolist() == [[2, 0, 1], [0, 0, 0], [1, 0, 4], [5, 0, 0]]
    with pytest.raises(ParameterError, match="terms='f1'"):
        dfm_select(SMALL, "f1")
    with pytest.raises(ParameterError, match="terms="):
        dfm_select(SMALL, ["f1", ""])


# -- the robustness claims --------------------------------------------------------------------------------

# Four documents of 1,000 tokens: 2010, 2015, 2021, 2023; split year 2020, reference first year 2010.
#   steady : 1, 1, 3, 3 -> first 2010 (holds); 2 / 2,000 = 10 before, 6 / 2,000 = 30 after: +20 (holds)
#   late   : 0, 2, 2, 2 -> first 2015 (does NOT hold); 10 before, 20 after: +10 (holds)
#   falling: 5, 5, 1, 1 -> first 2010 (holds); 50 before, 10 after: -40 (does NOT hold)
CLAIM_COUNTS = {"steady": [1, 1, 3, 3], "late": [0, 2, 2, 2], "falling": [5, 5, 1, 1]}


def claim_frequencies() -> pd.DataFrame:
    return frequencies_frame([(doc, year, theme, count, 1000)
                              for theme, counts in CLAIM_COUNTS.items()
                              for doc, year, count in zip("abcd", [2010, 2015, 2021, 2023], counts)])


def test_claims_hold_only_when_the_data_say_so():
    # the claims of the data themselves: steady first 2010, late first 2015, falling first 2010
    claims = ClaimSet(claim_frequencies(), list(CLAIM_COUNTS), 2020)
    assert claims.first == {"steady": 2010, "late": 2015, "falling": 2010}
    assert claims.change.tolist() == pytest.approx([20.0, 10.0, -40.0])
    # without document "a" (2010): 2010 is gone, so the first-year claims of steady and falling
    # cannot be measured; late keeps 2015; steady: 1/1,000 before = 10, 6/2,000 after = 30
    without_a = claim_frequencies().query("doc_id != 'a'")
    judged = {name: (kind, value) for theme in CLAIM_COUNTS
              for name, kind, value in claims.judge(without_a, theme)}
    assert judged["steady: first year 2010"] == ("cannot be measured", 2015)
    assert judged["late: first year 2015"] == ("holds", 2015)
    assert judged["steady: rate rises (2020+ vs before)"] == ("holds", pytest.approx(20.0))
    assert judged["falling: rate rises (2020+ vs before)"] == ("does not hold", pytest.approx(-40.0))
    # stricter entry rule: late has 2 mentions a year from 2015, steady 1 in 2010 and 2015
    assert claims.judge(claim_frequencies(), "steady", ("first_year",), min_mentions=2) == [
        ("steady: first year 2010", "does not hold", 2021)]


def test_robustness_summary_counts_holds_fails_and_unmeasurable():
    table = pd.DataFrame({
        "claim": ["b: rate rises", "a: first year 2010", "b: rate rises", "a: first year 2010", "c: carried",
                  "a: first year 2010", "b: rate rises"],
        "theme": ["b", "a", "b", "a", "c", "a", "b"],
        "perturbation": ["document", "baseline", "speaker", "codebook", "baseline", "entry rule", "codebook"],
        "specification": ["leave out s1", "s1", "leave out body s2", "s2", "s1", "s3", "s3"],
        "status": ["does not hold", "holds", "does not hold", "cannot be measured", "holds", "holds",
                   "does not hold"],
    })
    summary = robustness_summary(table)
    assert summary["claim"].tolist() == ["b: rate rises", "a: first year 2010", "c: carried"]  # first seen first
    assert summary["specifications"].tolist() == [3, 3, 1]
    assert summary["holds"].tolist() == [0, 2, 1]
    assert summary["does_not_hold"].tolist() == [3, 0, 0]
    assert summary["not_measurable"].tolist() == [0, 1, 0]
    assert summary["share"].tolist() == pytest.approx([0.0, 1.0, 1.0])  # of the measurable ones
    assert summary["broken_by_documents"].tolist() == ["s1", "", ""]
    assert summary["broken_by_speakers"].tolist() == ["body s2", "", ""]
    assert summary["broken_by_other"].tolist() == ["s3", "", ""]

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.stats.keyness import distinctive_terms, keyness_table, period_of
from analysis.stats.rates import term_trends, yearly_series
from analysis.stats.terms import emergent_terms
from conftest import DOC_2010, DOC_2015, DOC_2023, DOC_2025


@pytest.fixture(scope="module")
def counts(index):
    return index.dfm("document", index.tokenizer(phrases="codebook"))


def test_yearly_rates_pool_documents_and_bootstrap_is_seeded():
    documents = pd.DataFrame({"year": [2000, 2000, 2000, 2001], "word_tokens": [100, 200, 300, 50]})
    values = np.array([[1], [2], [3], [5]])
    first = yearly_series(documents, values, ["x"], n_boot=200, random_state=7)
    assert first["per_10k"].tolist() == pytest.approx([10_000 * 6 / 600, 10_000 * 5 / 50])
    assert first["documents"].tolist() == [3, 1]
    row = first.iloc[0]
    assert row["low"] <= row["per_10k"] <= row["high"]  # every document has the same rate here: 1/100
    assert np.isnan(first.iloc[1]["low"])  # one document: no band
    again = yearly_series(documents, values, ["x"], n_boot=200, random_state=7)
    pd.testing.assert_frame_equal(first, again)


def test_bootstrap_band_is_wide_when_documents_disagree():
    documents = pd.DataFrame({"year": [2000] * 4, "word_tokens": [100] * 4})
    band = yearly_series(documents, np.array([[0], [0], [0], [8]]), ["x"], n_boot=2000, random_state=1).iloc[0]
    assert band["per_10k"] == 200 and band["low"] == 0 and band["high"] >= 400


def test_term_trends_count_the_tokens(counts, index):
    trends = term_trends(counts, ["cybercrime", "not_a_term"], n_boot=10).set_index(["term", "year"])
    row = index.documents.set_index("doc_id").loc[DOC_2025]
    column = list(counts.features).index("cybercrime")
    assert trends.loc[("cybercrime", 2025), "count"] == counts.matrix[4, column]
    assert trends.loc[("cybercrime", 2025), "per_10k"] == pytest.approx(
        10_000 * counts.matrix[4, column] / row["word_tokens"])
    assert (trends.loc["not_a_term", "count"] == 0).all()


def test_keyness_table_comparisons(counts):
    table = keyness_table(counts, split_year=2020)
    assert set(table["comparison"]) == {"2020+ vs before"} | {f"{d} vs rest" for d in counts.docvars["doc_id"]}
    split = table[table["comparison"] == "2020+ vs before"].set_index("term")
    assert split.loc["cybercrime", "g2"] > 0 and split.loc["cybercrime", "log_ratio"] > 0
    with pytest.raises(ParameterError, match="split_year=2030"):
        keyness_table(counts, split_year=2030)


def test_emergent_terms(counts):
    emergent = emergent_terms(counts, min_count=3).set_index("term")
    # "... Associated with Casinos and Scam Operations in Southeast Asia" (2023): the codebook no
    # longer has that seed quote as a phrase, so "scam" is a token there, a year before 2025's
    assert emergent.loc["scam", ["first_year", "first_doc_id"]].tolist() == [2023, DOC_2023]
    assert "cybercrime" not in emergent.index  # the 2010 resolution already names it
    organ = emergent.loc["organ_trafficking"]
    # "... including sexual exploitation, labour exploitation and organ trafficking" (2015)
    assert (organ["first_year"], organ["first_doc_id"]) == (2015, DOC_2015)
    assert (emergent["first_year"] > 2010).all()
    assert DOC_2010 not in set(emergent["first_doc_id"])


def test_distinctive_terms_per_period(counts):
    assert period_of([2010, 2014, 2015, 2023], 5).tolist() == [2010, 2010, 2015, 2020]
    table = distinctive_terms(counts, period_length=5, n_terms=3)
    assert table.groupby("period").size().max() <= 3 and (table["g2"] > 0).all()
    with pytest.raises(ParameterError, match="period_length=0"):
        distinctive_terms(counts, period_length=0)


def test_bad_trend_parameters_are_named(counts):
    with pytest.raises(ParameterError, match="terms='cybercrime': must be a list"):
        term_trends(counts, "cybercrime")
    with pytest.raises(ParameterError, match="min_count=0"):
        keyness_table(counts, split_year=2020, min_count=0)


def _documents(rows, features, years):
    from scipy import sparse

    from analysis.index.dfm import DFM
    docvars = pd.DataFrame({"doc_id": [f"d{y}" for y in years], "year": years,
                            "word_tokens": [sum(r) for r in rows]})
    return DFM(sparse.csr_matrix(np.array(rows)), np.array(features, dtype=object), docvars)


def test_a_term_is_not_new_when_an_earlier_document_used_another_form():
    # "scams" in 2015, "scam" from 2023: "scam" is not new vocabulary; "wildlife" is, and
    # "trafficked"/"trafficking" first used together in 2023 are both new, each naming the other
    x = _documents([[0, 0, 5, 0, 0, 0], [1, 0, 4, 0, 0, 0], [0, 3, 5, 3, 2, 1]],
                   ["scams", "scam", "crime", "wildlife", "trafficked", "trafficking"], [2010, 2015, 2023])
    table = emergent_terms(x, min_count=1).set_index("term")
    assert "scam" not in table.index and table.loc["scams", "first_year"] == 2015
    assert table.loc["scams", "other_forms"] == "scam"
    assert table.loc["trafficked", "other_forms"] == "trafficking"
    assert table.loc["wildlife", "first_year"] == 2023


def test_words_inside_phrases_are_counted_beside_the_phrases():
    from analysis.index.dfm import dfm_with_words

    # 2025 says "crimes that affect the environment" twice and "environment" once alone; joined,
    # the word is hidden inside the phrase
    phrases = _documents([[0, 1], [2, 1]], ["crimes_that_affect_the_environment", "environment"], [2016, 2025])
    words = _documents([[0, 1, 0], [2, 3, 2]], ["affect", "environment", "crimes"], [2016, 2025])
    both = dfm_with_words(phrases, words)
    counts = pd.DataFrame(both.matrix.toarray(), columns=both.features)
    assert list(both.features) == sorted(both.features)
    assert counts["environment"].tolist() == [1, 3]
    assert counts["crimes_that_affect_the_environment"].tolist() == [0, 2]

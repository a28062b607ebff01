import numpy as np
import pandas as pd
import pytest
from scipy.stats import power_divergence

from scipy import sparse

from analysis.index.dfm import DFM
from analysis.stats.keyness import keyness_of_counts, log_likelihood, log_ratio, textstat_keyness


def test_g2_worked_by_hand():
    # a=10 in 100 tokens, b=10 in 1,000: E1 = 100*20/1100 = 1.8182, E2 = 18.1818,
    # G2 = 2*(10 ln(10/1.8182) + 10 ln(10/18.1818)) = 2*(17.0475 - 5.9784) = 22.138
    assert log_likelihood(10, 10, 100, 1000) == pytest.approx(22.1382, abs=1e-4)
    assert log_ratio(10, 10, 100, 1000) == pytest.approx(np.log2(10))


@pytest.mark.parametrize("a, b, c, d", [(52, 30, 10_000, 20_000), (1, 0, 500, 900), (3, 40, 1200, 5000)])
def test_g2_agrees_with_scipys_g_test(a, b, c, d):
    expected = [c * (a + b) / (c + d), d * (a + b) / (c + d)]
    independent = power_divergence([a, b], f_exp=expected, lambda_="log-likelihood").statistic
    assert abs(log_likelihood(a, b, c, d)) == pytest.approx(independent)
    assert np.sign(log_likelihood(a, b, c, d)) == (1 if a / c >= b / d else -1)


def test_keyness_table():
    target = pd.Series({"cybercrime": 20, "crime": 10, "treaty": 0})
    reference = pd.Series({"cybercrime": 1, "crime": 40, "treaty": 9})
    table = keyness_of_counts(target, reference, "2020+ vs before")
    # target 30 tokens, reference 50. crime: E1 = 18.75, E2 = 31.25,
    # G2 = 2*(10 ln(10/18.75) + 40 ln(40/31.25)) = 7.1766, rarer in the target: -7.1766.
    # treaty: E1 = 3.375, E2 = 5.625, G2 = 2*(9 ln(9/5.625)) = 8.4601, signed -8.4601.
    assert table["term"].tolist() == ["cybercrime", "crime", "treaty"]
    assert table["g2"].iloc[1:].tolist() == pytest.approx([-7.1766, -8.4601], abs=1e-4)
    assert table.loc[0, ["freq_target", "freq_reference"]].tolist() == [20, 1]
    assert (table["p_value"] > 0).all() and (table["p_value"] <= 1).all()
    # treaty is absent from the target: half an occurrence in the larger text (50 tokens)
    assert table.loc[2, "log_ratio"] == pytest.approx(np.log2((0.5 / 50) / (9 / 50)))
    # Benjamini-Hochberg by hand: p sorted ascending p1 <= p2 <= p3, adjusted
    # p3' = p3, p2' = min(p3', 3/2 p2), p1' = min(p2', 3 p1)
    p = table.set_index("term")["p_value"].sort_values()
    p3 = p.iloc[2]
    p2 = min(p3, 1.5 * p.iloc[1])
    p1 = min(p2, 3 * p.iloc[0])
    assert table.set_index("term").loc[p.index, "p_adjusted"].tolist() == pytest.approx([p1, p2, p3])


def test_keyness_of_dfm_rows_pools_target_and_reference_rows():
    # the same counts as above, split over four documents: target rows 1 and 3
    features = np.array(["crime", "cybercrime", "treaty"], dtype=object)
    matrix = sparse.csr_matrix(np.array([[30, 1, 5], [4, 12, 0], [10, 0, 4], [6, 8, 0]]))
    docvars = pd.DataFrame({"doc_id": list("abcd"), "year": [2010, 2021, 2015, 2022], "word_tokens": [99] * 4})
    table = textstat_keyness(DFM(matrix, features, docvars), np.array([False, True, False, True]), "2020+ vs before")
    assert table["term"].tolist() == ["cybercrime", "crime", "treaty"]
    assert table["freq_target"].tolist() == [20, 10, 0] and table["freq_reference"].tolist() == [1, 40, 9]
    assert table["g2"].iloc[1:].tolist() == pytest.approx([-7.1766, -8.4601], abs=1e-4)
    assert set(table["comparison"]) == {"2020+ vs before"}


@pytest.mark.parametrize("a, b, c, d", [(1, 0, 100, 10), (0, 1, 10, 100), (1, 0, 10, 100), (0, 3, 1000, 20),
                                        (5, 5, 100, 100), (2, 7, 40, 900)])
def test_log_ratio_never_disagrees_with_g2_in_sign(a, b, c, d):
    # (1, 0, 100, 10): a share of 1/100 against none; a half occurrence in the smaller text
    # (0.5/10 = 0.05) would have made the log ratio negative
    g2, lr = log_likelihood(a, b, c, d), log_ratio(a, b, c, d)
    assert np.sign(g2) == np.sign(lr) or (a / c == b / d and lr == 0)


def _dfm(rows, features, **docvars):
    matrix = sparse.csr_matrix(np.array(rows))
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(rows))], **docvars})
    return DFM(matrix, np.array(features, dtype=object), frame)


def test_spelling_variants_are_counted_as_one_term_and_listed():
    # "combatting" (British secretariat) in the target, "combating" in the reference: one term,
    # used 3 + 2 times, counted under its more frequent form
    x = _dfm([[3, 0, 4], [0, 2, 5], [0, 0, 6]], ["combatting", "combating", "crime"], year=[2023, 2010, 2015])
    table = textstat_keyness(x, np.array([True, False, False]), "2020+ vs before").set_index("term")
    assert "combating" not in table.index
    assert table.loc["combatting", ["freq_target", "freq_reference"]].tolist() == [3, 2]
    assert table.loc["combatting", "variants"] == "combating"
    assert table.loc["crime", "variants"] == ""


def test_documents_on_each_side_are_counted():
    x = _dfm([[3, 1], [0, 2], [4, 0], [1, 1]], ["cybercrime", "drug"], year=[2023, 2010, 2024, 2015])
    table = textstat_keyness(x, np.array([True, False, True, False]), "2020+ vs before").set_index("term")
    assert table.loc["cybercrime", ["docs_target", "docs_reference"]].tolist() == [2, 1]
    assert table.loc["drug", ["docs_target", "docs_reference"]].tolist() == [1, 2]


def test_names_of_bodies_and_meetings_are_flagged():
    x = _dfm([[3, 2, 1, 1], [1, 2, 2, 1]], ["appf", "crime", "bangkok", "ipu"], year=[2023, 2010],
             body=["APPF", "IPU"], meeting=["31st APPF Annual Meeting (APPF31), Manila, 23-26 November 2023",
                                           "122nd IPU Assembly, Bangkok, 27 March - 1 April 2010"])
    table = textstat_keyness(x, np.array([True, False]), "2020+ vs before").set_index("term")
    assert table["is_name"].to_dict() == {"appf": True, "bangkok": True, "ipu": True, "crime": False}

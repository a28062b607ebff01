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
    assert table.loc[2, "log_ratio"] == pytest.approx(np.log2((0.5 / 30) / (9 / 50)))


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

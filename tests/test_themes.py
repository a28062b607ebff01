import pandas as pd
import pytest

from analysis.index.build import build_index
from analysis.io.codebook import codebook_from_dict
from analysis.stats.rates import theme_emergence, theme_frequencies, theme_order, yearly_rates
from conftest import DOC_2010, DOC_2023, DOC_2025


@pytest.fixture(scope="module")
def coded(index, codebook):
    return index.kwic, theme_frequencies(index.kwic, index.documents, codebook.names)


def test_every_count_equals_the_kwic_rows_behind_it(coded, codebook, corpus):
    kwic, frequencies = coded
    assert len(frequencies) == len(corpus) * len(codebook.names)  # zeros included
    rows_behind = kwic.groupby(["doc_id", "theme"]).size()
    for row in frequencies.itertuples():
        assert row.count == rows_behind.get((row.doc_id, row.theme), 0)


def test_rates_per_10k_word_tokens(coded):
    _, frequencies = coded
    row = frequencies.set_index(["doc_id", "theme"]).loc[(DOC_2025, "environmental_crime")]
    # 16 mentions counted by hand (tests/test_codebook.py); 1,997 words in the cleaned 2025 report
    assert (row["count"], row["word_tokens"]) == (16, 1997)
    assert row["per_10k"] == pytest.approx(16 / 1997 * 10_000)


def test_kwic_rows_quote_the_passage(coded):
    kwic, _ = coded
    first = kwic[(kwic["doc_id"] == DOC_2010) & (kwic["theme"] == "cybercrime")].iloc[0]
    assert first["paragraph_id"] == f"{DOC_2010}:p08"
    # the codebook's pattern is "cybercrim*" (it also finds "cybercriminals")
    assert (first["match"], first["pattern"]) == ("cybercrime", "cybercrim*")
    # whitespace runs at the edges are shown as one space, as inside: "firearms, " + "cybercrime" + " and"
    assert first["left"].endswith("trafficking in persons, trafficking in firearms, ")
    assert first["right"].startswith(" and, in some cases, cross-border terrorism")
    assert kwic[["left", "right"]].map(len).max().max() <= 60


def test_emergence_of_the_focus_themes(coded, codebook):
    kwic, frequencies = coded
    emergence = theme_emergence(frequencies, kwic, codebook.names).set_index("theme")
    assert emergence.loc["cybercrime", ["first_year", "first_doc_id", "first_paragraph_id"]].tolist() == \
        [2010, DOC_2010, f"{DOC_2010}:p08"]
    # "... Trafficking in Persons Associated with Casinos and Scam Operations in Southeast Asia"
    assert emergence.loc["scam_compounds", ["first_year", "first_paragraph_id"]].tolist() == [2023, f"{DOC_2023}:p11"]
    assert emergence.loc["scam_compounds", "peak_year"] == 2025
    assert emergence.loc["environmental_crime", ["first_year", "peak_year", "years_present"]].tolist() == [2025, 2025, 1]


def test_theme_never_found_has_empty_first_year(corpus):
    book = codebook_from_dict({"themes": {"absent": {"include": ["zzzz"]}}})
    index = build_index(corpus, book, learn_phrases=False)
    assert index.kwic.empty
    frequencies = theme_frequencies(index.kwic, index.documents, book.names)
    assert frequencies["count"].tolist() == [0] * len(corpus)
    emergence = theme_emergence(frequencies, index.kwic, book.names)
    assert pd.isna(emergence.loc[0, "first_year"]) and emergence.loc[0, "years_present"] == 0


def test_theme_order_puts_focus_first(coded, codebook):
    _, frequencies = coded
    rates = yearly_rates(frequencies)
    order = theme_order(rates, codebook.focus)
    assert order[:3] == ["cybercrime", "scam_compounds", "environmental_crime"]
    assert sorted(order) == sorted(codebook.names)
    means = rates.groupby("theme")["per_10k"].mean()
    assert all(means[a] >= means[b] for a, b in zip(order[3:], order[4:]))

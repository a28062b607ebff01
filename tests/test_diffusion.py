"""Diffusion across speakers and the two normalisations of a yearly count: values worked out by
hand on a small synthetic corpus (three speakers, four years) and from the seed documents."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import CorpusError, ParameterError
from analysis.plots.agenda import textplot_diffusion, textplot_rate_and_share
from analysis.stats.diffusion import (DIFFUSION_COLUMNS, describe_diffusion, first_speakers, speaker_column_problem,
                                      theme_diffusion, theme_shares)
from analysis.stats.rates import theme_frequencies
from figure_checks import assert_figure_readable

# Speakers A and B speak every year 2001-2004; D only in 2001; C joins in 2003. Theme t: A twice
# in 2001, C in 2003, B three times and A once in 2004. Theme u: A in 2001 only.
SPEECHES = [  # doc_id, year, speaker, word tokens, mentions
    ("A01", 2001, "A", 1000, {"t": 2, "u": 1}), ("B01", 2001, "B", 3000, {}), ("D01", 2001, "D", 1000, {}),
    ("A02", 2002, "A", 1000, {}), ("B02", 2002, "B", 1000, {}),
    ("A03", 2003, "A", 1000, {}), ("B03", 2003, "B", 1000, {}), ("C03", 2003, "C", 2000, {"t": 1}),
    ("A04", 2004, "A", 2000, {"t": 1}), ("B04", 2004, "B", 2000, {"t": 3}), ("C04", 2004, "C", 1000, {}),
]
THEMES = ["t", "u", "never"]


@pytest.fixture
def speeches():
    documents = pd.DataFrame([row[:4] for row in SPEECHES], columns=["doc_id", "year", "speaker", "word_tokens"])
    kwic = pd.DataFrame([(doc, year, f"{doc}:p{i + 1:02d}", theme, "left ", theme, " right")
                         for doc, year, _, _, mentions in SPEECHES for theme, count in mentions.items()
                         for i in range(count)],
                        columns=["doc_id", "year", "paragraph_id", "theme", "left", "match", "right"])
    paragraphs = pd.DataFrame({"paragraph_id": kwic["paragraph_id"].unique()})
    paragraphs["text"] = "the paragraph " + paragraphs["paragraph_id"]
    return kwic, documents, paragraphs, theme_frequencies(kwic, documents, THEMES)


def test_diffusion_by_hand(speeches):
    _, documents, _, frequencies = speeches
    table = theme_diffusion(frequencies, documents, "speaker")
    assert list(table.columns) == DIFFUSION_COLUMNS
    t = table[table["theme"] == "t"].set_index("year")
    assert t["speakers"].tolist() == [3, 2, 3, 3]
    assert t["speakers_mentioning"].tolist() == [1, 0, 1, 2]
    assert t["speaker_share"].tolist() == pytest.approx([1 / 3, 0, 1 / 3, 2 / 3])
    assert t["new_speakers"].tolist() == [1, 0, 1, 1]          # A, -, C, B (A already had)
    assert t["speakers_ever"].tolist() == [1, 1, 2, 3]
    assert t["speakers_so_far"].tolist() == [3, 3, 4, 4]       # A, B, D; D gone but heard; C joins
    assert t["cumulative_share"].tolist() == pytest.approx([1 / 3, 1 / 3, 2 / 4, 3 / 4])
    # u: the cumulative share dips when C joins (C could not have mentioned it before)
    u = table[table["theme"] == "u"].set_index("year")
    assert u["cumulative_share"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 4, 1 / 4])
    never = table[table["theme"] == "never"]
    assert never["speakers_ever"].eq(0).all() and never["cumulative_share"].eq(0).all()
    assert table["theme"].unique().tolist() == THEMES


def test_shares_beside_rates_by_hand(speeches):
    shares = theme_shares(speeches[3])
    t = shares[shares["theme"] == "t"].set_index("year")
    assert t["count"].tolist() == [2, 0, 1, 4]
    assert t["documents"].tolist() == [3, 2, 3, 3]
    assert t["documents_mentioning"].tolist() == [1, 0, 1, 2]
    assert t["document_share"].tolist() == pytest.approx([1 / 3, 0, 1 / 3, 2 / 3])
    # 2 mentions in 5,000 words; 0 in 2,000; 1 in 4,000; 4 in 5,000
    assert t["per_10k"].tolist() == pytest.approx([4.0, 0.0, 2.5, 8.0])
    assert shares["theme"].unique().tolist() == THEMES


def test_first_speakers_in_order_with_their_passage(speeches):
    kwic, documents, paragraphs, _ = speeches
    first = first_speakers(kwic, documents, paragraphs, ["t", "u", "never"], "speaker", n_first=5)
    t = first[first["theme"] == "t"]
    assert t["speaker"].tolist() == ["A", "C", "B"] and t["year"].tolist() == [2001, 2003, 2004]
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["paragraph_id"].tolist() == ["A01:p01", "C03:p01", "B04:p01"]  # the first of A's two mentions
    assert t["text"].tolist() == ["the paragraph A01:p01", "the paragraph C03:p01", "the paragraph B04:p01"]
    assert first[first["theme"] == "never"].empty
    two = first_speakers(kwic, documents, paragraphs, ["t"], "speaker", n_first=2)
    assert two["speaker"].tolist() == ["A", "C"]


def test_a_missing_speaker_column_is_skipped_or_refused(speeches):
    _, documents, _, frequencies = speeches
    assert speaker_column_problem(documents, "speaker") == ""
    assert "None" in speaker_column_problem(documents, None)
    message = speaker_column_problem(documents, "country")
    assert "`country`" in message and "`speaker`" in message
    with pytest.raises(ParameterError, match="country"):
        theme_diffusion(frequencies, documents, "country")
    blank = documents.assign(speaker=documents["speaker"].where(documents["doc_id"] != "B02", ""))
    with pytest.raises(CorpusError, match="B02"):
        theme_diffusion(frequencies, blank, "speaker")
    with pytest.raises(ParameterError, match="n_first_speakers"):
        first_speakers(*speeches[:3], ["t"], "speaker", n_first=0)


def test_seed_corpus_diffusion_across_bodies(index_plain, codebook):
    """Cybercrime: IPU 2010, ARF 2016, APPF 2023 (not in its 2015 resolution), UN 2025. Scam
    compounds: APPF 2023, UN 2025. Environmental crime: the UN in 2025 only."""
    frequencies = theme_frequencies(index_plain.kwic, index_plain.documents, codebook.names)
    focus = ["cybercrime", "scam_compounds", "environmental_crime"]
    first = first_speakers(index_plain.kwic, index_plain.documents, index_plain.paragraphs, focus, "body")
    assert first.groupby("theme", sort=False)["speaker"].apply(list).to_dict() == {
        "cybercrime": ["IPU", "ARF", "APPF", "UN"], "scam_compounds": ["APPF", "UN"], "environmental_crime": ["UN"]}
    appf = first.set_index(["theme", "speaker"]).loc[("scam_compounds", "APPF")]
    assert "scam" in appf["match"].lower() and "Casinos and Scam Operations" in appf["text"]
    table = theme_diffusion(frequencies, index_plain.documents, "body")
    cyber = table[table["theme"] == "cybercrime"]
    assert cyber["year"].tolist() == [2010, 2015, 2016, 2023, 2025]
    assert cyber["speakers_ever"].tolist() == [1, 1, 2, 3, 4]
    assert cyber["speakers_so_far"].tolist() == [1, 2, 3, 3, 4]  # IPU, APPF, ARF, (APPF), UN
    assert cyber["cumulative_share"].tolist() == pytest.approx([1, 1 / 2, 2 / 3, 1, 1])
    text = describe_diffusion(table, first, {"environmental_crime": "Environmental crime"}, ["environmental_crime"])
    assert text.startswith("**Environmental crime**: by 2025, 1 of the 4 speakers heard so far (25%) had mentioned it; "
                           "in 2025 itself, 1 of 1 (100%) did. The first to raise it: UN (2025).")


def test_figures_have_thinned_whole_year_ticks(speeches):
    years = range(1946, 2025)
    def shares(first_year):
        rows = [("t", year, 190, 10 * (year >= first_year), 10 * (year >= first_year) / 190, 20 * (year >= first_year),
                 10 ** 6, 0.2 * (year >= first_year)) for year in years]
        return pd.DataFrame(rows, columns=["theme", "year", "documents", "documents_mentioning", "document_share",
                                           "count", "word_tokens", "per_10k"])

    # 79 years, 1946-2024 (a span of 78: steps of 10); drawn from two years before the first mention
    for first_year, expected in ((1948, list(range(1950, 2021, 10))), (2000, list(range(2000, 2021, 5)))):
        fig = textplot_rate_and_share(shares(first_year), ["t"], {"t": "Theme t"})
        for ax in fig.axes:
            assert [int(label.get_text()) for label in ax.get_xticklabels()] == expected
    _, documents, _, frequencies = speeches
    fig = textplot_diffusion(theme_diffusion(frequencies, documents, "speaker"), ["t", "u"], {}, "speaker")
    assert [label.get_text() for label in fig.axes[1].get_xticklabels()] == ["2001", "2002", "2003", "2004"]
    assert np.isclose(fig.axes[1].lines[0].get_ydata()[-1], 75)  # t: 3 of the 4 speakers by 2004
    assert_figure_readable(fig)
    assert_figure_readable(textplot_rate_and_share(shares(1948), ["t"], {"t": "Theme t"}))

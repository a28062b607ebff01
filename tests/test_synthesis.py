"""Synthesis: first mentions, period rates, the robustness grid and the corpus limitations."""

import pandas as pd
import pytest

from analysis.plots.labels import short_names
from analysis.report.story import corpus_limitations, focus_theme_story
from analysis.stats.rates import first_mentions, period_rates, theme_emergence, theme_frequencies
from analysis.synthesis.robustness import Specification, robustness_summary, robustness_table, specification_grid
from conftest import DOC_2010, DOC_2025


def first_mention(index, theme: str) -> pd.Series:
    """The first KWIC row of ``theme`` in corpus order, with the whole paragraph it stands in."""
    row = index.kwic[index.kwic["theme"] == theme].iloc[0]
    text = index.paragraphs.set_index("paragraph_id").loc[row["paragraph_id"], "text"]
    return pd.concat([row, pd.Series({"text": text})])


def test_first_mentions_quote_the_whole_paragraph(index, codebook):
    frequencies = theme_frequencies(index.kwic, index.documents, codebook.names)
    emergence = theme_emergence(frequencies, index.kwic, ["cybercrime", "environmental_crime"]).set_index("theme")
    assert emergence.loc["cybercrime", "first_paragraph_id"] == f"{DOC_2010}:p08"
    assert emergence.loc["environmental_crime", "first_paragraph_id"] == f"{DOC_2025}:p21"
    first = first_mention(index, "environmental_crime")
    assert first["paragraph_id"] == f"{DOC_2025}:p21"
    assert first["text"].startswith("Speakers expressed concern about the rise of crimes")
    firsts = first_mentions(index.kwic, index.paragraphs, emergence.reset_index(),
                            ["cybercrime", "environmental_crime"]).set_index("theme")
    assert firsts.loc["environmental_crime", "text"] == first["text"]
    assert firsts.loc["environmental_crime", "match"] == first["match"]
    assert firsts.loc["cybercrime", "paragraph_id"] == f"{DOC_2010}:p08"


def test_period_rates_pool_tokens():
    frequencies = pd.DataFrame({"doc_id": ["a", "b", "c"], "year": [2010, 2015, 2021], "theme": "t",
                                "count": [1, 3, 5], "word_tokens": [1_000, 3_000, 10_000]})
    row = period_rates(frequencies, ["t"], 2020).iloc[0]
    assert row["per_10k_before"] == pytest.approx(4 / 4_000 * 10_000)
    assert row["per_10k_after"] == pytest.approx(5.0)
    assert row["change"] == pytest.approx(-5.0)


def test_grid_and_labels():
    grid = specification_grid()
    assert len(grid) == 24 and len(set(grid)) == 24
    assert Specification().label == "normalize=lemma, domain_stopwords=on, phrases=both, min_df=1"


def test_robustness_of_the_count_claims(index, codebook):
    """Environmental crime is mentioned in the 2025 report only (kwic): with min_df = 2 its terms
    are dropped and its first-year claim fails; cybercrime is in four documents and survives."""
    specs = [Specification(min_df=1), Specification(min_df=2)]
    table = robustness_table(index, codebook.focus, specs, specs[0], 2020, 4, [4], [1], with_topic_claims=False)
    assert list(table.columns) == ["claim", "specification", "holds", "value"]
    value = table.set_index(["claim", "specification"])
    reference, strict = specs[0].label, specs[1].label
    for theme, year in (("cybercrime", 2010), ("scam_compounds", 2023), ("environmental_crime", 2025)):
        assert value.loc[(f"{theme}: first year {year}", reference), "holds"]
        assert value.loc[(f"{theme}: first year {year}", reference), "value"] == year
    assert not value.loc[("environmental_crime: first year 2025", strict), "holds"]
    assert pd.isna(value.loc[("environmental_crime: first year 2025", strict), "value"])
    assert value.loc[("cybercrime: first year 2010", strict), "holds"]
    summary = robustness_summary(table).set_index("claim")
    assert summary.loc["environmental_crime: first year 2025", "share"] == 0.5
    assert summary.loc["cybercrime: first year 2010", "share"] == 1.0


def test_topic_claims_vary_k_and_seed(index, codebook):
    table = robustness_table(index, codebook.focus, [Specification()], Specification(), 2020, 3, [3, 4], [1, 2])
    topic_rows = table[table["claim"].str.endswith("carried by an LDA topic")]
    assert sorted(topic_rows["specification"].unique()) == sorted(
        [Specification().label, "K=3, seed=2 (reference preprocessing)", "K=4, seed=1 (reference preprocessing)",
         "K=4, seed=2 (reference preprocessing)"])
    assert topic_rows["value"].between(0, 1).all()


def test_limitations_come_from_the_corpus():
    summary = pd.DataFrame({"year": [2010, 2015, 2015], "doc_type": ["resolution", "report", "resolution"],
                            "body": ["IPU", "UN", "APPF"], "words": [500, 1500, 1000]})
    lines = corpus_limitations(summary)
    assert lines[0].startswith("3 documents over 2 years (2010-2015); 1 years have a single document")
    assert "2 genres: resolution (2), report (1)." in lines
    assert "Documents run from 500 to 1,500 words (median 1,000)" in lines[3]


def test_story_quotes_and_counts(index):
    first = first_mention(index, "scam_compounds")
    rates = pd.DataFrame({"theme": ["scam_compounds", "terrorism"], "per_10k_before": [0.0, 30.0],
                          "per_10k_after": [39.3, 20.0], "change": [39.3, -10.0]})
    summary = pd.DataFrame({"claim": ["scam_compounds: first year 2023"], "specifications": [24], "holds": [14]})
    story = focus_theme_story("scam_compounds", "Scam compounds", first, rates, ["terrorism"],
                              pd.DataFrame(columns=["theme"]), pd.DataFrame(columns=["themes"]), summary, 2020)
    assert "**First appearance:** 2023" in story and "Casinos and Scam Operations" in story
    assert "+39.3), against a median change of -10.0 for the 1 established crimes" in story
    assert "first year 2023 holds under 14 of 24 specifications" in story


def test_short_names():
    assert short_names(["2010_ipu122_organized_crime", 1999]) == ["2010 IPU122", "1999"]


def test_a_topic_claim_holds_only_when_a_topic_carries_the_theme():
    """Topic 1 puts 0.4 of its weight on "cybercrime", topic 2 0.005 on "scam": with min_share
    0.01 cybercrime is carried and scams are not; the value is the largest share either way."""
    import numpy as np

    from analysis.models.topics import TopicModel
    from analysis.synthesis.robustness import topic_claims

    model = TopicModel("lda", 2)
    model.topic_term_ = np.array([[0.4, 0.0, 0.6], [0.0, 0.005, 0.995]])
    claims = topic_claims(model, ["cybercrime", "scam", "other"], {"cyber": {"cybercrime"}, "scams": {"scam"}},
                          ["cyber", "scams"], min_share=0.01)
    assert claims == [("cyber: carried by an LDA topic", True, 0.4), ("scams: carried by an LDA topic", False, 0.005)]
    strict = topic_claims(model, ["cybercrime", "scam", "other"], {"cyber": {"cybercrime"}, "scams": {"scam"}},
                          ["cyber", "scams"], min_share=0.5)
    assert [holds for _, holds, _ in strict] == [False, False]

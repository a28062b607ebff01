"""Synthesis: first mentions, period rates, the robustness grid and the corpus limitations."""

import pandas as pd
import pytest

from analysis.plots.labels import short_names
from analysis.report.story import corpus_limitations, focus_theme_story
from analysis.stats.rates import first_mentions, period_rates, theme_emergence, theme_frequencies
from analysis.synthesis.robustness import robustness_findings, robustness_summary, robustness_table, topic_claim_table
from conftest import DOC_2010, DOC_2016, DOC_2023, DOC_2025


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


@pytest.fixture(scope="module")
def robustness(index, codebook):
    return robustness_table(index, codebook, codebook.focus, 2020, speaker_column="body")


def status(table, claim, specification):
    row = table[(table["claim"] == claim) & (table["specification"] == specification)]
    assert len(row) == 1, (claim, specification)
    return row["status"].iloc[0], row["value"].iloc[0]


def test_the_baseline_reproduces_the_headline_tables(index, codebook, robustness):
    frequencies = theme_frequencies(index.kwic, index.documents, codebook.focus)
    emergence = theme_emergence(frequencies, index.kwic, codebook.focus).set_index("theme")
    changes = period_rates(frequencies, codebook.focus, 2020).set_index("theme")["change"]
    baseline = robustness[robustness["perturbation"] == "baseline"]
    assert set(baseline["status"]) == {"holds"}
    for theme in codebook.focus:
        year = emergence.loc[theme, "first_year"]
        assert status(robustness, f"{theme}: first year {year}", "baseline") == ("holds", year)
        assert status(robustness, f"{theme}: rate rises (2020+ vs before)", "baseline")[1] == pytest.approx(
            changes[theme])
        assert status(robustness, f"{theme}: mentioned", "baseline")[1] == (index.kwic["theme"] == theme).sum()


def test_claims_that_rest_on_one_document_say_so(index, robustness):
    # environmental crime is named in the 2025 report only: without it the theme disappears
    assert status(robustness, "environmental_crime: mentioned", f"leave out {DOC_2025}") == ("does not hold", 0)
    assert status(robustness, "environmental_crime: mentioned", "leave out body UN") == ("does not hold", 0)
    # the 2023 resolution names scams once ("casinos and scam operations"): without the 2025
    # report, 1 mention is left and the first year still holds
    assert status(robustness, "scam_compounds: mentioned", f"leave out {DOC_2025}") == ("holds", 1)
    assert status(robustness, "scam_compounds: first year 2023", f"leave out {DOC_2025}") == ("holds", 2023)
    # without the 2010 resolution there is no 2010 document: its first year cannot be measured
    assert status(robustness, "cybercrime: first year 2010", f"leave out {DOC_2010}")[0] == "cannot be measured"
    sentences = robustness_findings(robustness_summary(robustness), {})
    environmental = [s for s in sentences if s.startswith("environmental_crime — mentioned")]
    assert environmental and f"rests on one document: {DOC_2025}" in environmental[0]
    assert "rests on one body: UN" in environmental[0]


def test_codebook_and_entry_rule_perturbations_recount_the_text(robustness):
    # 2010 says "cybercrime", 2016 "cyber crimes": without the pattern cybercrim* the first year
    # moves to 2016, whose "cyber crimes" the pattern "cyber crim*" still matches
    assert status(robustness, "cybercrime: first year 2010", "cybercrime without pattern 'cybercrim*'") == (
        "does not hold", 2016)
    # one scam mention in 2023, seven "scam"/"scams" in 2025: at least 2 mentions first in 2025
    assert status(robustness, "scam_compounds: first year 2023", "first year with at least 2 mentions") == (
        "does not hold", 2025)
    assert not (robustness["specification"].str.contains("pattern 'pig butchering'")).any()  # never matched


def test_excludes_off_counts_what_they_removed(corpus):
    from analysis.index.build import build_index
    from analysis.io.codebook import codebook_from_dict

    # "Office on Drugs and Crime" stands once in the 2010 resolution: excluded from the drug
    # theme, it counts once more with the exclude off
    drugs = codebook_from_dict({"themes": {"drugs": {"label": "Drugs", "group": "focus", "include": ["drug*"],
                                                     "exclude": ["Office on Drugs and Crime*"]}}})
    index = build_index(corpus, drugs, learn_phrases=False)
    table = robustness_table(index, drugs, ["drugs"], 2020)
    baseline = status(table, "drugs: mentioned", "baseline")[1]
    assert status(table, "drugs: mentioned", "drugs with its 1 exclude pattern(s) off") == ("holds", baseline + 1)


def test_normalization_by_paragraphs(index, robustness):
    kind, value = status(robustness, "cybercrime: rate rises (2020+ vs before)",
                         "share of paragraphs mentioning the theme (change in % points)")
    paragraphs = index.paragraphs.assign(after=index.paragraphs["doc_id"].isin([DOC_2023, DOC_2025]))
    mentioning = set(index.kwic.loc[index.kwic["theme"] == "cybercrime", "paragraph_id"])
    share = paragraphs.assign(hit=paragraphs["paragraph_id"].isin(mentioning)).groupby("after")["hit"].mean()
    assert kind == "holds" and value == pytest.approx(100 * (share[True] - share[False]))


def test_topic_claims_vary_k_seed_and_family(index, codebook):
    table = topic_claim_table(index, index.tokenizer(), codebook.focus, n_topics={"lda": [3, 4], "nmf": [3]},
                              seeds=[1, 2])
    assert table.groupby("theme").size().to_dict() == {theme: 6 for theme in codebook.focus}
    first = table[table["theme"] == "cybercrime"]
    assert first["specification"].tolist() == ["baseline", "LDA K=3, seed=2", "LDA K=4, seed=1", "LDA K=4, seed=2",
                                               "NMF K=3, seed=1", "NMF K=3, seed=2"]
    assert table["value"].between(0, 1).all()


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
    # 15 perturbations hold, leaving out d1 breaks the claim, leaving out d2 leaves it unmeasurable
    table = pd.DataFrame({"claim": "scam_compounds: first year 2023", "theme": "scam_compounds",
                          "perturbation": ["baseline"] + ["codebook"] * 14 + ["document", "document"],
                          "specification": [f"spec {i}" for i in range(15)] + ["leave out d1", "leave out d2"],
                          "status": ["holds"] * 15 + ["does not hold", "cannot be measured"]})
    carriers = pd.DataFrame([{"theme": "scam_compounds", "model": "lda", "label": "3: scam / online / fraud",
                              "terms": "scam scam_compound", "share": 0.052, "null_mean": 0.004,
                              "null_p_adjusted": 0.01, "agreement": 0.9, "agreement_p_adjusted": 0.02}])
    story = focus_theme_story("scam_compounds", "Scam compounds", first, rates, ["terrorism"], carriers,
                              pd.DataFrame(columns=["themes"]), robustness_summary(table), 2020)
    assert "**First appearance:** 2023" in story and "Casinos and Scam Operations" in story
    assert "+39.3), against a median change of -10.0 for the 1 established crimes" in story
    assert ("**Robustness:** Scam compounds — first year 2023: holds under 15 of 16 perturbations (1 could not be "
            "measured); rests on one document: d1.") in story
    assert ("LDA topic 3: scam / online / fraud carries it (scam scam_compound): 5.2% of its weight on the theme's "
            "terms against 0.4% for frequency-matched random terms, adjusted p = 0.010; its yearly share follows "
            "the theme's rate, Spearman +0.90, adjusted p = 0.020.") in story


def test_short_names():
    assert short_names(["2010_ipu122_organized_crime", 1999]) == ["2010 IPU122", "1999"]


def test_claim_limitations_say_what_each_claim_rests_on(index, codebook):
    from analysis.report.story import claim_limitations

    frequencies = theme_frequencies(index.kwic, index.documents, codebook.focus)
    lines = claim_limitations(frequencies, index.documents, codebook.focus, {}, codebook.written_from, "body")
    assert lines[0].startswith("The codebook's patterns were written from 5 of these 5 documents")
    environmental = next(line for line in lines if line.startswith("environmental_crime"))
    assert f"rests on one document ({DOC_2025})" in environmental and "from 1 body value" in environmental
    # cybercrime is named in the 2010 resolution, the corpus's first document
    cyber = next(line for line in lines if line.startswith("cybercrime"))
    assert "its first year, 2010, is the corpus's first" in cyber
    other = claim_limitations(frequencies, index.documents, codebook.focus, {}, ("elsewhere",), None)
    assert other[0].startswith("None of these documents is among those the codebook was written from")

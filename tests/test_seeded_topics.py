"""The seeded (keyword-assisted) topic model, its yearly prevalence with a band, and its figure."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.models.gibbs import TOMOTOPY_ISA
from analysis.models.seeded import (SeededTopicModel, fit_seeded_topics, seed_words, seeded_findings,
                                    seeded_prevalence, seeded_terms_table)
from analysis.models.topics import TopicCorpus
from analysis.plots.topics import plot_seeded_prevalence
from figure_checks import assert_figure_readable
from test_topics import WORDS_A, WORDS_B, planted_corpus

SEEDS = {"cyber": ["ransomware"], "environment": ["timber"]}


@pytest.fixture(scope="module")
def planted():
    return planted_corpus()


def test_seed_words_are_a_theme_s_terms_in_the_vocabulary():
    vocabulary = ["cybercrime", "cybercrime_convention", "treaty", "scam"]
    terms = {"cyber": {"cybercrime"}, "scam": {"scam_compound"}, "fraud": {"scam"}}
    # a learned phrase containing a theme term is a seed; a theme with no term in the vocabulary has no topic
    assert seed_words(vocabulary, terms, ["cyber", "scam", "fraud"]) == {
        "cyber": ["cybercrime", "cybercrime_convention"], "fraud": ["scam"]}


def test_seeded_topics_gather_the_words_of_their_seed(planted):
    model = SeededTopicModel(SEEDS, n_free_topics=1, iterations=200, random_state=1).fit(planted)
    assert model.topic_names_ == ["cyber", "environment", "free 1"]
    vocabulary = np.array(planted.vocabulary)
    top = vocabulary[np.argsort(-model.topic_term_, axis=1, kind="stable")[:, :6]]
    # the planted paragraphs use one of two disjoint vocabularies: each seed pulls its own
    assert set(top[0]) <= set(WORDS_A) and set(top[1]) <= set(WORDS_B)
    assert np.allclose(model.topic_term_.sum(axis=1), 1) and np.allclose(model.doc_topic_.sum(axis=1), 1)
    import tomotopy

    assert tomotopy.isa == TOMOTOPY_ISA  # the instruction set is fixed, so a seed fixes the chain anywhere


def test_a_seed_fixes_the_fits_whatever_the_number_of_processes(planted):
    one = fit_seeded_topics(planted, SEEDS, [3, 4], n_jobs=1, iterations=100)
    two = fit_seeded_topics(planted, SEEDS, [3, 4], n_jobs=2, iterations=100)
    assert all(np.array_equal(a.topic_term_, b.topic_term_) and np.array_equal(a.doc_topic_, b.doc_topic_)
               for a, b in zip(one, two))
    assert not np.array_equal(one[0].doc_topic_, one[1].doc_topic_)
    first, again = (seeded_prevalence(fits, planted, n_boot=50, random_state=2) for fits in (one, two))
    assert first.equals(again)


def test_bad_seeds_and_settings_are_refused_by_name(planted):
    with pytest.raises(ParameterError, match="'cyber'.*zzz"):
        SeededTopicModel({"cyber": ["zzz"]}).fit(planted)
    with pytest.raises(ParameterError, match="seed_words"):
        SeededTopicModel({}).fit(planted)
    with pytest.raises(ParameterError, match="seed_prior"):
        SeededTopicModel(SEEDS, seed_prior=0).fit(planted)
    with pytest.raises(ParameterError, match="seeds"):
        fit_seeded_topics(planted, SEEDS, [])


class Fit:
    """Just what the prevalence needs: topic names, seed words and unit-topic proportions."""

    def __init__(self, doc_topic):
        self.doc_topic_ = np.asarray(doc_topic, dtype=float)
        self.topic_names_ = ["cyber", "free 1"]
        self.seed_words = {"cyber": ["ransomware"]}


def _units():
    """2000: documents a and b (one unit each, 30 and 10 tokens); 2001: one document c of two
    units, of 10 tokens each."""
    units = pd.DataFrame({"unit_id": ["a:p1", "b:p1", "c:p1", "c:p2"], "doc_id": ["a", "b", "c", "c"],
                          "year": [2000, 2000, 2001, 2001], "text": "", "n_tokens": [30, 10, 10, 10]})
    return TopicCorpus(units=units, counts=None, vocabulary=[], excluded=units.iloc[:0])


def test_prevalence_weights_units_by_tokens_and_bootstraps_documents_or_units():
    data = _units()
    fit = Fit([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    table = seeded_prevalence([fit], data, n_boot=400, random_state=0).set_index(["topic", "year"])
    # 2000: both documents put half their tokens in topic 1: every resample gives 0.5
    assert table.loc[(1, 2000), ["share", "lower", "upper"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    # 2001 has one document, so its units are resampled: two of unit 1 give 1.0, two of unit 2
    # give 0.0, each with probability 1/4: the 95% band runs from 0 to 1 around the share 0.5
    assert table.loc[(1, 2001), ["share", "lower", "upper"]].tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert table.loc[(1, 2001), "theme"] == "cyber" and table.loc[(2, 2001), "theme"] == ""
    assert table.loc[(1, 2000), ["level", "seeds", "replicates"]].tolist() == [0.95, 1, 400]
    # two seeds: the share is their mean, the band pools both fits' replicates
    other = Fit([[0.9, 0.1], [0.9, 0.1], [1.0, 0.0], [0.0, 1.0]])
    pooled = seeded_prevalence([fit, other], data, n_boot=400, random_state=0).set_index(["topic", "year"])
    assert pooled.loc[(1, 2000), ["share", "lower", "upper"]].tolist() == pytest.approx([0.7, 0.5, 0.9])
    with pytest.raises(ParameterError, match="level"):
        seeded_prevalence([fit], data, level=1.5)


def test_findings_give_first_last_and_peak_with_their_bands_for_anchored_topics_only():
    table = pd.DataFrame({"topic": 1, "theme": "cyber", "year": [2010, 2015, 2020], "share": [0.01, 0.05, 0.04],
                          "lower": [0.005, 0.03, 0.02], "upper": [0.02, 0.08, 0.06], "level": 0.95, "seeds": 2,
                          "replicates": 400})
    table = pd.concat([table, table.assign(topic=2, theme="drugs")], ignore_index=True)
    # two fits with top-2 terms: cyber's seed is in both; drugs' seed in one only
    terms = pd.DataFrame({"topic": [1, 1, 1, 1, 2, 2, 2, 2], "name": ["cyber"] * 4 + ["drugs"] * 4,
                          "seed": [1, 1, 2, 2] * 2, "rank": [1, 2] * 4, "weight": 0.1,
                          "term": ["cybercrime", "online", "online", "cybercrime", "opium", "peace", "peace", "war"],
                          "is_seed": [True, False, False, True, True, False, False, False]})
    assert seeded_findings(table, terms, {"cyber": "Cybercrime"}, ["cyber", "drugs", "scam"]) == [
        "Cybercrime: its seeded topic (top terms: cybercrime, online) holds 1.0% in 2010 (band 0.5%–2.0%) and 4.0% in "
        "2020 (band 2.0%–6.0%), peaking at 5.0% in 2015 (band 3.0%–8.0%); the first and last years' bands overlap. "
        "This is the share of the topic, which holds every word drawn to it, not of the theme's own words.",
        "drugs: its seed terms are among its topic's top 2 terms in 1 of 2 fits, so the topic is not the theme (its top "
        "terms: opium, peace) and its share is not reported.",
        "scam: none of its terms is in the model's vocabulary, so it has no seeded topic."]


def test_terms_table_marks_the_seed_words(planted):
    fits = fit_seeded_topics(planted, SEEDS, [1], iterations=100)
    terms = seeded_terms_table(fits, planted.vocabulary, n_terms=8)
    cyber = terms[terms["name"] == "cyber"]
    assert cyber["is_seed"].sum() == (cyber["term"] == "ransomware").sum() == 1
    assert terms.groupby("topic")["rank"].max().eq(8).all()


@pytest.mark.parametrize("years", [[2010, 2015, 2016, 2023, 2025], list(range(1946, 2025))])
def test_figure_is_readable_for_five_and_for_79_years(years):
    rows = [(1 + i, theme, year, 0.05, 0.03, 0.08, 0.95, 3, 600) for i, theme in enumerate(["a", "b", "c", "d"])
            for year in years]
    table = pd.DataFrame(rows, columns=["topic", "theme", "year", "share", "lower", "upper", "level", "seeds",
                                        "replicates"])
    fig = plot_seeded_prevalence(table, ["a", "b", "c", "d", "missing"], {"a": "Environmental crime"})
    assert_figure_readable(fig)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    names = ("Environmental crime", "b", "c", "d")
    assert [ax.get_title() for ax in shown] == [f"{name}: its seeded topic" for name in names]
    ticks = [int(t.get_text()) for t in shown[0].get_xticklabels() if t.get_text()]
    assert ticks and all(years[0] <= t <= years[-1] for t in ticks) and len(ticks) <= 12
    assert "95% band over 3 seeds x 200 bootstrap replicates" in fig._suptitle.get_text()
    with pytest.raises(ParameterError, match="themes"):
        plot_seeded_prevalence(table, ["missing"], {})

"""Tables of a chosen topic model, worked out by hand on small matrices; the HTML browser."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from analysis.errors import ParameterError

from analysis.text.tokens import Tokenizer
from analysis.models.topic_tables import (carrier_findings, carrying_topics, doc_topics_table, judge_topic_themes,
                                          matched_random_terms, representative_units, theme_carriers, theme_terms,
                                          topic_browser_html, topic_labels, topic_prevalence, topic_terms_table,
                                          topic_theme_shares, topic_theme_tests)
from analysis.models.topics import TopicCorpus, TopicModel
from test_topics import planted_corpus

VOCABULARY = ["cybercrime", "scam_compound", "wildlife", "treaty"]


class Fitted:
    family = "nmf"

    def __init__(self, topic_term, doc_topic):
        self.topic_term_ = np.asarray(topic_term, dtype=float)
        self.doc_topic_ = np.asarray(doc_topic, dtype=float)
        self.n_topics = len(self.topic_term_)


MODEL = Fitted([[0.5, 0.3, 0.0, 0.2], [0.0, 0.1, 0.6, 0.3]], [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
UNITS = pd.DataFrame({"unit_id": ["a:p1", "a:p2", "b:p1"], "doc_id": ["a", "a", "b"], "year": [2020, 2020, 2021],
                      "text": ["one", "two", "three"], "n_tokens": [10, 30, 8]})
DATA = TopicCorpus(units=UNITS, counts=None, vocabulary=[], excluded=UNITS.iloc[:0])


def test_labels_and_term_table():
    labels = topic_labels(MODEL, VOCABULARY, n_terms=2)
    assert labels == {1: "1: cybercrime / scam compound", 2: "2: wildlife / treaty"}
    terms = topic_terms_table(MODEL, VOCABULARY, n_terms=3)
    assert terms[terms["topic"] == 2]["term"].tolist() == ["wildlife", "treaty", "scam_compound"]
    assert terms["rank"].tolist() == [1, 2, 3, 1, 2, 3]


def test_prevalence_weights_units_by_their_tokens():
    prevalence = topic_prevalence(MODEL, DATA, topic_labels(MODEL, VOCABULARY))
    share = prevalence.set_index(["topic", "year"])["share"]
    # 2020: topic 1 = (0.9 * 10 + 0.2 * 30) / 40 = 0.375; 2021: one unit, 0.5
    assert share[(1, 2020)] == pytest.approx(0.375) and share[(2, 2020)] == pytest.approx(0.625)
    assert share[(1, 2021)] == pytest.approx(0.5)
    assert prevalence.groupby("year")["share"].sum().round(12).eq(1).all()


def test_doc_topics_long_form():
    table = doc_topics_table(MODEL, DATA)
    assert len(table) == 6
    assert table.loc[(table["unit_id"] == "a:p2") & (table["topic"] == 2), "share"].item() == 0.8


def test_representative_units_have_the_highest_share():
    examples = representative_units(MODEL, DATA, topic_labels(MODEL, VOCABULARY), n_units=2)
    assert examples[examples["topic"] == 1]["unit_id"].tolist() == ["a:p1", "b:p1"]
    assert examples[examples["topic"] == 2]["unit_id"].tolist() == ["a:p2", "b:p1"]
    assert examples.iloc[0]["text"] == "one"


def test_theme_terms_are_the_tokens_of_the_matches(index, codebook):
    tokenizer = Tokenizer(codebook_phrases=codebook.multiword_patterns(), phrases="codebook").fit()
    terms = theme_terms(index.kwic, tokenizer)
    assert terms == theme_terms(index.kwic, index.tokenizer(phrases="codebook"))
    assert {"scam_compound", "scam", "forced_criminality"} <= terms["scam_compounds"]
    assert "cybercrime" in terms["cybercrime"]
    assert "wildlife_trafficking" in terms["environmental_crime"]


def test_theme_share_of_a_topic():
    labels = topic_labels(MODEL, VOCABULARY)
    by_theme = {"cybercrime": {"cybercrime"}, "scam_compounds": {"scam_compound"}, "environmental_crime": {"wildlife"}}
    shares = topic_theme_shares(MODEL, VOCABULARY, labels, by_theme, list(by_theme))
    value = shares.set_index(["topic", "theme"])["share"]
    assert value[(1, "cybercrime")] == 0.5 and value[(2, "environmental_crime")] == 0.6
    assert value[(2, "cybercrime")] == 0.0
    # a learned phrase containing a theme term carries the theme
    phrase = topic_theme_shares(MODEL, ["cybercrime_convention", "x", "y", "z"], labels, by_theme, ["cybercrime"])
    assert phrase.set_index("topic")["share"][1] == 0.5


def test_browser_is_self_contained_and_numbers_topics_as_the_tables():
    data = planted_corpus()
    model = TopicModel("lda", 3, random_state=0).fit(data)
    page = topic_browser_html(model, data, "Test <topics>")
    assert page == topic_browser_html(model, data, "Test <topics>")
    assert "Test &lt;topics&gt;" in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "LDAvis_load_lib" in page and "d3" in page
    data_json = json.loads(re.search(r"var topics_lda_data = (\{.*?\});\n", page).group(1))
    assert data_json["mdsDat"]["topics"] == [1, 2, 3]
    # the topic sizes are the topics' shares of the tokens, in table order
    tokens = data.units["n_tokens"].to_numpy()
    sizes = model.doc_topic_.T @ tokens / tokens.sum() * 100
    assert np.allclose(data_json["mdsDat"]["Freq"], sizes)


def test_without_phrases_only_single_word_matches_name_a_theme(index):
    terms = theme_terms(index.kwic, index.tokenizer(phrases="none"))
    assert "scam_compound" not in terms["scam_compounds"] and "scam" in terms["scam_compounds"]
    assert not {"illegal", "crime", "affect", "environment"} & terms["environmental_crime"]


def test_topic_summary_table_joins_top_terms_in_rank_order():
    from analysis.models.topic_tables import topic_summary_table

    terms = topic_terms_table(MODEL, VOCABULARY, n_terms=4).sample(frac=1, random_state=0)
    labels = pd.DataFrame({"model": "nmf", "topic": [1, 2], "label": ["1: a", "2: b"]})
    table = topic_summary_table(terms, labels, n_terms=2)
    assert table["top_terms"].tolist() == ["cybercrime scam_compound", "wildlife treaty"]
    assert table["label"].tolist() == ["1: a", "2: b"]


def test_random_terms_are_the_member_or_its_nearest_in_frequency():
    frequencies = np.arange(1, 11)  # term i occurs i + 1 times
    rng = np.random.default_rng(0)
    top = matched_random_terms(frequencies, np.array([9]), 2000, rng, n_neighbours=3)
    # the pool of the most frequent term: itself and the three non-members just below it
    assert top.shape == (2000, 1) and set(top.ravel()) == {6, 7, 8, 9}
    assert np.mean(top == 9) == pytest.approx(1 / 4, abs=0.03)
    middle = matched_random_terms(frequencies, np.array([4]), 500, rng, n_neighbours=2)
    assert set(middle.ravel()) == {3, 4, 5}
    pair = matched_random_terms(frequencies, np.array([4, 5]), 500, rng, n_neighbours=2)
    # a member is never drawn for another: 4's pool is {4, 3, 6}, 5's is {5, 3, 6}
    assert set(pair[:, 0]) == {3, 4, 6} and set(pair[:, 1]) == {3, 5, 6}


def _rising_corpus():
    """Six years, one unit each. "cybercrime", "malware" and "ransomware" are used 1, 2, ..., 6
    times, each filler w00..w19 6, 5, ..., 1 times: every term occurs 21 times, so frequency
    cannot tell them apart, and the theme's rate rises while w00's falls."""

    vocabulary = ["cybercrime", "malware", "ransomware"] + [f"w{i:02d}" for i in range(20)]
    counts = [[y + 1] * 3 + [6 - y] * 20 for y in range(6)]
    units = pd.DataFrame({"unit_id": [f"d{y}:p1" for y in range(6)], "doc_id": [f"d{y}" for y in range(6)],
                          "year": [2000 + y for y in range(6)], "text": "", "n_tokens": [sum(r) for r in counts]})
    return TopicCorpus(units=units, counts=sparse.csr_matrix(np.array(counts)), vocabulary=vocabulary,
                       excluded=units.iloc[:0])


def test_a_topic_carries_a_theme_beyond_chance_and_in_step_with_its_rate():
    data = _rising_corpus()
    # topic 1: half its weight on the three cyber terms (1/6 each), 0.025 on each filler; topic 2:
    # 0.3 on w00, none on the cyber terms. Topic 1's share of the years rises 0.1 ... 0.6, topic 2's falls.
    topic_term = np.vstack([[0.5 / 3] * 3 + [0.025] * 20, [0.0] * 3 + [0.3] + [0.7 / 19] * 19])
    share = np.linspace(0.1, 0.6, 6)
    model = Fitted(topic_term, np.column_stack([share, 1 - share]))
    by_theme = {"cybercrime": {"cybercrime", "malware", "ransomware"}, "environmental_crime": {"w00"},
                "scam_compounds": set()}
    themes = list(by_theme)
    labels = {1: "1", 2: "2"}
    tests = topic_theme_tests(model, data, labels, by_theme, themes, n_draws=2000, random_state=3)
    row = tests.set_index(["theme", "topic"])
    # each cyber term is replaced by itself (1 in 11) or one of 10 fillers (0.025 in topic 1):
    # mean 3 x (1/11 x 1/6 + 10/11 x 0.025); only the draw of all three members weighs 0.5
    assert row.loc[("cybercrime", 1), "null_mean"] == pytest.approx(3 * (1 / 66 + 0.25 / 11), rel=0.05)
    assert row.loc[("cybercrime", 1), "null_p"] < 0.005
    assert row.loc[("cybercrime", 2), "null_p"] == 1.0  # weight 0 against fillers of weight > 0
    # one term against its pool of 11: it is the heaviest in topic 2, but 1 draw in 11 is itself
    assert row.loc[("environmental_crime", 2), "null_p"] == pytest.approx(1 / 11, abs=0.02)
    # cybercrime's rate rises every year, as topic 1 does: Spearman +1; topic 2 falls: -1
    assert row.loc[("cybercrime", 1), "agreement"] == pytest.approx(1.0)
    assert row.loc[("cybercrime", 2), "agreement"] == pytest.approx(-1.0)
    assert row.loc[("cybercrime", 1), "agreement_p"] < 0.01  # 1 of 720 orders of six years is perfect
    assert row.loc[("scam_compounds", 1), "share"] == 0 and row.loc[("scam_compounds", 1), "null_p"] == 1
    carried = carrying_topics(tests)
    assert carried[["theme", "topic"]].values.tolist() == [["cybercrime", 1]]
    assert tests.equals(topic_theme_tests(model, data, labels, by_theme, themes, n_draws=2000, random_state=3))
    findings = carrier_findings(judge_topic_themes(tests), {"cybercrime": "Cybercrime"})
    assert findings[0].startswith("NMF: Cybercrime is carried by topic 1 (50.0% of its weight on the theme's terms "
                                  "against 11.")
    assert findings[1].startswith("NMF: no topic carries environmental_crime: no topic's weight on its terms beats "
                                  "matched random terms (best: topic 2, 30.0% against")
    assert findings[2] == ("NMF: scam_compounds: none of its terms is in the model's vocabulary, so no topic can "
                           "carry it.")
    prevalence = topic_prevalence(model, data, labels)
    carriers = theme_carriers(tests, prevalence)
    assert carriers["prevalence"].round(12).tolist() == share.round(12).tolist()


def _p_values():
    """K = 4 topics and one theme; the p-values are set by hand."""
    return pd.DataFrame({
        "model": "lda", "topic": [1, 2, 3, 4], "label": ["1", "2", "3", "4"], "theme": "a",
        "share": [0.05, 0.02, 0.08, 0.01], "terms": "", "null_mean": 0.01,
        "null_p": [0.01, 0.004, 0.02, 1.0], "agreement": [0.9, 0.5, 1.0, 0.2], "agreement_p": [0.03, 0.2, 0.001, 0.4]})


def test_the_rule_needs_both_tests_each_adjusted_for_the_topics_tried():
    judged = judge_topic_themes(_p_values(), alpha=0.05).set_index("topic")
    # chance: x 4 topics -> 0.04, 0.016, 0.08, 1: topics 1 and 2 pass
    assert judged["null_p_adjusted"].tolist() == pytest.approx([0.04, 0.016, 0.08, 1.0])
    # years: x 2 topics that passed -> 0.06, 0.4: neither passes, so nothing carries the theme
    assert judged.loc[[1, 2], "agreement_p_adjusted"].tolist() == pytest.approx([0.06, 0.4])
    assert not judged["carries"].any() and carrying_topics(_p_values()).empty
    assert carrier_findings(judge_topic_themes(_p_values()), {"a": "Theme A"}) == [
        "LDA: no topic carries Theme A: 2 topic(s) weigh its terms beyond chance, but none rises and falls with its "
        "yearly rate (best: topic 1, Spearman +0.90, adjusted p = 0.060)."]
    # at 0.1, topics 1-3 pass the first test (x 3 for the second): topics 1 (0.09) and 3 (0.003)
    # carry it; the carrier named is the one with the larger share, topic 3
    loose = judge_topic_themes(_p_values(), alpha=0.1)
    assert loose.loc[loose["carries"], "topic"].tolist() == [1, 3]
    assert carrying_topics(_p_values(), alpha=0.1)["topic"].tolist() == [3]
    with pytest.raises(ParameterError, match="alpha"):
        judge_topic_themes(_p_values(), alpha=0)


def test_weight_shares_keep_two_significant_digits_below_one_percent():
    from analysis.models.topic_tables import weight_share

    assert [weight_share(v) for v in (0.523, 0.01, 0.00023, 0.0041, 0.0)] == ["52.3%", "1.0%", "0.023%", "0.41%", "0.0%"]

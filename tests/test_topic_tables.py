"""Tables of a chosen topic model, worked out by hand on small matrices; the HTML browser."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.text.tokens import Tokenizer
from analysis.models.topic_tables import (doc_topics_table, representative_units, theme_carriers, theme_terms,
                                   topic_browser_html, topic_labels, topic_prevalence, topic_terms_table,
                                   topic_theme_shares)
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
DATA = TopicCorpus(units=UNITS, dictionary=None, bow=[], excluded=UNITS.iloc[:0])


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
    carriers = theme_carriers(shares, topic_prevalence(MODEL, DATA, labels))
    assert carriers.drop_duplicates("theme")[["theme", "topic"]].values.tolist() == [
        ["cybercrime", 1], ["scam_compounds", 1], ["environmental_crime", 2]]


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

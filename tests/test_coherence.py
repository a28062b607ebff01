"""Coherence: window counts worked out by hand, and agreement with gensim's CoherenceModel."""

import math

import numpy as np
import pytest

from analysis.models.coherence import c_npmi, c_v, topic_coherence, window_counts


def test_windows_are_counted_as_sets_of_words():
    # "a b c a", windows of 2: {a,b} {b,c} {c,a}
    counts = window_counts([["a", "b", "c", "a"]], ["a", "b", "c"], 2)
    assert counts.n_windows == 3
    assert counts.occurrences.tolist() == [2, 2, 2]
    assert counts.co_occurrences.tolist() == [[2, 1, 1], [1, 2, 1], [1, 1, 2]]


def test_a_repeated_word_counts_once_per_window_and_short_texts_are_one_window():
    # "a b a c", windows of 3: {a,b} {a,b,c}; "b d" is shorter than 3: one window {b}
    counts = window_counts([["a", "b", "a", "c"], ["b", "d"]], ["a", "b", "c"], 3)
    assert counts.n_windows == 3
    assert counts.occurrences.tolist() == [2, 3, 1]
    assert counts.co_occurrences[0, 2] == 1 and counts.co_occurrences[0, 1] == 2


def test_npmi_coherence_by_hand():
    # windows of 10 = whole texts: {a,b} {a,b} {a,c} {c}; N = 4
    texts = [["a", "b"], ["a", "b"], ["a", "c"], ["c"]]
    counts = window_counts(texts, ["a", "b", "c"], 10)
    npmi = lambda joint, p, q: math.log((joint + 1e-12) / (p * q)) / -math.log(joint + 1e-12)
    ab, ac, bc = npmi(2 / 4, 3 / 4, 2 / 4), npmi(1 / 4, 3 / 4, 2 / 4), npmi(0, 2 / 4, 2 / 4)
    assert c_npmi(["a", "b", "c"], counts) == pytest.approx((ab + ac + bc) / 3)


def test_c_v_of_words_that_always_co_occur_is_one():
    counts = window_counts([["a", "b", "x"], ["a", "b"], ["y"]], ["a", "b"], 110)
    assert c_v(["a", "b"], counts) == pytest.approx(1.0)


def test_a_word_absent_from_the_texts_makes_its_topic_undefined():
    scores = topic_coherence([[["a", "b"], ["a", "zzz"]]], [["a", "b"], ["b", "c"]], "c_v")
    mean, undefined = scores[0]
    assert undefined == 1 and not math.isnan(mean)


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_agrees_with_gensim_coherence_model(measure, paras):
    """gensim's window counter loses a word that leaves a window while another occurrence is
    still inside; with each unit's words made distinct the two counts are the same."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    texts = [list(dict.fromkeys(w.lower() for w in t.split() if w.isalpha())) for t in paras["text"]]
    texts = [t for t in texts if t]
    dictionary = Dictionary(texts)
    frequent = [w for w, _ in sorted(dictionary.cfs.items(), key=lambda kv: (-kv[1], kv[0]))]
    topics = [[dictionary[i] for i in frequent[start:start + 10]] for start in (0, 10, 40, 80)]
    ours = [topic_coherence([[topic]], texts, measure)[0][0] for topic in topics]
    theirs = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=measure, topn=10,
                            processes=1).get_coherence_per_topic()
    assert np.allclose(ours, theirs, atol=1e-9)

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


def test_a_word_leaving_the_window_is_lost_as_gensim_counts_it():
    # "a b a c", windows of 3: [a b a] then [b a c]. gensim's counter, sliding, marks the word
    # that left (the first a) absent although the second a is still inside: {a,b} {b,c}.
    # "b d" is shorter than 3: one window {b}
    counts = window_counts([["a", "b", "a", "c"], ["b", "d"]], ["a", "b", "c"], 3)
    assert counts.n_windows == 3
    assert counts.occurrences.tolist() == [1, 3, 1]
    assert counts.co_occurrences[0, 2] == 0 and counts.co_occurrences[0, 1] == 1 and counts.co_occurrences[1, 2] == 1


def test_a_word_comes_back_when_it_enters_the_window_again():
    # windows of 3 over "a a x a y y": [a a x] [a x a] [x a y] [a y y]. gensim, sliding, drops the
    # word leaving and adds the word entering: {a,x}; drop a, add a: {x,a}; drop a (position 1),
    # add y: {x,y} although the a at position 3 is inside; drop x, add y: {y}
    counts = window_counts([["a", "a", "x", "a", "y", "y"]], ["a", "x", "y"], 3)
    assert counts.n_windows == 4
    assert counts.occurrences.tolist() == [2, 3, 2]


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


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_a_word_absent_from_the_texts_makes_its_topic_undefined(measure):
    """A top word of a model fitted on more text than the reference never occurs there: its
    topic is undefined and left out of the mean, never an infinite mean."""
    scores = topic_coherence([[["a", "b"], ["a", "zzz"]]], [["a", "b"], ["b", "c"]], measure)
    mean, undefined = scores[0]
    assert undefined == 1 and math.isfinite(mean)


def _gensim_scores(topics, texts, measure):
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    return CoherenceModel(topics=topics, texts=texts, dictionary=Dictionary(texts), coherence=measure, topn=10,
                          processes=1).get_coherence_per_topic()


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_equals_gensim_coherence_model_on_real_paragraphs(measure, paras):
    """Words repeat inside windows in these paragraphs (the case where gensim's count differs
    from "any position holds the word"): the scores must still be gensim's."""
    from gensim.corpora import Dictionary

    texts = [[w.lower() for w in t.split() if w.isalpha()] for t in paras["text"]]
    texts = [t for t in texts if t]
    assert any(len(t) - len(set(t[i:i + 10])) for t in texts for i in range(len(t)))  # repeats exist
    dictionary = Dictionary(texts)
    frequent = [w for w, _ in sorted(dictionary.cfs.items(), key=lambda kv: (-kv[1], kv[0]))]
    topics = [[dictionary[i] for i in frequent[start:start + 10]] for start in (0, 10, 40, 80)]
    ours = [topic_coherence([[topic]], texts, measure)[0][0] for topic in topics]
    assert np.allclose(ours, _gensim_scores(topics, texts, measure), rtol=0, atol=1e-9)


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_equals_gensim_coherence_model_on_texts_dense_with_repeats(measure):
    rng = np.random.default_rng(5)
    letters = list("abcdefghij")
    texts = [list(rng.choice(letters[:rng.integers(2, 11)], rng.integers(1, 40))) for _ in range(150)]
    present = sorted({w for t in texts for w in t})
    topics = [list(rng.choice(present, 6, replace=False)) for _ in range(6)]
    ours = [topic_coherence([[topic]], texts, measure)[0][0] for topic in topics]
    assert np.allclose(ours, _gensim_scores(topics, texts, measure), rtol=0, atol=1e-9)

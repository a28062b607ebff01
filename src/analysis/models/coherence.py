"""Topic coherence c_v and c_npmi (Röder, Both & Hinneburg 2015) with whole-matrix arithmetic.

The definitions are gensim ``CoherenceModel``'s, and a test checks the values against it:

- probabilities come from boolean sliding windows over each unit's tokens (110 tokens for c_v,
  10 for c_npmi; a unit shorter than the window is one window): P(w) is the share of windows
  containing w, P(w, v) the share containing both;
- NPMI(w, v) = log((P(w, v) + ε) / (P(w) P(v))) / -log(P(w, v) + ε), with ε = 1e-12;
- c_npmi of a topic is the mean NPMI over each pair of its top words (each word with every
  word ranked above it); c_v is the mean, over its top words, of the cosine between the word's
  NPMI vector against all the topic's top words and the sum of those vectors for all of them;
- a model's score is the mean over its topics.

Why not call gensim per model: its measures loop in Python over every word pair (about 40 s
for the default grid of 90 models), while here all models share one co-occurrence count and
each topic is a few array operations. The counts are gensim's to the window, including one
quirk of its window counter (``WordOccurrenceAccumulator``): sliding one position, it marks the
word that left the window absent even when another occurrence of it is still inside, until
the word next enters at the window's end. Counting "any position holds it" instead moved a
model's c_npmi by up to 0.02 on the seed corpus and changed the K chosen; keeping gensim's
count makes the scores equal to ``CoherenceModel``'s (``tests/test_coherence.py`` checks
c_v and c_npmi to 1e-9 on texts with words repeated inside windows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

EPSILON = 1e-12
WINDOW_SIZES = {"c_v": 110, "c_npmi": 10}
BATCH_ENTRIES = 4_000_000  # (window, word) entries built at once: bounds memory on large corpora


@dataclass
class WindowCounts:
    """Occurrence counts of a set of words over the sliding windows of a corpus."""

    words: list[str]
    occurrences: np.ndarray  # windows containing each word
    co_occurrences: np.ndarray  # windows containing both words (diagonal: occurrences)
    n_windows: int

    def index(self, topic: list[str]) -> np.ndarray:
        position = {word: i for i, word in enumerate(self.words)}
        return np.array([position[word] for word in topic])


def _window_entries(ids: np.ndarray, window_size: int, first_window: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(window, word) pairs of one text (ids of the counted words, -1 elsewhere) and its number
    of windows, as gensim's window counter marks them present.

    Window j covers positions j .. j + size - 1. gensim marks a word present in window j when its
    last occurrence p up to the window's end lies inside the window and no occurrence of it left
    the window after p entered it, that is none at positions max(0, p - size + 1) .. j - 1. So
    occurrence p accounts for windows max(0, p - size + 1) .. min(first occurrence at or after
    that start, next occurrence - size, last window): disjoint runs, one per occurrence."""
    length = len(ids)
    n_windows = max(1, length - window_size + 1)
    positions = np.flatnonzero(ids >= 0)
    words = ids[positions]
    order = np.lexsort((positions, words))
    words, positions = words[order], positions[order]
    keys = words * (length + 1) + positions  # sorted: by word, then position
    start = np.maximum(0, positions - window_size + 1)
    first_from_start = positions[np.searchsorted(keys, words * (length + 1) + start)]
    same_word_next = np.append(words[1:] == words[:-1], False)
    next_position = np.where(same_word_next, np.append(positions[1:], 0), length + window_size)
    stop = np.minimum(np.minimum(first_from_start, next_position - window_size), n_windows - 1) + 1
    spans = np.maximum(stop - start, 0)
    windows = np.repeat(start - np.cumsum(spans) + spans, spans) + np.arange(spans.sum())
    return windows + first_window, np.repeat(words, spans), n_windows


def window_counts(texts: list[list[str]], words: list[str], window_size: int) -> WindowCounts:
    """Count, over every sliding window of ``window_size`` tokens of ``texts``, the windows that
    contain each of ``words`` and each pair of them."""
    words = sorted(set(words))
    position = {word: i for i, word in enumerate(words)}
    occurrences = np.zeros(len(words), dtype=np.int64)
    co_occurrences = np.zeros((len(words), len(words)), dtype=np.int64)
    n_windows = 0
    batch_windows, batch_words, batch_size, batch_start = [], [], 0, 0

    def flush():
        nonlocal batch_windows, batch_words, batch_size, batch_start
        if batch_windows:
            rows = np.concatenate(batch_windows) - batch_start
            presence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, np.concatenate(batch_words))),
                                         shape=(n_windows - batch_start, len(words)))
            occurrences[:] += np.asarray(presence.sum(axis=0)).ravel()
            co_occurrences[:] += (presence.T @ presence).toarray()
        batch_windows, batch_words, batch_size, batch_start = [], [], 0, n_windows

    for text in texts:
        ids = np.fromiter((position.get(token, -1) for token in text), dtype=np.int64, count=len(text))
        windows, word_ids, n = _window_entries(ids, window_size, n_windows)
        n_windows += n
        batch_windows.append(windows)
        batch_words.append(word_ids)
        batch_size += len(windows)
        if batch_size >= BATCH_ENTRIES:
            flush()
    flush()
    return WindowCounts(words, occurrences, co_occurrences, n_windows)


def npmi(counts: WindowCounts, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """NPMI of every word in ``rows`` with every word in ``columns`` (indices into the counts)."""
    joint = counts.co_occurrences[np.ix_(rows, columns)] / counts.n_windows
    marginal = counts.occurrences / counts.n_windows
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((joint + EPSILON) / np.outer(marginal[rows], marginal[columns]))
        return log_ratio / -np.log(joint + EPSILON)


def c_npmi(topic: list[str], counts: WindowCounts) -> float:
    """Mean NPMI over the pairs of the topic's words (each with every word ranked above it);
    undefined (NaN) when a word never occurs in the texts, whose NPMI with anything would be
    log(ε / 0) = inf (as c_v is)."""
    ids = counts.index(topic)
    if (counts.occurrences[ids] == 0).any():
        return float("nan")
    below = np.tril_indices(len(ids), k=-1)
    return float(npmi(counts, ids, ids)[below].mean())


def c_v(topic: list[str], counts: WindowCounts) -> float:
    """Mean cosine between each word's NPMI context vector and the topic's summed vector."""
    ids = counts.index(topic)
    vectors = npmi(counts, ids, ids)
    whole = vectors.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = vectors @ whole / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(whole))
    return float(cosines.mean())


MEASURES = {"c_v": c_v, "c_npmi": c_npmi}


def topic_coherence(topics_per_model: list[list[list[str]]], texts: list[list[str]], measure: str) -> list[tuple[float, int]]:
    """For each model (a list of topics, each a list of top words): the mean ``measure`` over
    its topics, and the number of topics whose coherence is undefined (NaN: a word that never
    occurs in ``texts``), which are left out of the mean."""
    words = {word for topics in topics_per_model for topic in topics for word in topic}
    counts = window_counts(texts, sorted(words), WINDOW_SIZES[measure])
    score = MEASURES[measure]
    results = []
    for topics in topics_per_model:
        per_topic = np.array([score(topic, counts) for topic in topics])
        undefined = int(np.isnan(per_topic).sum())
        results.append((float(np.nanmean(per_topic)) if undefined < len(per_topic) else float("nan"), undefined))
    return results

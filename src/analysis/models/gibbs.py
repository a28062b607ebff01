"""tomotopy, the Gibbs-sampling topic engine, run so that a seed fixes the result.

tomotopy (C++) fits LDA, seeded LDA and dynamic topic models by collapsed Gibbs sampling, 10-20x
faster than gensim's variational LDA on the UN corpus (README, "Topic engines").

Reproducibility. tomotopy picks at import the fastest instruction set of the CPU (AVX-512, AVX2,
SSE2), and a Gibbs chain run with another one is another chain: the same seed gives other
topics. So the instruction set is fixed to SSE2, which every x86-64 CPU has, before tomotopy is
imported (:data:`TOMOTOPY_ISA`), and :func:`import_tomotopy` refuses to run if tomotopy was
imported with another. The number of sampling threads (``workers``) partitions the work and so
changes the chain: it is a setting of the model, recorded with it, never taken from ``n_jobs``.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import AnalysisError
from ..progress import progress_bar

TOMOTOPY_ISA = "sse2"
TRAIN_STEP = 10  # iterations between two readings of the log-likelihood


def import_tomotopy():
    """tomotopy, imported with the instruction set fixed to :data:`TOMOTOPY_ISA`."""
    os.environ["TOMOTOPY_ISA"] = TOMOTOPY_ISA
    import tomotopy

    if tomotopy.isa != TOMOTOPY_ISA:
        raise AnalysisError(f"tomotopy runs with the {tomotopy.isa} instruction set, not {TOMOTOPY_ISA}: it was "
                            "imported before analysis.models set TOMOTOPY_ISA, and another instruction set gives "
                            "other topics for the same seed; restart the kernel and import it through analysis.models")
    return tomotopy


def add_units(model, counts, vocabulary: list[str], timepoints=None) -> None:
    """Add each row of the unit x term ``counts`` (CSR) to ``model`` as a document: its terms
    repeated by their counts, in vocabulary order (a topic model sees a bag of words); with
    ``timepoints``, each unit's time slice (a dynamic model)."""
    words = np.asarray(vocabulary, dtype=object)
    for row in range(counts.shape[0]):
        start, stop = counts.indptr[row], counts.indptr[row + 1]
        document = np.repeat(words[counts.indices[start:stop]], counts.data[start:stop].astype(np.int64)).tolist()
        if timepoints is None:
            model.add_doc(document)
        else:
            model.add_doc(document, timepoint=int(timepoints[row]))


def train(model, iterations: int, workers: int, desc: str) -> list[tuple[int, float]]:
    """Run ``iterations`` Gibbs sweeps on ``workers`` threads, in steps of :data:`TRAIN_STEP`
    (the same chain as one call), with progress; returns ``(iteration, log-likelihood per
    word)`` after each step, the trace that shows whether the chain has settled."""
    trace = []
    with progress_bar(iterations, desc, "iterations") as bar:
        done = 0
        while done < iterations:
            step = min(TRAIN_STEP, iterations - done)
            model.train(step, workers=workers)
            done += step
            trace.append((done, float(model.ll_per_word)))
            bar.update(step)
    return trace


def topic_term(model, vocabulary: list[str], **where) -> np.ndarray:
    """Topics x ``vocabulary`` word weights of a fitted model (``where``: a dynamic model's
    ``timepoint``); a vocabulary word the model never saw weighs 0."""
    position = {word: i for i, word in enumerate(model.used_vocabs)}
    columns = np.array([position.get(word, -1) for word in vocabulary])
    weights = np.array([model.get_topic_word_dist(k, **where) for k in range(model.k)], dtype=np.float64)
    return np.where(columns >= 0, weights[:, np.maximum(columns, 0)], 0.0)


def doc_topic(model) -> np.ndarray:
    """Units x topics proportions of the documents the model was trained on."""
    return np.array([doc.get_topic_dist() for doc in model.docs], dtype=np.float64)

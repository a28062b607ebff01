"""Benchmark: topic engines on the UN General Debate corpus, speeches as units (issue 13, part 2).

Engines: gensim ``LdaModel`` as ``TopicModel(engine="gensim")`` fits it (passes 2 and 10),
tomotopy LDA as ``TopicModel(engine="tomotopy")`` fits it (100, 150 and 300 Gibbs sweeps, one
thread), scikit-learn ``LatentDirichletAllocation(learning_method="online")`` on the counts,
scikit-learn ``NMF`` as ``TopicModel(family="nmf")`` fits it, and ``MiniBatchNMF`` on the same
TF-IDF matrix with the same random initialisation. Two scales, the units built by the project's
``topic_corpus`` (min_df 5, max_df 0.5, min_tokens 5) from the cached corpus index:

- ``sample``: the stratified sample of 10 speeches a year (``sample_by_year``, seed 20250122), K = 10;
- ``all``: all 10,952 speeches, K = 15. An engine whose time predicted from the sample (its
  sample fit time x the ratio of tokens x the ratio of K) exceeds ``--limit`` is skipped with
  the reason printed, except gensim with 2 passes, which is tried; every fit at this scale is
  stopped at ``--limit`` seconds.

Each engine is fitted twice with the same seed, each time in a fresh process forked from this one
(so an over-long fit can be stopped, and each fit's memory is its own): ``fit_s`` gives both
times (seconds, fitting from the unit x term counts, including the engine's own input format:
gensim's bag of words and dictionary, tomotopy's documents, TF-IDF); ``same`` says whether the two
topic-term matrices are identical to the bit. ``peak_mb`` is the peak resident memory of the
fitting process, sampled every 50 ms, and ``+mb`` its growth over the forked process's start (the
loaded index and corpus, shared with this process). Coherence (``c_npmi``, ``c_v``, the
project's ``topic_coherence``) is of each topic's 10 top terms against the tokens of the sample's
speeches under the vocabulary of the corpus modelled (``TopicCorpus.tokens``: the same reference
texts at both scales, words outside that vocabulary removed); ``undef`` counts topics whose c_v
is undefined. ``diversity`` is the share of distinct words among all top terms.

One line per engine x scale; the last line is ``engines=<n> fastest=<name>``: the number of
engine x scale fits measured and the engine with the shortest first fit at the largest scale
measured.

The corpus index comes from the project's cache (``.cache/index``), as the UN report's does;
the first run builds it (about 15 s).

    .venv/bin/python benchmarks/topic_engines_ungd.py [--corpus PATH] [--scales sample all] [--limit 300]
"""

import argparse
import dataclasses
import multiprocessing
import os
import sys
import threading
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

os.environ["ANALYSIS_PROGRESS"] = "off"

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from analysis.index.cache import cached_index  # noqa: E402
from analysis.models import gibbs  # noqa: E402
from analysis.models.coherence import topic_coherence  # noqa: E402
from analysis.models.topics import (TopicCorpus, TopicModel, sample_by_year, top_term_ids,  # noqa: E402
                                    topic_corpus, topic_diversity)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from term_counts_ungd import DEFAULT_CORPUS, ROOT  # noqa: E402

SAMPLE_SEED = 20250122
SEED = 0
N_TERMS = 10
SCALES = {"sample": 10, "all": 15}  # scale: K
ALWAYS_TRY = "gensim passes=2"  # tried on all speeches whatever its predicted time


def _fit_lda_online(data: TopicCorpus, k: int) -> np.ndarray:
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(n_components=k, learning_method="online", random_state=SEED)
    model.fit_transform(data.term_matrix())
    return model.components_


def _fit_minibatch_nmf(data: TopicCorpus, k: int) -> np.ndarray:
    from sklearn.decomposition import MiniBatchNMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer().fit_transform(data.term_matrix())  # as TopicModel's NMF
    model = MiniBatchNMF(n_components=k, init="random", random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit_transform(tfidf)
    return model.components_


def _project(**options):
    return lambda data, k: TopicModel(n_topics=k, random_state=SEED, **options).fit(data).topic_term_


ENGINES = {
    "gensim passes=2": _project(family="lda", engine="gensim", passes=2),
    "gensim passes=10": _project(family="lda", engine="gensim", passes=10),
    "tomotopy iter=100": _project(family="lda", engine="tomotopy", gibbs_iterations=100),
    "tomotopy iter=150": _project(family="lda", engine="tomotopy", gibbs_iterations=150),
    "tomotopy iter=300": _project(family="lda", engine="tomotopy", gibbs_iterations=300),
    "sklearn online LDA": _fit_lda_online,
    "sklearn NMF": _project(family="nmf"),
    "sklearn MiniBatchNMF": _fit_minibatch_nmf,
}


def _child(engine: str, data: TopicCorpus, k: int, pipe) -> None:
    start = time.perf_counter()
    topic_term = ENGINES[engine](data, k)
    pipe.send((time.perf_counter() - start, np.asarray(topic_term, dtype=np.float64)))


def fit_in_child(engine: str, data: TopicCorpus, k: int, limit: float | None):
    """(seconds, topic-term matrix, peak RSS MB, RSS growth MB) of one fit in a forked process,
    or None when it ran past ``limit`` seconds (None: no limit; the process is then stopped)."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(engine, data, k, send))
    process.start()
    watched = psutil.Process(process.pid)
    start_rss, peak, done = watched.memory_info().rss, [0], threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], watched.memory_info().rss)
            except psutil.Error:
                return
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = receive.recv() if receive.poll(limit) else None
    done.set()
    sampler.join()
    if result is None:
        process.terminate()
    process.join()
    if result is None:
        return None
    seconds, topic_term = result
    return seconds, topic_term, peak[0] / 2**20, (peak[0] - start_rss) / 2**20


def reference_tokens(data: TopicCorpus, sample_ids) -> list[list[str]]:
    """The sample speeches' tokens under ``data``'s vocabulary: the coherence reference."""
    units = data.units[data.units["doc_id"].isin(set(sample_ids))].reset_index(drop=True)
    return dataclasses.replace(data, units=units).tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="the UN General Debate corpus")
    parser.add_argument("--scales", nargs="+", choices=list(SCALES), default=list(SCALES))
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--limit", type=float, default=300.0, help="seconds allowed to one fit on all speeches")
    args = parser.parse_args()
    gibbs.import_tomotopy()  # imported here, not in the timed fits, as is gensim
    import gensim.models  # noqa: F401
    import sklearn.decomposition  # noqa: F401

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    index = cached_index(args.corpus, ROOT / "data" / "themes.yml", cache_dir=ROOT / ".cache" / "index",
                         learn_phrases=False, n_jobs=2)
    tokenizer = index.tokenizer(normalize="lemma", phrases="codebook", domain_stopwords=True)
    sample_ids = sample_by_year(index.documents, 10, random_state=SAMPLE_SEED)["doc_id"]
    header = (f"{'scale':6} {'engine':21} {'K':>2} {'units':>6} {'terms':>6} {'tokens':>9} {'fit_s':>13} "
              f"{'peak_mb':>7} {'+mb':>5} {'c_npmi':>7} {'c_v':>6} {'undef':>5} {'diversity':>9} same")
    measured, sample_times, sample_tokens = [], {}, None
    for scale in [s for s in SCALES if s in args.scales]:
        k = SCALES[scale]
        data = topic_corpus(index, tokenizer, "document", None if scale == "all" else sample_ids,
                            min_df=5, max_df=0.5, min_tokens=5)
        tokens = int(data.counts.sum())
        sample_tokens = sample_tokens or (tokens if scale == "sample" else None)
        print(f"{scale}: {len(data.units)} speeches, {len(data.vocabulary)} terms, {tokens} tokens, K = {k}")
        results = {}
        for engine in args.engines:
            if scale == "all" and engine != ALWAYS_TRY and engine in sample_times:
                predicted = sample_times[engine] * tokens / sample_tokens * k / SCALES["sample"]
                if predicted > args.limit:
                    print(f"{scale:6} {engine:21} skipped: predicted {predicted:.0f} s from the sample's "
                          f"{sample_times[engine]:.1f} s, over the {args.limit:.0f} s limit", flush=True)
                    continue
            first = fit_in_child(engine, data, k, args.limit if scale == "all" else None)
            if first is None:
                print(f"{scale:6} {engine:21} stopped: no fit within {args.limit:.0f} s", flush=True)
                continue
            second = fit_in_child(engine, data, k, args.limit if scale == "all" else None)
            results[engine] = (first, second)
            if scale == "sample":
                sample_times[engine] = first[0]
        if not results:
            continue
        engines = list(results)
        topics = [[[data.vocabulary[i] for i in row]
                   for row in top_term_ids(SimpleNamespace(topic_term_=results[e][0][1]), N_TERMS)] for e in engines]
        texts = reference_tokens(data, sample_ids)
        c_v = topic_coherence(topics, texts, "c_v")
        c_npmi = topic_coherence(topics, texts, "c_npmi")
        print(header)
        for n, engine in enumerate(engines):
            (seconds, matrix, peak_mb, grown_mb), second = results[engine]
            again = "-" if second is None else f"{second[0]:.1f}"
            same = "?" if second is None else ("yes" if np.array_equal(matrix, second[1]) else "no")
            print(f"{scale:6} {engine:21} {k:2d} {len(data.units):6d} {len(data.vocabulary):6d} {tokens:9d} "
                  f"{f'{seconds:.1f}/{again}':>13} {peak_mb:7.0f} {grown_mb:5.0f} {c_npmi[n][0]:7.4f} "
                  f"{c_v[n][0]:6.4f} {c_v[n][1]:5d} {topic_diversity(topics[n]):9.2f} {same}", flush=True)
            measured.append((scale, engine, seconds))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    largest = [m for m in measured if m[0] == measured[-1][0]] if measured else []
    fastest = min(largest, key=lambda m: m[2])[1] if largest else "none"
    print(f"engines={len(measured)} fastest={fastest.replace(' ', '_')}")


if __name__ == "__main__":
    main()

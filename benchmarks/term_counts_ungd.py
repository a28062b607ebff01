"""Benchmark: the corpus pass on the whole UN General Debate corpus against CountVectorizer.

Times loading + the index pass over the corpus streamed from its file, as cached_index runs it
(analysis.io.corpus.scan_corpus, then analysis.index.build.build_index with both cores: cleaning,
segmentation, theme coding with KWIC rows, paragraph x item counts) + the document-term matrix of
the notebooks' token settings + per-year aggregation, and, in the same run, a plain scikit-learn
CountVectorizer(min_df=5).fit_transform over the same texts. The last line is `ratio=<ours/countvectorizer> peak_rss_mb=<ours>`; goal on the
2-core machine: ratio <= 1.3 (issue 13 asks 0.5) and peak RSS <= 1,500 MB.

peak_rss_mb is the peak, sampled every 50 ms with psutil, of the summed resident memory of this
process and all its descendants (the worker processes and the server that starts them).

    python benchmarks/term_counts_ungd.py [--corpus PATH] [--n-jobs 2] [--check-against REF_SRC [--check-docs N]]

--check-against REF_SRC then also indexes the first N speeches (default: all) with the code
under REF_SRC (another checkout's src/, say the release before the Polars pass) in a separate
Python, and checks that every table and count matrix of the two indexes is equal.
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from analysis.index.build import build_index
from analysis.index.dfm import dfm_group
from analysis.io.codebook import read_codebook
from analysis.io.corpus import read_corpus, scan_corpus
from analysis.stats.rates import theme_frequencies, yearly_rates

INDEX_PARTS = ("documents", "paragraphs", "kwic", "items", "words", "codebook_delta")
REFERENCE_RUN = """
import pickle, sys, warnings
warnings.simplefilter("ignore")
from analysis.index.build import build_index
from analysis.io.codebook import read_codebook
from analysis.io.corpus import read_corpus
corpus, codebook, n, out = sys.argv[1:]
index = build_index(read_corpus(corpus).iloc[:int(n)], read_codebook(codebook), learn_phrases=False)
pickle.dump({part: getattr(index, part) for part in %r}, open(out, "wb"))
""" % (INDEX_PARTS,)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ungd" / "ungd_1946-2023.jsonl.gz"


class TreeMemory:
    """Samples the resident memory of this process and its descendants until stopped."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--check-against", metavar="REF_SRC")
    parser.add_argument("--check-docs", type=int)
    args = parser.parse_args()

    with TreeMemory() as memory:
        start = time.perf_counter()
        source = scan_corpus(args.corpus)
        loaded = time.perf_counter()
        codebook = read_codebook(ROOT / "data" / "themes.yml")
        index = build_index(source, codebook, learn_phrases=False, n_jobs=args.n_jobs)
        counted = time.perf_counter()
        x = index.dfm("document", index.tokenizer(phrases="codebook"))
        rates = yearly_rates(theme_frequencies(index.kwic, index.documents, codebook.names))
        years = dfm_group(x, "year")
        ours = time.perf_counter() - start
    ours_rss = memory.peak / 2**20
    print(f"documents={len(index.documents)} paragraphs={len(index.paragraphs)} "
          f"word_tokens={index.documents['word_tokens'].sum()} kwic_rows={len(index.kwic)} items={len(index.items)} "
          f"vocabulary={len(x.features)} years={years.shape[0]} theme_year_rows={len(rates)}")
    print(f"ours: scan {loaded - start:.1f} s, read + index {counted - loaded:.1f} s, "
          f"dfm + aggregate {ours - (counted - start):.1f} s, total {ours:.1f} s; "
          f"peak resident memory of the process tree {ours_rss:.0f} MB")

    # imported here, not at the top: the worker processes import this module too
    from sklearn.feature_extraction.text import CountVectorizer

    corpus = read_corpus(args.corpus)
    start = time.perf_counter()
    matrix = CountVectorizer(min_df=5).fit_transform(corpus["text"])
    baseline = time.perf_counter() - start
    print(f"CountVectorizer(min_df=5).fit_transform: {baseline:.1f} s, {matrix.shape[1]} features")
    if args.check_against:
        check(index, corpus, args)
    print(f"ratio={ours / baseline:.2f} peak_rss_mb={ours_rss:.0f}")


def used_columns(items, matrix):
    used = np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]))
    return items[used], matrix[:, used]


def check(index, corpus, args) -> None:
    """Compare the first ``--check-docs`` speeches' index with the one the code under
    ``--check-against`` builds (the paragraphs and KWIC rows of those speeches come first)."""
    n = args.check_docs or len(corpus)
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "reference.pkl")
        subprocess.run([sys.executable, "-c", REFERENCE_RUN, args.corpus, str(ROOT / "data" / "themes.yml"), str(n), out],
                       env={**os.environ, "PYTHONPATH": args.check_against}, check=True)
        with open(out, "rb") as stream:
            reference = pickle.load(stream)
    paragraphs = int(index.documents["paragraphs"].iloc[:n].sum())
    ours = {"documents": index.documents.iloc[:n], "paragraphs": index.paragraphs.iloc[:paragraphs],
            "kwic": index.kwic[index.kwic["doc_id"].isin(set(corpus["doc_id"].iloc[:n]))]}
    for table in ("documents", "paragraphs", "kwic"):
        pd.testing.assert_frame_equal(ours[table].reset_index(drop=True), reference[table], check_exact=True)
    for name in ("words", "codebook_delta"):  # the columns of the items these speeches use
        (ours_names, ours_matrix), (their_names, their_matrix) = (
            used_columns(items, matrix) for items, matrix in ((index.items, getattr(index, name)[:paragraphs]),
                                                              (reference["items"], reference[name])))
        assert ours_names.tolist() == their_names.tolist(), name
        assert ours_matrix.dtype == their_matrix.dtype and (ours_matrix != their_matrix).nnz == 0, name
    print(f"check: the index of the first {n:,} speeches equals the one {args.check_against} builds "
          f"(documents, {paragraphs:,} paragraphs, KWIC rows, items, words and codebook_delta)")


if __name__ == "__main__":
    main()

"""Benchmark: the corpus pass on the whole UN General Debate corpus against CountVectorizer.

Times loading + the index pass (analysis.index.build.build_index with both cores: cleaning,
segmentation, theme coding with KWIC rows, paragraph x item counts) + the document-term matrix of
the notebooks' token settings + per-year aggregation, and, in the same run, a plain scikit-learn
CountVectorizer(min_df=5).fit_transform over the same texts. The last line is `ratio=<ours/countvectorizer> peak_rss_mb=<ours>`; goal on the
2-core machine: ratio <= 1.3 (issue 13 asks 0.5) and peak RSS <= 1,500 MB.

peak_rss_mb is the peak, sampled every 50 ms with psutil, of the summed resident memory of this
process and all its descendants (the worker processes and the server that starts them).

    python benchmarks/term_counts_ungd.py [--corpus PATH] [--n-jobs 2]
"""

import argparse
import threading
import time
from pathlib import Path

import psutil
from sklearn.feature_extraction.text import CountVectorizer

from analysis.index.build import build_index
from analysis.index.dfm import dfm_group
from analysis.io.codebook import read_codebook
from analysis.io.corpus import read_corpus
from analysis.stats.rates import theme_frequencies, yearly_rates

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
    args = parser.parse_args()

    with TreeMemory() as memory:
        start = time.perf_counter()
        corpus = read_corpus(args.corpus)
        loaded = time.perf_counter()
        codebook = read_codebook(ROOT / "data" / "themes.yml")
        index = build_index(corpus, codebook, learn_phrases=False, n_jobs=args.n_jobs)
        counted = time.perf_counter()
        x = index.dfm("document", index.tokenizer(phrases="codebook"))
        rates = yearly_rates(theme_frequencies(index.kwic, index.documents, codebook.names))
        years = dfm_group(x, "year")
        ours = time.perf_counter() - start
    ours_rss = memory.peak / 2**20
    print(f"documents={len(corpus)} paragraphs={len(index.paragraphs)} "
          f"word_tokens={index.documents['word_tokens'].sum()} kwic_rows={len(index.kwic)} items={len(index.items)} "
          f"vocabulary={len(x.features)} years={years.shape[0]} theme_year_rows={len(rates)}")
    print(f"ours: load {loaded - start:.1f} s, index {counted - loaded:.1f} s, dfm + aggregate {ours - (counted - start):.1f} s, "
          f"total {ours:.1f} s; peak resident memory of the process tree {ours_rss:.0f} MB")

    start = time.perf_counter()
    matrix = CountVectorizer(min_df=5).fit_transform(corpus["text"])
    baseline = time.perf_counter() - start
    print(f"CountVectorizer(min_df=5).fit_transform: {baseline:.1f} s, {matrix.shape[1]} features")
    print(f"ratio={ours / baseline:.2f} peak_rss_mb={ours_rss:.0f}")


if __name__ == "__main__":
    main()

"""Benchmark: the trends pipeline on the whole UN General Debate corpus against CountVectorizer.

Times loading + theme coding + term counting + per-year aggregation (analysis.counts.count_corpus
with both cores) and, in the same run, a plain scikit-learn CountVectorizer(min_df=5).fit_transform
over the same texts. The last line is `ratio=<ours/countvectorizer> peak_rss_mb=<ours>`; goal on the
2-core machine: ratio <= 1.3 and peak RSS <= 1,500 MB.

peak_rss_mb is an upper bound for the process tree: the main process's peak plus, for each worker,
the peak of the largest worker (resource.getrusage reports only the largest child).

    python benchmarks/term_counts_ungd.py [--corpus PATH] [--n-jobs 2]
"""

import argparse
import resource
import time
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer

from analysis.codebook import load_codebook
from analysis.corpus import load_corpus
from analysis.counts import count_corpus
from analysis.themes import theme_frequencies, yearly_rates
from analysis.tokens import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ungd" / "ungd_1946-2023.jsonl.gz"


def peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()

    start = time.perf_counter()
    corpus = load_corpus(args.corpus)
    loaded = time.perf_counter()
    codebook = load_codebook(ROOT / "data" / "themes.yml")
    counts = count_corpus(corpus, codebook, Tokenizer(codebook=codebook, phrases="codebook"), n_jobs=args.n_jobs)
    counted = time.perf_counter()
    rates = yearly_rates(theme_frequencies(counts.kwic, counts.documents, codebook))
    years, year_terms = counts.year_term_matrix()
    ours = time.perf_counter() - start
    ours_rss = peak_mb(resource.RUSAGE_SELF) + args.n_jobs * peak_mb(resource.RUSAGE_CHILDREN)
    print(f"documents={len(corpus)} paragraphs={counts.documents['paragraphs'].sum()} "
          f"word_tokens={counts.documents['tokens'].sum()} kwic_rows={len(counts.kwic)} "
          f"vocabulary={len(counts.vocabulary)} years={len(years)} theme_year_rows={len(rates)}")
    print(f"ours: load {loaded - start:.1f} s, count {counted - loaded:.1f} s, aggregate {ours - (counted - start):.1f} s, "
          f"total {ours:.1f} s; main peak {peak_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest worker peak {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")

    start = time.perf_counter()
    matrix = CountVectorizer(min_df=5).fit_transform(corpus["text"])
    baseline = time.perf_counter() - start
    print(f"CountVectorizer(min_df=5).fit_transform: {baseline:.1f} s, {matrix.shape[1]} features")
    print(f"ratio={ours / baseline:.2f} peak_rss_mb={ours_rss:.0f}")


if __name__ == "__main__":
    main()

"""Benchmark: the corpus pass on the UN General Debate corpus, local processes against Dask on one machine.

Times analysis.index.build.build_index over the whole corpus (load included) with:

- local: ``read_corpus`` then ``n_jobs`` worker processes (the texts held in one frame);
- local, scanned: ``scan_corpus``, the texts streamed to the ``n_jobs`` processes a chunk at a time;
- dask, streamed: the .jsonl.gz streamed from this process to a ``LocalCluster`` of ``n_jobs``
  single-threaded worker processes, with bounded in-flight chunks;
- dask, worker reads: the same corpus as an uncompressed .jsonl (written once to a temporary
  folder, not timed), each worker reading its own documents by byte range.

The cluster's start (a few seconds, once per session on a real cluster) is reported but not
counted. Each configuration runs ``--repeat`` times, interleaved; peak_rss_mb is the peak summed
resident memory of this process and its descendants (the cluster's workers are descendants).
The last line is ``ratio=<best dask / best local>``; goal: within 1.3.

    python benchmarks/dask_vs_local.py [--corpus PATH] [--n-jobs 2] [--repeat 2] [--learn-phrases]
"""

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from term_counts_ungd import DEFAULT_CORPUS, ROOT, TreeMemory  # noqa: E402

from analysis.index.build import build_index  # noqa: E402
from analysis.io.codebook import read_codebook  # noqa: E402
from analysis.io.corpus import read_corpus, scan_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="a .jsonl.gz corpus")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--learn-phrases", action="store_true")
    args = parser.parse_args()
    from distributed import LocalCluster

    codebook = read_codebook(ROOT / "data" / "themes.yml")
    folder = Path(tempfile.mkdtemp(prefix="dask_vs_local."))
    plain = folder / "corpus.jsonl"
    with gzip.open(args.corpus, "rb") as source, open(plain, "wb") as target:
        shutil.copyfileobj(source, target)
    try:
        start = time.perf_counter()
        with LocalCluster(n_workers=args.n_jobs, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster:
            print(f"cluster of {args.n_jobs} workers started in {time.perf_counter() - start:.1f} s", flush=True)
            runs = {
                "local": lambda: build_index(read_corpus(args.corpus), codebook, learn_phrases=args.learn_phrases,
                                             n_jobs=args.n_jobs),
                "local, scanned": lambda: build_index(scan_corpus(args.corpus), codebook,
                                                      learn_phrases=args.learn_phrases, n_jobs=args.n_jobs),
                "dask, streamed": lambda: build_index(scan_corpus(args.corpus), codebook,
                                                      learn_phrases=args.learn_phrases,
                                                      scheduler=cluster.scheduler_address),
                "dask, worker reads": lambda: build_index(scan_corpus(plain), codebook,
                                                          learn_phrases=args.learn_phrases,
                                                          scheduler=cluster.scheduler_address),
            }
            times = {name: [] for name in runs}
            for repeat in range(args.repeat):
                for name, run in runs.items():
                    with TreeMemory() as memory:
                        start = time.perf_counter()
                        index = run()
                        seconds = time.perf_counter() - start
                    times[name].append(seconds)
                    print(f"{name}: {seconds:.1f} s, peak_rss_mb={memory.peak / 2**20:.0f} "
                          f"({len(index.documents):,} documents, {len(index.paragraphs):,} paragraphs)", flush=True)
                    del index
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name, seconds in times.items():
        print(f"{name}: {min(seconds):.1f}-{max(seconds):.1f} s over {len(seconds)} runs")
    best_local = min(times["local"])
    best_dask = min(min(times["dask, streamed"]), min(times["dask, worker reads"]))
    print(f"ratio={best_dask / best_local:.2f}")


if __name__ == "__main__":
    main()

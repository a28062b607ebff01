"""Benchmark: does the corpus pass grow linearly? The UN corpus replicated 1x, 2x and 4x.

Writes the UN General Debate corpus replicated k times (every speech k times, the copies with
new ids ``<doc_id>.r1`` ...; next to each other, so the file stays in the corpus's order) as
.jsonl.gz into a temporary folder, streaming, then runs analysis.index.build.build_index on each
in a fresh process and prints its time and the peak resident memory of that process tree
(sampled every 50 ms: the process, its worker processes and the server that starts them), for

- ``frame``: ``read_corpus`` then ``build_index`` (every text held in one frame), and
- ``scanned``: ``scan_corpus``, the texts streamed to the workers a chunk at a time,

and where the memory is at the end: the bytes of the index's tables (paragraph texts, KWIC
rows) and matrices. Then time and peak memory relative to 1x.

    python benchmarks/scaling.py [--corpus PATH] [--n-jobs 2] [--factors 1 2 4] [--modes frame scanned]
"""

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from term_counts_ungd import DEFAULT_CORPUS, ROOT, TreeMemory  # noqa: E402


def replicate(corpus: Path, factor: int, target: Path) -> Path:
    """``corpus`` with every line ``factor`` times (new ids), streamed."""
    with gzip.open(corpus, "rb") as source, gzip.open(target, "wb", compresslevel=1) as out:
        for line in source:
            record = json.loads(line)
            for copy in range(factor):
                out.write((json.dumps({**record, "doc_id": record["doc_id"] + (f".r{copy}" if copy else "")})
                           + "\n").encode("utf-8"))
    return target


def measure(path: str, mode: str, n_jobs: int) -> dict:
    """One build in this process: time, peak memory of the process tree, and the index's bytes."""
    from analysis.index.build import build_index
    from analysis.io.codebook import read_codebook
    from analysis.io.corpus import read_corpus, scan_corpus

    codebook = read_codebook(ROOT / "data" / "themes.yml")
    with TreeMemory() as memory:
        start = time.perf_counter()
        corpus = read_corpus(path) if mode == "frame" else scan_corpus(path)
        index = build_index(corpus, codebook, learn_phrases=False, n_jobs=n_jobs)
        seconds = time.perf_counter() - start
    matrices = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (index.words, index.codebook_delta))
    return {"seconds": seconds, "peak_mb": memory.peak / 2**20, "documents": len(index.documents),
            "paragraphs": len(index.paragraphs),
            "paragraphs_mb": index.paragraphs.memory_usage(deep=True).sum() / 2**20,
            "paragraph_text_mb": index.paragraphs["text"].memory_usage(deep=True) / 2**20,
            "kwic_mb": index.kwic.memory_usage(deep=True).sum() / 2**20, "matrices_mb": matrices / 2**20,
            "corpus_frame_mb": (corpus.memory_usage(deep=True).sum() if mode == "frame"
                                else corpus.documents.memory_usage(deep=True).sum()) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--modes", nargs="+", default=["frame", "scanned"], choices=["frame", "scanned"])
    parser.add_argument("--one", nargs=2, metavar=("PATH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], args.one[1], args.n_jobs)))
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="scaling.") as folder:
        for factor in args.factors:
            path = replicate(Path(args.corpus), factor, Path(folder) / f"ungd_x{factor}.jsonl.gz")
            for mode in args.modes:
                out = subprocess.run([sys.executable, __file__, "--n-jobs", str(args.n_jobs), "--one", str(path), mode],
                                     check=True, capture_output=True, text=True).stdout
                r = results[mode, factor] = json.loads(out.strip().splitlines()[-1])
                print(f"{factor}x {mode}: {r['documents']:,} documents, {r['paragraphs']:,} paragraphs, "
                      f"{r['seconds']:.1f} s, peak_rss_mb={r['peak_mb']:.0f}; held at the end: corpus frame "
                      f"{r['corpus_frame_mb']:.0f} MB, paragraphs {r['paragraphs_mb']:.0f} MB (texts "
                      f"{r['paragraph_text_mb']:.0f}), kwic {r['kwic_mb']:.0f} MB, matrices {r['matrices_mb']:.0f} MB",
                      flush=True)
            path.unlink()
    base = min(args.factors)
    for (mode, factor), r in sorted(results.items()):
        one = results[mode, base]
        print(f"{mode} {factor}x/{base}x: time {r['seconds'] / one['seconds']:.2f}, "
              f"peak memory {r['peak_mb'] / one['peak_mb']:.2f}")


if __name__ == "__main__":
    main()

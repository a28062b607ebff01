"""Benchmark: notebook 02 (topic models) on the default corpus, executed as `make report` runs it.

Runs the notebook headless with papermill through the project's runner, with its default
parameters (2 x 9 x 5 = 90 fits, coherence, stability, browsers, the dynamic topic model),
into a temporary folder, `--repeat` times, and prints each wall-clock time and each cell's
time. Goal on the 2-core machine: at most 60 s. The last line is `seconds=<slowest run>`.

    python benchmarks/topic_notebook_default.py [--repeat 2]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

from analysis.report import run_notebooks

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_topic_models.ipynb"


def cell_times(executed: Path) -> list[tuple[int, float, str]]:
    cells = [c for c in json.loads(executed.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    return [(n, c["metadata"].get("papermill", {}).get("duration") or 0.0, "".join(c["source"]).split("\n")[0][:60])
            for n, c in enumerate(cells, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    times = []
    for run in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            [result] = run_notebooks([NOTEBOOK], {"reports_dir": f"{folder}/reports", "figures_dir": f"{folder}/figures"},
                                     log=lambda *_: None)
            times.append(time.perf_counter() - start)
            print(f"run {run}: {times[-1]:.1f} s")
            for number, seconds, first_line in cell_times(result.executed):
                print(f"  code cell {number:2d}: {seconds:5.1f} s  {first_line}")
    print(f"seconds={max(times):.1f}")


if __name__ == "__main__":
    main()

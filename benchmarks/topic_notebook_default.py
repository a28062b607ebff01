"""Benchmark: notebook 02 (topic models) on the default corpus, executed headless.

Executes the notebook with papermill in the project's kernel, with its default parameters
(2 families x 9 K x 5 seeds = 90 fits, coherence, stability, browsers, the dynamic topic
model), into a temporary folder, `--repeat` times. For each run it prints the execution time
(kernel start to last cell, what "the notebook completes in" means) and each code cell's time;
then the time of the whole `python -m analysis run` path once (adds the HTML export and the
provenance files). Goal on the 2-core machine: execution at most 60 s. The last line is
`seconds=<slowest execution>`.

    python benchmarks/topic_notebook_default.py [--repeat 3]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import papermill

from analysis.report.runner import KERNEL, run_notebooks

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_topic_models.ipynb"


def cell_times(executed: Path) -> list[tuple[int, float, str]]:
    cells = [c for c in json.loads(executed.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    return [(n, c["metadata"].get("papermill", {}).get("duration") or 0.0, "".join(c["source"]).split("\n")[0][:60])
            for n, c in enumerate(cells, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = []
    for run in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory() as folder:
            executed = Path(folder) / "02.ipynb"
            start = time.perf_counter()
            papermill.execute_notebook(str(NOTEBOOK), str(executed), kernel_name=KERNEL, cwd=str(NOTEBOOK.parent),
                                       parameters={"reports_dir": f"{folder}/reports", "figures_dir": f"{folder}/figures"},
                                       progress_bar=False, log_output=False)
            times.append(time.perf_counter() - start)
            print(f"run {run}: executed in {times[-1]:.1f} s")
            for number, seconds, first_line in cell_times(executed):
                print(f"  code cell {number:2d}: {seconds:5.1f} s  {first_line}")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_notebooks([NOTEBOOK], {"reports_dir": f"{folder}/reports", "figures_dir": f"{folder}/figures"},
                      log=lambda *_: None)
        print(f"python -m analysis run path (execution, HTML export, provenance): {time.perf_counter() - start:.1f} s")
    print(f"seconds={max(times):.1f}")


if __name__ == "__main__":
    main()

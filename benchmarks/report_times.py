"""Benchmark: how long `make report` and `make test` take after set-up, notebook by notebook.

Runs the whole report on the default corpus into a temporary folder twice -- with an empty index
cache (what a first `make report` does) and again with the cache filled (every later run) -- and
prints each notebook's time as the runner measures it (kernel start to last cell, HTML export
included), then times the test suite (`python -m pytest`) once. Goals on the 2-core machine:
report at most 60 s, tests at most 150 s. Times drift with the machine's load: run it several
times and report the range. The last line is `report_seconds=<cold> tests_seconds=<tests>`.
With ``--params FILE.yml`` the report runs on that parameter file instead (``params/ungd.yml``:
the UN General Debate corpus), once, with an empty index cache, and the tests are skipped.

    .venv/bin/python benchmarks/report_times.py [--skip-tests] [--params params/ungd.yml]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.report.runner import notebooks_in, read_parameter_file, run_notebooks

ROOT = Path(__file__).resolve().parents[1]


def report(folder: Path, label: str, parameters: dict | None = None) -> float:
    steps = []
    start = time.perf_counter()
    runs = run_notebooks(notebooks_in(ROOT / "notebooks"),
                         {**(parameters or {}), "reports_dir": str(folder / "reports"),
                          "figures_dir": str(folder / "figures"), "cache_dir": str(folder / "cache")},
                         report_all=True, log=steps.append)
    total = time.perf_counter() - start
    print(f"report ({label}): {total:.1f} s")
    for step in steps:
        if step.startswith("corpus index"):
            print(f"  {step}")
    for run in runs:
        print(f"  {run.notebook.stem}: {run.seconds:.1f} s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--params", help="a parameter file (paths in it relative to the project root)")
    args = parser.parse_args()
    if args.params:
        import os

        os.chdir(ROOT)
        with tempfile.TemporaryDirectory() as folder:
            seconds = report(Path(folder), f"{args.params}, empty index cache", read_parameter_file(args.params))
        print(f"report_seconds={seconds:.1f}")
        return
    with tempfile.TemporaryDirectory() as folder:
        cold = report(Path(folder), "empty index cache")
        report(Path(folder), "index cached")
    tests = float("nan")
    if not args.skip_tests:
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                                capture_output=True, text=True)
        tests = time.perf_counter() - start
        print(f"tests: {tests:.1f} s ({result.stdout.strip().splitlines()[-1] if result.stdout.strip() else 'no output'})")
    print(f"report_seconds={cold:.1f} tests_seconds={tests:.1f}")


if __name__ == "__main__":
    main()

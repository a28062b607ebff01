"""The papermill runner: its kernels and their workers die with it (even with kill -9), Ctrl-C
prints one line, a run prints one line per notebook, outputs are written aside and published
only when every notebook succeeded, generated files get the umask's permissions.

Tiny synthetic notebooks, run through ``python -m analysis`` in a subprocess where a signal or
the terminal output is tested, in this process otherwise.
"""

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from analysis.report import runner
from conftest import DATA, ROOT, THEMES

WORKERS = '''
import multiprocessing, time
from concurrent.futures import ProcessPoolExecutor
from joblib import Parallel, delayed

pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
busy = pool.submit(time.sleep, 300)   # a busy worker, as analysis.models.topics.in_background leaves
pool.shutdown(wait=False)
Parallel(n_jobs=2)(delayed(abs)(i) for i in range(4))   # idle loky workers, kept for reuse
'''


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def write_notebook(path: Path, outputs: Path, cache_dir: Path, *cells: str) -> Path:
    """A notebook whose parameters cell declares what the runner requires (outputs in
    ``outputs/reports`` and ``outputs/figures``), then ``cells``."""
    values = {"corpus": str(DATA), "themes": str(THEMES), "codebook": str(THEMES), "seed": 1,
              "reports_dir": str(outputs / "reports"), "figures_dir": str(outputs / "figures"),
              "cache_dir": str(cache_dir)}
    unknown = [name for name in runner.REQUIRED_PARAMETERS if name not in values]
    assert not unknown, f"the test does not know a value for the required parameters {unknown}"
    params = nbformat.v4.new_code_cell("\n".join(f"{name} = {values[name]!r}" for name in runner.REQUIRED_PARAMETERS))
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [params] + [nbformat.v4.new_code_cell(cell) for cell in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def publish_earlier_run(outputs: Path) -> None:
    """What an earlier run published."""
    for relative, text in {"reports/tables/kept.csv": "a\n1\n", "reports/tables/stale.csv": "a\n2\n",
                           "reports/tables/overwritten.csv": "a\n3\n", "reports/.provenance-like/x.json": "{}\n",
                           "figures/plot.svg": "<svg/>\n", "figures/.hidden/plot.json": "{}\n"}.items():
        path = outputs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(outputs: Path) -> dict:
    """Every file and folder under ``outputs``, with the SHA-256 of each file."""
    return {p.relative_to(outputs).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(outputs.rglob("*"))}


def start_cli(*args, umask=None) -> subprocess.Popen:
    """``python -m analysis ...`` in a process group of its own, as a shell starts a job."""
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            **({"umask": umask} if umask is not None else {}))


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the runner ended ({process.returncode}) before {path.name}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{path.name} not written within {timeout} s")
        time.sleep(0.1)


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def survivors(processes: list, timeout: float) -> list:
    """The processes still alive after ``timeout`` seconds (killed then, so a failure leaks nothing)."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in processes if alive(p)]
    for process in left:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    return left


def described(processes: list) -> list[str]:
    found = []
    for process in processes:
        try:
            found.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
        except psutil.Error:
            found.append(f"{process.pid} ?")
    return found


def with_workers(processes: list) -> None:
    """The kernel, the forkserver and the pool worker it started, the loky workers are all there."""
    lines = "\n".join(processes if all(isinstance(p, str) for p in processes) else described(processes))
    for part in ("ipykernel", "forkserver", "loky"):
        assert part in lines, f"no {part} process among the runner's descendants:\n{lines}"


# 1 and 4b: kill -9 ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def killed(tmp_path_factory, cache_dir):
    """A run killed with SIGKILL while its kernel sleeps with a process pool and loky workers."""
    base = tmp_path_factory.mktemp("killed")
    outputs = base / "out"
    publish_earlier_run(outputs)
    before = tree(outputs)
    ready, after = base / "ready", base / "after"
    notebook = write_notebook(base / "nb" / "workers.ipynb", outputs, cache_dir,
                              "from analysis.io.tables import atomic_write_text\n"
                              "atomic_write_text(reports_dir + '/tables/overwritten.csv', 'a\\n4\\n')",
                              WORKERS + f"open({str(ready)!r}, 'w').close()\ntime.sleep(2)\n"
                                        f"open({str(after)!r}, 'w').close()\ntime.sleep(300)")
    process = start_cli("run", str(notebook))
    wait_for(ready, process)
    descendants = psutil.Process(process.pid).children(recursive=True)
    names = described(descendants)
    os.kill(process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    process.communicate()
    left = survivors(descendants, timeout=10)
    time.sleep(max(0.0, killed_at + 2.5 - time.monotonic()))  # a live kernel would have written `after`
    return SimpleNamespace(outputs=outputs, base=base, before=before, descendants=names, left=left,
                           pid=process.pid, after=after, cache_dir=cache_dir)


@pytest.mark.notebooks
def test_kill_9_of_the_runner_leaves_no_kernel_or_worker(killed):
    with_workers(killed.descendants)
    assert not killed.left, "alive 10 s after the runner was killed:\n" + "\n".join(described(killed.left))
    assert not killed.after.exists(), "the kernel went on running after the runner was killed"


@pytest.mark.notebooks
def test_a_killed_run_leaves_staging_that_the_next_run_removes(killed):
    staging = [killed.outputs / "reports" / ".staging" / str(killed.pid),
               killed.outputs / "figures" / ".staging" / str(killed.pid)]
    assert all(path.is_dir() for path in staging)
    assert {k: v for k, v in tree(killed.outputs).items() if ".staging" not in k} == killed.before
    live = subprocess.Popen(["sleep", "60"])  # a staging folder of a run still going is left alone
    try:
        other = killed.outputs / "reports" / ".staging" / str(live.pid)
        other.mkdir()
        notebook = write_notebook(killed.base / "nb" / "quick.ipynb", killed.outputs, killed.cache_dir, "x = 1")
        runner.run_notebooks([notebook], {}, log=lambda *_: None)
        assert not any(path.exists() for path in staging)
        assert not (killed.outputs / "reports" / ".staging" / f"{killed.pid}.log").exists()
        assert other.is_dir()
    finally:
        live.kill()
        live.wait()
    assert (killed.outputs / "reports" / "quick.ipynb").exists()
    assert (killed.outputs / "reports" / "tables" / "overwritten.csv").read_text() == "a\n3\n"


# 2: Ctrl-C -----------------------------------------------------------------------------------

@pytest.mark.notebooks
def test_ctrl_c_prints_one_line_and_leaves_nothing(tmp_path, cache_dir):
    outputs = tmp_path / "out"
    publish_earlier_run(outputs)
    before = tree(outputs)
    ready = tmp_path / "ready"
    notebook = write_notebook(tmp_path / "nb" / "sleeps.ipynb", outputs, cache_dir,
                              "from analysis.io.tables import atomic_write_text\n"
                              "atomic_write_text(reports_dir + '/tables/overwritten.csv', 'a\\n4\\n')",
                              WORKERS + f"open({str(ready)!r}, 'w').close()\ntime.sleep(300)")
    process = start_cli("run", str(notebook))
    wait_for(ready, process)
    descendants = psutil.Process(process.pid).children(recursive=True)
    with_workers(descendants)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    try:
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert err == "interrupted\n"
    assert process.returncode == 130
    assert "Traceback" not in out
    assert not survivors(descendants, timeout=10)
    assert tree(outputs) == before


# 3, 4c, 5: a successful run ------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(tmp_path_factory, cache_dir):
    """``python -m analysis report`` of two notebooks under umask 022: the first replaces a
    table, writes a new one and removes the stale one (as the result store removes the results a
    notebook no longer makes), and makes noise on every channel a kernel has; the second reads the
    first one's new table and writes a figure."""
    base = tmp_path_factory.mktemp("report")
    outputs = base / "out"
    publish_earlier_run(outputs)
    before = tree(outputs)
    folder = base / "notebooks"
    write_notebook(folder / "01_write.ipynb", outputs, cache_dir, """
import logging, os, sys, warnings
from analysis.io.tables import atomic_write_text
atomic_write_text(reports_dir + "/tables/overwritten.csv", "a\\n4\\n")
atomic_write_text(reports_dir + "/tables/new.csv", "a\\n5\\n")
os.remove(reports_dir + "/tables/stale.csv")
atomic_write_text(reports_dir + "/published.txt", os.environ["ANALYSIS_PUBLISHED_REPORTS_DIR"] + "\\n"
                  + os.environ["ANALYSIS_PUBLISHED_FIGURES_DIR"] + "\\n" + reports_dir + "\\n")
print(reports_dir); print("to stdout"); print("to stderr", file=sys.stderr); warnings.warn("a warning")
logging.getLogger("noise").warning("a log record")
os.write(1, b"fd 1\\n"); os.write(2, b"fd 2\\n")
""")
    write_notebook(folder / "02_read.ipynb", outputs, cache_dir, """
from analysis.io.tables import atomic_write_text
atomic_write_text(figures_dir + "/new.svg", open(reports_dir + "/tables/new.csv").read())
""")
    process = start_cli("report", "--notebooks", str(folder), umask=0o022)
    out, err = process.communicate(timeout=120)
    return SimpleNamespace(outputs=outputs, before=before, out=out, err=err, returncode=process.returncode)


@pytest.mark.notebooks
def test_a_run_prints_one_line_per_notebook_and_nothing_else(report):
    assert report.returncode == 0, report.err
    assert report.err == ""
    lines = report.out.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("[1/2] ")), None)
    assert first is not None, report.out
    noise = re.compile(r"WARNING|ERROR|INFO|Traceback|IPKernelApp|papermill|nbclient|to std|fd \d|warning")
    assert not [line for line in lines[:first] if noise.search(line)]  # before: the parameter and index checks
    assert re.fullmatch(r"\[1/2\] 01_write\.ipynb \.\.\. \d+\.\d s", lines[first])
    assert re.fullmatch(r"\[2/2\] 02_read\.ipynb \.\.\. \d+\.\d s", lines[first + 1])
    rest = lines[first + 2:]
    assert rest and re.fullmatch(r"2 notebook\(s\) executed in \d+\.\d s", rest[-1])
    assert all(line.startswith("changes: ") for line in rest[:-1])


@pytest.mark.notebooks
def test_a_successful_run_is_published_whole(report):
    assert report.returncode == 0, report.err
    outputs = report.outputs
    now = tree(outputs)
    assert not any(".staging" in name for name in now)
    assert "reports/tables/stale.csv" not in now  # removed by the run: removed from the published folder
    for unchanged in ("reports/tables/kept.csv", "reports/.provenance-like/x.json", "figures/plot.svg",
                      "figures/.hidden/plot.json"):
        assert now[unchanged] == report.before[unchanged], unchanged
    assert (outputs / "reports" / "tables" / "overwritten.csv").read_text() == "a\n4\n"
    assert (outputs / "figures" / "new.svg").read_text() == "a\n5\n"  # 02 read what 01 wrote
    for name in ("01_write", "02_read"):
        for suffix in (".ipynb", ".html"):
            assert f"reports/{name}{suffix}" in now
    published = (outputs / "reports" / "published.txt").read_text().splitlines()  # as the notebook saw them
    notebooks = outputs.parent / "notebooks"  # paths are given relative to it
    assert [(notebooks / p).resolve() for p in published[:2]] == [outputs / "reports", outputs / "figures"]
    assert (notebooks / published[2]).resolve().parent == outputs / "reports" / ".staging"
    for text_file in [outputs / "reports" / "01_write.ipynb", outputs / "reports" / "01_write.html",
                      *[p for p in (outputs / "reports").glob("*.html")], *(outputs / "figures").glob("*.json")]:
        assert ".staging" not in text_file.read_text(encoding="utf-8"), text_file
    index = outputs / "reports" / "index.html"
    if index.exists():  # links from the index page lead to published files
        links = re.findall(r'(?:href|src)="([^"#]+)"', index.read_text(encoding="utf-8"))
        assert all((index.parent / link).exists() for link in links if "://" not in link)


@pytest.mark.notebooks
def test_generated_files_get_the_umask_permissions(report):
    assert report.returncode == 0, report.err
    made = [p for p in report.outputs.rglob("*") if p.is_file()
            and p.relative_to(report.outputs).as_posix() not in report.before]
    assert len(made) >= 6
    modes = {p.relative_to(report.outputs).as_posix(): oct(p.stat().st_mode & 0o777) for p in made}
    assert set(modes.values()) == {"0o644"}, modes


def test_file_writers_follow_the_umask(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from analysis.io.tables import atomic_write_text, write_table
    from analysis.plots.style import save_figure

    previous = os.umask(0o022)
    try:
        for umask, expected in ((0o022, 0o644), (0o027, 0o640)):
            os.umask(umask)
            folder = tmp_path / oct(umask)
            fig, ax = plt.subplots()
            ax.plot([1, 2])
            paths = [atomic_write_text(folder / "a.txt", "a\n"),
                     write_table(pd.DataFrame({"a": [1.5]}), "t", folder, latex=True), folder / "tables" / "t.tex",
                     *save_figure(fig, "f", folder / "figures")]
            plt.close(fig)
            assert {p.name: p.stat().st_mode & 0o777 for p in paths} == {p.name: expected for p in paths}
    finally:
        os.umask(previous)


# 4a: a failure -------------------------------------------------------------------------------

@pytest.mark.notebooks
def test_a_failed_run_leaves_the_published_folders_as_they_were(tmp_path, cache_dir):
    """01 succeeds (replacing a published table, removing another, adding a figure), 02 fails:
    nothing of 01 is published; the only change is 02's executed copy, ``02_fails.failed.ipynb``."""
    outputs = tmp_path / "out"
    publish_earlier_run(outputs)
    before = tree(outputs)
    folder = tmp_path / "notebooks"
    write_notebook(folder / "01_fine.ipynb", outputs, cache_dir, """
import os
from analysis.io.tables import atomic_write_text, write_table
import pandas as pd
write_table(pd.DataFrame({"a": [9]}), "overwritten", reports_dir)
os.remove(reports_dir + "/tables/kept.csv")
atomic_write_text(figures_dir + "/plot.svg", "<svg>new</svg>\\n")
""")
    write_notebook(folder / "02_fails.ipynb", outputs, cache_dir, "x = 1", "raise ValueError('no topics')")
    with pytest.raises(runner.NotebookFailed) as failure:
        runner.run_notebooks(runner.notebooks_in(folder), {}, report_all=True, log=lambda *_: None)
    kept = outputs / "reports" / "02_fails.failed.ipynb"
    assert "cell 3 raised ValueError: no topics" in str(failure.value)
    assert f"kept at {kept}" in str(failure.value)
    after = tree(outputs)
    assert after.pop("reports/02_fails.failed.ipynb")
    assert after == before
    assert ".staging" not in kept.read_text(encoding="utf-8")

"""Run the notebooks with papermill: parameters checked, outputs published whole, failures named.

Notebooks run with their own folder as working directory, as they do in JupyterLab, so their
default paths (``../data``) work in both places. Paths given on the command line are taken
relative to the caller's working directory and handed to the notebook relative to its folder.

A run writes aside and publishes only when every notebook succeeded:

- Before the first kernel starts, each output folder (``reports_dir``, ``figures_dir``) gets a
  staging folder ``<folder>/.staging/<pid>/`` (on the same file system, so renames are atomic)
  filled with a hard-link copy of what is published there (``.staging`` itself left out). The
  notebooks get the staging folders as ``reports_dir`` and ``figures_dir``: they read earlier
  results there and replace them; every write of the project goes through a temporary file and
  ``os.replace``, so a published file is never changed through its hard link. The environment
  variables ``ANALYSIS_PUBLISHED_REPORTS_DIR`` and ``ANALYSIS_PUBLISHED_FIGURES_DIR`` give the
  kernel the published folders, in the form the parameter would have had (relative to the
  notebook's folder when inside the project), for what the notebooks record. The executed
  notebooks and their HTML, and the finalize step (manifest, index page, run record, change
  report), are written to staging too; the executed notebooks and the index page name the
  published folders, not staging.
- When every notebook succeeded, staging is mirrored onto the published folder: each staged
  file replaces its published copy (``os.replace``), published files the run removed from
  staging are deleted, and staging is removed.
- When a notebook fails, its executed copy is kept as ``<reports_dir>/<name>.failed.ipynb`` --
  the only change made to the published folders -- and the rest of staging is deleted. An
  interrupted run (Ctrl-C) changes nothing.
- Every run first removes the staging folders of runs whose process no longer exists.

Kernels are started through :mod:`analysis.report.kernel`: they and their worker processes end
with the runner, even after ``kill -9``. Their stdout and stderr go to a log file next to
staging (``<reports_dir>/.staging/<pid>.log/``), shown only when a kernel dies. Ctrl-C kills the
running kernel and ends the run with :class:`KeyboardInterrupt` once staging is removed.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import AnalysisError, ParameterError
from ..io.codebook import load_yaml
from ..progress import PROGRESS_FILE_ENV, latest_line
from .params import (PATH_PARAMETERS, check_across_notebooks, check_against_corpus, unknown_parameter,
                     validate_parameters)

REQUIRED_PARAMETERS = ("corpus", "codebook", "reports_dir", "figures_dir", "cache_dir", "seed")
KERNEL = "python3"
OUTPUT_DIRS = ("reports_dir", "figures_dir")
PUBLISHED_ENV = {"reports_dir": "ANALYSIS_PUBLISHED_REPORTS_DIR", "figures_dir": "ANALYSIS_PUBLISHED_FIGURES_DIR"}
STAGING = ".staging"
KERNEL_LOG_LINES = 40


class NotebookFailed(AnalysisError):
    """A notebook raised an error; the message names the notebook and the cell."""


@dataclass(frozen=True)
class NotebookRun:
    notebook: Path
    executed: Path
    html: Path
    seconds: float


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its cell tagged ``parameters``, with defaults."""
    import papermill

    check_notebook(notebook)
    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: has no cell tagged 'parameters'")
    return {name: spec["default"] for name, spec in declared.items()}


def check_notebook(notebook: Path) -> None:
    """Stop with the notebook named if it is not a readable, valid Jupyter notebook."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
        nbformat.validate(nb)
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError(f"{notebook}: cannot be read ({error})") from None
    except nbformat.ValidationError as error:
        raise ParameterError(f"{notebook}: not a valid Jupyter notebook ({error.message})") from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # what nbformat raises on other JSON
        raise ParameterError(f"{notebook}: not a Jupyter notebook ({type(error).__name__}: {error})") from None
    if not nb.metadata.get("kernelspec", {}).get("name"):
        raise ParameterError(f"{notebook}: names no kernel (metadata.kernelspec); open it in JupyterLab, "
                             "choose the Python 3 kernel and save it")


def read_parameter_file(path: str | Path) -> dict:
    """A YAML file of parameter values (aliases refused: see :func:`~analysis.io.codebook.load_yaml`)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"--params {path}: no such file")
    try:
        values = load_yaml(path.read_bytes().decode("utf-8"), str(path)) or {}
    except UnicodeDecodeError as error:
        raise ParameterError(f"--params {path}: not UTF-8 text (byte {error.start}: "
                             f"{error.object[error.start:error.start + 1]!r}); convert it to UTF-8 first") from None
    except yaml.YAMLError as error:
        raise ParameterError(f"--params {path}: not valid YAML ({error})") from None
    if not isinstance(values, dict):
        raise ParameterError(f"--params {path}: expected a mapping of parameter names to values")
    return values


def parse_value(text: str):
    """Command-line values are read as YAML: ``5`` is a number, ``true`` a boolean, ``[a, b]`` a list
    (a value YAML cannot read, or that uses an alias, is taken as the text it is)."""
    try:
        return load_yaml(text)
    except yaml.YAMLError:
        return text


def _for_notebook(name: str, value, notebook_dir: Path):
    """A path inside the project is passed relative to the notebook's folder (so the
    recorded parameters do not depend on where the project is cloned); others absolute."""
    if name not in PATH_PARAMETERS or not isinstance(value, str) or not value:
        return value
    target, project = Path(value).resolve(), notebook_dir.resolve().parent
    return os.path.relpath(target, notebook_dir.resolve()) if target.is_relative_to(project) else str(target)


def notebooks_in(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise ParameterError(f"{folder}: no notebooks to run")
    return found


def run_notebooks(notebooks: list[Path], overrides: dict, report_all: bool = False, log=print) -> list[NotebookRun]:
    """Execute each notebook with the overrides it declares.

    An override no notebook declares is an error; so, when one notebook is run on its own
    (``report_all`` False), is an override that notebook does not declare.
    """
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    for nb, params in declared.items():
        missing = [p for p in REQUIRED_PARAMETERS if p not in params]
        if missing:
            raise ParameterError(f"{nb}: its parameters cell lacks {', '.join(missing)}")
    known = set().union(*declared.values())
    for name in overrides:
        if name not in known or (not report_all and name not in declared[notebooks[0]]):
            raise unknown_parameter(name, known if report_all else declared[notebooks[0]])
    checked = {nb: check_parameters(nb, declared[nb], overrides) for nb in notebooks}
    check_across_notebooks({nb.name: values for nb, values in checked.items()})
    for folder in sorted({values["reports_dir"] for values in checked.values()}):
        check_run_record(Path(folder))
    check_kernel()
    index = prepare_index({**checked[notebooks[0]],
                           "n_jobs": max(values.get("n_jobs", 1) for values in checked.values()),
                           "scheduler": next((v["scheduler"] for v in checked.values() if v.get("scheduler")), None)},
                          log)
    for nb in notebooks:
        check_against_corpus(checked[nb], index.documents["year"], where=nb.name)
    plans = []
    for nb in notebooks:
        params = {k: _for_notebook(k, v, nb.parent) for k, v in overrides.items() if k in declared[nb]}
        plans.append((nb, params, run_settings(nb, declared[nb], params)))
    folders = [settings[name] for name in ("figures_dir", "reports_dir") for _, _, settings in plans]
    runs = []
    with _Interrupts() as interrupts, _Staging(folders) as staging:
        for number, (nb, params, settings) in enumerate(plans, 1):
            staged = {name: staging[settings[name]] for name in OUTPUT_DIRS}
            published = {name: _for_notebook(name, str(settings[name]), nb.parent) for name in OUTPUT_DIRS}
            given = {name: _for_notebook(name, str(staged[name]), nb.parent) for name in OUTPUT_DIRS}
            renamed = {**{str(staged[name]): str(settings[name]) for name in OUTPUT_DIRS},
                       **{given[name]: published[name] for name in OUTPUT_DIRS}}
            line = f"[{number}/{len(plans)}] {nb.name}" + "".join(f" {k}={v!r}" for k, v in sorted(params.items()))
            progress_file = staging.log_file(nb).with_suffix(".progress")
            with _progress(log, line, progress_file) as done:
                run = execute(nb, {**params, **given}, staged["reports_dir"], failed_dir=settings["reports_dir"],
                              published=renamed, log_file=staging.log_file(nb),
                              env={**{PUBLISHED_ENV[name]: published[name] for name in OUTPUT_DIRS},
                                   PROGRESS_FILE_ENV: str(progress_file)})
                done(f"{run.seconds:.1f} s")
            runs.append(NotebookRun(nb, settings["reports_dir"] / run.executed.name,
                                    settings["reports_dir"] / run.html.name, run.seconds))
        staged_settings = {**settings, **{name: staging[settings[name]] for name in OUTPUT_DIRS}}
        changes = finalize(staged_settings)
        _link_published_figures(staged_settings, settings)
        with interrupts.mode("defer"):
            staging.publish()
    for line in changes:
        log(f"changes: {line}")
    return runs


@contextmanager
def _progress(log, text: str, progress_file: Path | None = None):
    """One line per notebook: its name (and overrides), then its time or ``failed`` (after
    Ctrl-C the line just ends; the command line says ``interrupted``). With ``print`` the line is
    begun when the notebook starts, so a long notebook shows what is running, and the progress
    the kernel writes to ``progress_file`` (:mod:`analysis.progress`) is shown after it; another
    ``log`` gets the whole line at the end."""
    outcome = ["failed"]
    watcher = _ProgressWatcher(progress_file, text) if log is print and progress_file else None
    if log is print:
        print(f"{text} ...", end="", flush=True)
    if watcher:
        watcher.start()
    try:
        yield lambda end: outcome.__setitem__(0, end)
    except KeyboardInterrupt:
        outcome[0] = ""  # the command line says "interrupted", once
        raise
    finally:
        if watcher:
            watcher.stop()
        if log is print:
            print(f" {outcome[0]}", flush=True)
        else:
            log(f"{text} ... {outcome[0]}")


class _ProgressWatcher(threading.Thread):
    """Shows the latest progress line of a running notebook after its name: redrawn in place on
    a terminal, and on a line of its own at most every ``every`` seconds in a log (CI)."""

    def __init__(self, path: Path, text: str, stream=None, every: float = 30.0, poll: float = 1.0):
        super().__init__(daemon=True)
        self.path, self.text, self.stream = Path(path), text, stream or sys.stdout
        self.every, self.poll = every, poll
        self.tty = self.stream.isatty()
        self.shown, self.printed_at, self._stop_event = "", None, threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.poll):
            self._show()

    def _show(self) -> None:
        try:
            line = latest_line(self.path.read_text(encoding="utf-8", errors="replace")[-4000:])
        except OSError:
            return
        now = time.monotonic()
        if not line or line == self.shown or "about ? left" in line or (
                not self.tty and self.printed_at and now - self.printed_at < self.every):
            return  # nothing new, no estimate yet, or too soon for a log
        self.shown, self.printed_at = line, now
        if self.tty:
            width = shutil.get_terminal_size().columns - len(self.text) - 6
            self.stream.write(f"\r{self.text} ... {line[:max(width, 0)]}\x1b[K")
        else:
            self.stream.write(f"\n    {line}")
        self.stream.flush()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join()
        if self.shown:  # the notebook's name again, for its time or outcome
            self.stream.write(f"\r{self.text} ...\x1b[K" if self.tty else f"\n{self.text} ...")
            self.stream.flush()


def check_parameters(notebook: Path, declared: dict, overrides: dict) -> dict:
    """The values a notebook will run with (its defaults, then ``overrides``), checked against
    :data:`~analysis.report.params.PARAMETERS`, with paths made absolute (a notebook's own
    defaults are relative to its folder, command-line paths to the working directory)."""
    values = {}
    for name, default in declared.items():
        if name in overrides:
            value = overrides[name]
            if name in PATH_PARAMETERS and isinstance(value, str) and value:
                value = str(Path(value).resolve())
        else:
            try:
                value = ast.literal_eval(default)
            except (ValueError, SyntaxError):
                raise ParameterError(f"{notebook}: the default of {name!r} ({default}) is not a plain value") from None
            if name in PATH_PARAMETERS and isinstance(value, str) and value:
                value = str((notebook.parent / value).resolve())
        values[name] = value
    return validate_parameters(values, where=notebook.name)


def prepare_index(values: dict, log):
    """Build (or load) the corpus index once, before any notebook runs: the notebooks then load
    it from the cache. Bad input stops here, before any kernel starts."""
    from ..index.cache import cached_index

    return cached_index(values["corpus"], values["codebook"], cache_dir=values["cache_dir"],
                        text_column=values.get("text_column", "text"),
                        learn_phrases=values.get("phrases", "both") in ("both", "gensim"),
                        n_jobs=values.get("n_jobs", 1), scheduler=values.get("scheduler"), log=log)


def run_settings(notebook: Path, declared: dict, params: dict) -> dict:
    """The corpus, codebook and output folders a notebook runs with, as absolute paths."""
    def value(name):
        return params[name] if name in params else ast.literal_eval(declared[name])

    resolved = {name: (notebook.parent / value(name)).resolve()
                for name in ("corpus", "codebook", "reports_dir", "figures_dir", "cache_dir")}
    resolved["text_column"] = value("text_column") if "text_column" in declared else "text"
    resolved["phrases"] = value("phrases") if "phrases" in declared else "both"
    return resolved


def finalize(settings: dict) -> list[str]:
    """Fingerprint the corpus of the run, write the figure manifest, the index page and the
    change report (see :mod:`analysis.report.provenance`); return what changed since the last run."""
    from ..index.cache import cached_index
    from .provenance import finalize_report

    index = cached_index(settings["corpus"], settings["codebook"], cache_dir=settings["cache_dir"],
                         text_column=settings["text_column"], learn_phrases=settings["phrases"] in ("both", "gensim"))
    return finalize_report(settings["reports_dir"], settings["figures_dir"], index.fingerprint, index.key,
                           index.documents["doc_id"].tolist())


def check_run_record(reports_dir: Path) -> None:
    """The record of the last run, which the run compares itself with at its end, must be
    readable: stop before any notebook runs, naming it, if it is damaged."""
    from .provenance import read_run_record

    read_run_record(reports_dir)


def check_kernel() -> None:
    """The ``python3`` kernel must run this interpreter, where the project is installed.

    Jupyter prefers a user-level kernelspec (``~/.local/share/jupyter/kernels/python3``) over
    the one in this environment; if that one starts another Python, notebooks would import
    another version of the project or fail. Stop before running anything.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        raise ParameterError(f"no Jupyter kernel named {KERNEL!r}: install ipykernel in this environment") from None
    program = spec.argv[0]
    same = program in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}") or (
        shutil.which(program) and os.path.realpath(shutil.which(program)) == os.path.realpath(sys.executable))
    if not same:
        raise ParameterError(
            f"the Jupyter kernel {KERNEL!r} ({spec.resource_dir}) runs {program}, not this Python ({sys.executable}); "
            "remove that kernelspec or run the command with the Python that runs it")


def execute(notebook: Path, parameters: dict, reports_dir: Path, *, failed_dir: Path | None = None,
            published: dict | None = None, env: dict | None = None, log_file: Path | None = None) -> NotebookRun:
    """Run one notebook; write ``<reports_dir>/<name>.ipynb`` and ``.html`` only if it succeeds.

    A failed run is kept as ``<failed_dir>/<name>.failed.ipynb`` (``failed_dir`` defaults to
    ``reports_dir``) for inspection. ``published`` maps texts to their replacements in every
    string of the executed notebook (the staging folders to the published ones); ``env`` is added
    to the kernel's environment; the kernel's stdout and stderr go to ``log_file`` (a temporary
    file when None), shown if the kernel dies. Ctrl-C (during :func:`run_notebooks`) kills the
    kernel and raises KeyboardInterrupt once papermill has cleaned up.
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from .kernel import kernel_manager_class

    interrupts = _INTERRUPTS or _Interrupts()
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    executed = reports_dir / f"{notebook.stem}.ipynb"
    partial = reports_dir / f".{notebook.stem}.running.ipynb"
    failed = reports_dir / f"{notebook.stem}.failed.ipynb"
    kept = Path(failed_dir or reports_dir) / failed.name
    partial.unlink(missing_ok=True)  # left by a killed run, it may be a hard link to a published file
    temporary_log = log_file is None
    if temporary_log:
        handle, log_file = tempfile.mkstemp(prefix=f"{notebook.stem}.", suffix=".kernel.log")
        os.close(handle)
    log_file = Path(log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    manager = kernel_manager_class(env, log_file, on_launch=interrupts.launched, cancelled=lambda: interrupts.requested)
    start = time.perf_counter()
    try:
        with interrupts.mode("kernel"), _logs_to(log_file):
            try:
                papermill.execute_notebook(
                    str(notebook), str(partial), parameters=parameters, kernel_name=KERNEL,
                    cwd=str(notebook.parent), progress_bar=False, log_output=False, kernel_manager_class=manager,
                )
            except PapermillExecutionError as error:
                if interrupts.requested:
                    raise KeyboardInterrupt from None
                _keep_failed(partial, kept, published)
                source = "\n".join("      | " + line for line in error.source.splitlines()[:8])
                raise NotebookFailed(
                    f"{notebook}: cell {_source_cell_number(kept, error.cell_index)} raised {error.ename}: "
                    f"{error.evalue}\n{source}\n      the executed notebook is kept at {kept} (In [{error.exec_count}])"
                ) from None
            except (RuntimeError, TimeoutError) as error:  # the kernel died, or did not start
                if interrupts.requested:
                    raise KeyboardInterrupt from None
                if not isinstance(error, (DeadKernelError, TimeoutError)) and "kernel" not in str(error).lower():
                    raise
                where = f"; the executed notebook is kept at {kept}" if _keep_failed(partial, kept, published) else ""
                raise NotebookFailed(f"{notebook}: the kernel stopped ({type(error).__name__}: {error}){where}"
                                     f"{_log_tail(log_file)}") from None
            _rename_paths(partial, published)
            os.replace(partial, executed)
            failed.unlink(missing_ok=True)
            html = write_html(executed)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if temporary_log:
            log_file.unlink(missing_ok=True)
    if interrupts.requested:
        raise KeyboardInterrupt
    return NotebookRun(notebook, executed, html, time.perf_counter() - start)


def _keep_failed(partial: Path, kept: Path, published: dict | None) -> bool:
    """Keep what a failed notebook had executed (if papermill wrote it) as ``kept``."""
    if not partial.exists():
        return False
    _rename_paths(partial, published)
    kept.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, kept)
    return True


def _log_tail(log_file: Path) -> str:
    """The end of a kernel's log, indented, for an error message."""
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-KERNEL_LOG_LINES:]
    except OSError:
        return ""
    return ("\n      kernel log:\n" + "\n".join("      | " + line for line in lines)) if lines else ""


def _rename_paths(executed: Path, replacements: dict | None) -> None:
    """Replace each key of ``replacements`` by its value in every string of a notebook (the
    staging folders by the published ones: in the injected parameters, papermill's metadata and
    the outputs), longest first."""
    pairs = sorted(((old, new) for old, new in (replacements or {}).items() if old and old != new),
                   key=lambda pair: -len(pair[0]))
    if not pairs:
        return
    import nbformat

    def renamed(value):
        if isinstance(value, str):
            for old, new in pairs:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            value[:] = [renamed(item) for item in value]
        elif isinstance(value, dict):
            for key in value:
                value[key] = renamed(value[key])
        return value

    nb = nbformat.read(executed, as_version=4)
    nbformat.write(renamed(nb), executed)


@contextmanager
def _logs_to(log_file: Path):
    """papermill's, nbclient's and jupyter_client's log records (``Kernel died...``) go to the
    kernel's log file, not the terminal."""
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
    loggers = [logging.getLogger(name) for name in ("papermill", "analysis.report.kernel")]
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, saved):
            logger.removeHandler(handler)
            logger.propagate = propagate
        handler.close()


def _link_published_figures(staged: dict, published: dict) -> None:
    """The index page links figures relative to the reports folder; made in staging, those links
    go from one staging folder to the other. Point them at the published figures."""
    from ..io.tables import atomic_write_text

    index = Path(staged["reports_dir"]) / "index.html"
    if not index.exists():
        return

    def relative(settings):
        return Path(os.path.relpath(Path(settings["figures_dir"]).resolve(),
                                    Path(settings["reports_dir"]).resolve())).as_posix()

    old, new = relative(staged), relative(published)
    if old == new:
        return
    import html

    page = index.read_text(encoding="utf-8")
    page = re.sub(rf'(href|src)="{re.escape(html.escape(old))}/',
                  lambda match: f'{match.group(1)}="' + ("" if new == "." else html.escape(new) + "/"), page)
    atomic_write_text(index, page)


_INTERRUPTS: _Interrupts | None = None


class _Interrupts:
    """Ctrl-C during :func:`run_notebooks`.

    The terminal sends SIGINT to the runner only (kernels run in sessions of their own). What it
    does depends on the mode: ``raise`` (default) raises KeyboardInterrupt at once; ``kernel``
    (while a notebook runs) SIGKILLs the kernel and its workers and lets papermill and nbclient
    notice and clean up -- :func:`execute` then raises KeyboardInterrupt, so no traceback or
    half-finished asyncio task is left to print; ``defer`` (while publishing) waits until the
    publication is complete. Only installed in the main thread.
    """

    def __init__(self):
        self.requested = False
        self.kernels = []
        self._mode = "raise"
        self._previous = None

    def __enter__(self):
        global _INTERRUPTS
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, self._handle)
            self._previous = signal.SIG_DFL if previous is None else previous
        _INTERRUPTS = self
        return self

    def __exit__(self, *exc):
        global _INTERRUPTS
        _INTERRUPTS = None
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame):
        self.requested = True
        if self._mode == "raise":
            raise KeyboardInterrupt
        if self._mode == "kernel":
            self.kill_kernels()

    def kill_kernels(self):
        from .kernel import kill_kernel

        for process in self.kernels:
            if process.returncode is None:  # not reaped: the pid is still this kernel's
                kill_kernel(process.pid)

    def launched(self, process):
        self.kernels.append(process)
        if self.requested:
            self.kill_kernels()

    @contextmanager
    def mode(self, mode: str):
        previous, self._mode = self._mode, mode
        try:
            yield
        finally:
            self._mode = previous
        if mode == "defer" and self.requested:
            raise KeyboardInterrupt


class _Staging:
    """The staging folders of a run (see the module's docstring), one per distinct output folder.

    ``folders`` are the published folders (absolute), published in that order. A folder inside
    another is left out of the outer one's copy and mirror.
    """

    def __init__(self, folders: list[Path]):
        self.folders = list(dict.fromkeys(Path(folder) for folder in folders))
        self.paths: dict[Path, Path] = {}
        self.logs = self.folders[-1] / STAGING / f"{os.getpid()}.log"
        self.created = [folder for folder in self.folders if not folder.exists()]

    def __getitem__(self, folder) -> Path:
        return self.paths[Path(folder)]

    def log_file(self, notebook: Path) -> Path:
        return self.logs / f"{notebook.stem}.log"

    def _inner(self, folder: Path) -> set[Path]:
        return {other for other in self.folders if other != folder and other.is_relative_to(folder)}

    def __enter__(self):
        try:
            for folder in self.folders:
                folder.mkdir(parents=True, exist_ok=True)
                _remove_stale_staging(folder / STAGING)
            for folder in self.folders:
                self.paths[folder] = staging = folder / STAGING / str(os.getpid())
                staging.mkdir(parents=True)
                _link_tree(folder, staging, self._inner(folder))
            self.logs.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # no permission, a file in the way, a full disk
            self.discard()
            raise AnalysisError(f"cannot prepare the output folders: {error}") from None
        except BaseException:
            self.discard()
            raise
        return self

    def __exit__(self, *exc):
        self.discard()

    def publish(self) -> None:
        for folder in self.folders:
            _mirror(self.paths[folder], folder, self._inner(folder))

    def discard(self) -> None:
        """Remove what is left of staging, and the folders this run created if still empty."""
        for path in [*self.paths.values(), self.logs]:
            shutil.rmtree(path, ignore_errors=True)
        for folder in self.folders:
            with _suppress_os_error():
                (folder / STAGING).rmdir()
        for folder in sorted(self.created, key=lambda path: len(path.parts), reverse=True):
            with _suppress_os_error():
                folder.rmdir()


@contextmanager
def _suppress_os_error():
    try:
        yield
    except OSError:
        pass


def _remove_stale_staging(root: Path) -> None:
    """Remove what runs that no longer exist (killed) left in ``<folder>/.staging``: entries
    named by a process id (``<pid>``, ``<pid>.log``) whose process has ended, or is a later
    process that reuses the id (it started after the entry was last changed)."""
    import psutil

    if not root.is_dir():
        return
    for entry in root.iterdir():
        match = re.match(r"(\d+)(\.|$)", entry.name)
        if not match:
            continue
        pid = int(match.group(1))
        try:
            process = psutil.Process(pid)
            alive = (pid != os.getpid() and process.status() != psutil.STATUS_ZOMBIE
                     and process.create_time() <= entry.lstat().st_mtime + 1)
        except psutil.NoSuchProcess:
            alive = False
        except psutil.AccessDenied:
            alive = True
        if alive:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _walk(top: Path, skip: set[Path]):
    """``os.walk`` of ``top`` without ``top/.staging`` and the folders in ``skip``; a symbolic
    link to a folder is listed with the files (it is linked or replaced, not entered)."""
    for root, dirs, files in os.walk(top):
        here = Path(root)
        entered = []
        for name in dirs:
            path = here / name
            if (here == top and name == STAGING) or path in skip:
                continue
            (files if path.is_symlink() else entered).append(name)
        dirs[:] = entered
        yield here, here.relative_to(top), dirs, files


def _link_tree(source: Path, target: Path, skip: set[Path]) -> None:
    """Fill ``target`` with hard links to the files under ``source`` (copies where a hard link
    cannot be made), recreating folders and symbolic links."""
    for here, relative, dirs, files in _walk(source, skip):
        for name in dirs:
            (target / relative / name).mkdir()
        for name in files:
            original, copy = here / name, target / relative / name
            if original.is_symlink():
                os.symlink(os.readlink(original), copy)
                continue
            try:
                os.link(original, copy, follow_symlinks=False)
            except OSError:
                shutil.copy2(original, copy)


def _mirror(staged: Path, published: Path, skip: set[Path]) -> None:
    """Make ``published`` what ``staged`` holds: move every staged file into place
    (``os.replace``), delete the published files and folders staging does not have, remove
    ``staged``. ``published/.staging`` and the folders in ``skip`` are left alone."""
    files, folders = set(), {Path(".")}
    for here, relative, dirs, names in _walk(staged, set()):
        for name in dirs:
            destination = published / relative / name
            if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
                destination.unlink()
            destination.mkdir(exist_ok=True)
            folders.add(relative / name)
        for name in names:
            destination = published / relative / name
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            os.replace(here / name, destination)
            files.add(relative / name)
    emptied = []
    for here, relative, dirs, names in _walk(published, skip):
        for name in names:
            if relative / name not in files:
                (here / name).unlink()
        if relative not in folders:
            emptied.append(here)
    for folder in sorted(emptied, key=lambda path: len(path.parts), reverse=True):
        with _suppress_os_error():
            folder.rmdir()
    shutil.rmtree(staged, ignore_errors=True)


def _source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based position of a cell in the user's notebook, not counting papermill's injected cell."""
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return cell_index + (0 if injected and injected[0] < cell_index else 1)


def write_html(executed: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    from ..io.tables import atomic_write_text

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    return atomic_write_text(executed.with_suffix(".html"), body)

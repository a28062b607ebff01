"""Run the notebooks with papermill: parameters checked, outputs written whole, failures named.

Notebooks run with their own folder as working directory, as they do in JupyterLab, so their
default paths (``../data``) work in both places. Paths given on the command line are taken
relative to the caller's working directory and handed to the notebook relative to its folder.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import AnalysisError, ParameterError

PATH_PARAMETERS = {"corpus", "themes", "reports_dir", "figures_dir", "domain_stopwords"}
REQUIRED_PARAMETERS = ("corpus", "themes", "reports_dir", "figures_dir", "seed")
KERNEL = "python3"


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

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: has no cell tagged 'parameters'")
    return {name: spec["default"] for name, spec in declared.items()}


def read_parameter_file(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"--params {path}: no such file")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ParameterError(f"--params {path}: not valid YAML ({error})") from None
    if not isinstance(values, dict):
        raise ParameterError(f"--params {path}: expected a mapping of parameter names to values")
    return values


def parse_value(text: str):
    """Command-line values are read as YAML: ``5`` is a number, ``true`` a boolean, ``[a, b]`` a list."""
    try:
        return yaml.safe_load(text)
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
            accepted = sorted(known if report_all else declared[notebooks[0]])
            raise ParameterError(f"unknown parameter {name!r}; accepted: {', '.join(accepted)}")
    check_kernel()
    runs = []
    for number, nb in enumerate(notebooks, 1):
        params = {k: _for_notebook(k, v, nb.parent) for k, v in overrides.items() if k in declared[nb]}
        settings = run_settings(nb, declared[nb], params)
        log(f"[{number}/{len(notebooks)}] {nb.name} " + " ".join(f"{k}={v!r}" for k, v in sorted(params.items())))
        runs.append(execute(nb, params, settings["reports_dir"]))
        log(f"      done in {runs[-1].seconds:.1f} s -> {runs[-1].executed}")
    for line in finalize(settings):
        log(f"changes: {line}")
    return runs


def run_settings(notebook: Path, declared: dict, params: dict) -> dict:
    """The corpus, codebook and output folders a notebook runs with, as absolute paths."""
    def value(name):
        return params[name] if name in params else ast.literal_eval(declared[name])

    resolved = {name: (notebook.parent / value(name)).resolve() for name in ("corpus", "themes", "reports_dir", "figures_dir")}
    resolved["text_column"] = value("text_column") if "text_column" in declared else "text"
    return resolved


def finalize(settings: dict) -> list[str]:
    """Fingerprint the corpus of the run, write the figure manifest, the index page and the
    change report (see :mod:`analysis.provenance`); return what changed since the last run."""
    from ..io.corpus import load_corpus
    from ..report.provenance import finalize_report

    corpus = load_corpus(settings["corpus"], text_column=settings["text_column"])
    return finalize_report(settings["reports_dir"], settings["figures_dir"], corpus, settings["themes"])


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


def execute(notebook: Path, parameters: dict, reports_dir: Path) -> NotebookRun:
    """Run one notebook; write ``<reports_dir>/<name>.ipynb`` and ``.html`` only if it succeeds.

    A failed run is kept as ``<reports_dir>/<name>.failed.ipynb`` for inspection.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    reports_dir.mkdir(parents=True, exist_ok=True)
    executed = reports_dir / f"{notebook.stem}.ipynb"
    partial = reports_dir / f".{notebook.stem}.running.ipynb"
    failed = reports_dir / f"{notebook.stem}.failed.ipynb"
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook), str(partial), parameters=parameters, kernel_name=KERNEL,
            cwd=str(notebook.parent), progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as error:
        os.replace(partial, failed)
        source = "\n".join("      | " + line for line in error.source.splitlines()[:8])
        raise NotebookFailed(
            f"{notebook}: cell {_source_cell_number(failed, error.cell_index)} raised {error.ename}: {error.evalue}\n"
            f"{source}\n      the executed notebook is kept at {failed} (In [{error.exec_count}])"
        ) from None
    except BaseException:
        if partial.exists():
            partial.unlink()
        raise
    os.replace(partial, executed)
    if failed.exists():
        failed.unlink()
    html = write_html(executed)
    return NotebookRun(notebook, executed, html, time.perf_counter() - start)


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

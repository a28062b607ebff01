"""Write tables and parameter records whole or not at all, with stable bytes.

Every table goes through :func:`write_table`: CSV with ``\\n`` line endings, floats written
with a fixed number of significant digits (so the last bit of a float sum cannot change the
file), and an optional booktabs LaTeX copy. Files are written to a temporary name in the
target folder and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.6g"


def atomic_write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def tables_dir(reports_dir: str | Path) -> Path:
    return Path(reports_dir) / "tables"


def write_table(frame: pd.DataFrame, name: str, reports_dir: str | Path, latex: bool = False,
                caption: str = "") -> Path:
    """Write ``<reports_dir>/tables/<name>.csv`` (and ``.tex`` when ``latex``); return the CSV path."""
    folder = tables_dir(reports_dir)
    path = atomic_write_text(folder / f"{name}.csv",
                             frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
    if latex:
        tex = frame.to_latex(index=False, float_format=lambda x: f"{x:.3g}", caption=caption or None,
                             label=f"tab:{name}", escape=True)
        atomic_write_text(folder / f"{name}.tex", tex)
    return path


_CURRENT_RUN: dict = {}


def record_parameters(notebook: str, parameters: dict, reports_dir: str | Path) -> Path:
    """Write the parameters a notebook ran with to ``<reports_dir>/parameters/<notebook>.json``;
    figures saved afterwards in this process are recorded as made by this run."""
    _CURRENT_RUN.clear()
    _CURRENT_RUN.update(notebook=notebook, parameters=json.loads(json.dumps(parameters, default=str)))
    text = json.dumps(parameters, indent=2, sort_keys=True, default=str) + "\n"
    return atomic_write_text(Path(reports_dir) / "parameters" / f"{notebook}.json", text)


def current_run() -> dict:
    """The notebook and parameters last recorded by :func:`record_parameters` in this process."""
    return dict(_CURRENT_RUN)

"""Write tables and parameter records whole or not at all, with stable bytes.

Every table goes through :func:`write_table`: CSV with ``\\n`` line endings, floats written
with a fixed number of significant digits (so the last bit of a float sum cannot change the
file), and an optional booktabs LaTeX copy. Files are written to a temporary name in the
target folder and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
import tempfile
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.6g"


def new_file_mode() -> int:
    """The permissions ``open(path, "w")`` gives a new file: ``0o666`` less the process umask
    (``0o644`` under umask 022). ``tempfile.mkstemp`` creates its files ``0o600``; a file
    written through it and renamed into place gets these instead."""
    try:  # Linux: read the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write to: renamed to ``path`` when the block ends
    without error, removed otherwise, so a reader never sees half a file. Its mode is what the
    umask gives (``tempfile.mkstemp`` alone would give 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    try:
        os.fchmod(handle, new_file_mode())
        os.close(handle)
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (synced before the rename)."""
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` (its line ends as they are) to ``path`` whole or not at all."""
    return atomic_write_bytes(path, text.encode("utf-8"))


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

"""Progress of long steps, with an estimate of the time left, shown where the user is looking.

tqdm measures the rate and estimates the time left; this module only decides where its line goes:

- in a report run (``python -m analysis report``) the runner sets :data:`PROGRESS_FILE_ENV` to a
  file beside its staging folder: the line goes there and the runner shows it on the terminal
  after the running notebook's name. Nothing reaches the executed notebook, whose outputs
  therefore do not change from run to run;
- in JupyterLab and in scripts, to standard error (a cell shows the line updating in place);
- ``ANALYSIS_PROGRESS=off`` silences it everywhere.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager

PROGRESS_FILE_ENV = "ANALYSIS_PROGRESS_FILE"
SWITCH_ENV = "ANALYSIS_PROGRESS"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
BAR_FORMAT = "{desc}: {n_fmt}/{total_fmt} {unit} [{elapsed} elapsed, about {remaining} left]"


@contextmanager
def progress_bar(total: int, desc: str, unit: str = "steps"):
    """A tqdm bar of ``total`` ``unit`` for the step ``desc``; call ``update(n)`` as work is done.
    A bar inside another (a fit inside the grid) redraws the same line, which then shows the
    innermost step: no cursor movements, which a file or a log would show as noise."""
    from tqdm import tqdm

    path = os.environ.get(PROGRESS_FILE_ENV)
    silent = os.environ.get(SWITCH_ENV, "").lower() in ("off", "0", "false", "no")
    handle = open(path, "a", encoding="utf-8") if path and not silent else None
    try:
        with tqdm(total=total, desc=desc, unit=unit, bar_format=BAR_FORMAT, file=handle or sys.stderr,
                  disable=silent, mininterval=1.0, dynamic_ncols=False, position=0) as bar:
            yield bar
    finally:
        if handle:
            handle.close()


def track(iterable, total: int, desc: str, unit: str = "steps"):
    """Items of ``iterable`` (``total`` of them), as they come, counted on a :func:`progress_bar`."""
    with progress_bar(total, desc, unit) as bar:
        for item in iterable:
            yield item
            bar.update(1)


def latest_line(text: str) -> str:
    """The last line tqdm drew in ``text`` (it redraws with a carriage return), without
    terminal control sequences."""
    for part in reversed(ANSI_ESCAPE.sub("", text).replace("\n", "\r").split("\r")):
        if part.strip():
            return part.strip()
    return ""

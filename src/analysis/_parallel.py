"""Worker processes: how they start, and a slow function run beside the notebook."""

from __future__ import annotations

import multiprocessing
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor

PR_SET_PDEATHSIG = 1


def worker_context():
    """How worker processes start: from a small forkserver process, not as copies of this one,
    which may hold a large corpus (with fork, reference counting would copy its pages into
    each); spawn where there is no forkserver."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def set_parent_death_signal(signum: int) -> bool:
    """Have the kernel send ``signum`` to this process when its parent (thread) dies; False
    where that is not available (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def start_worker() -> None:
    """What every worker process does first: die with the process that started it (even after
    ``kill -9`` of that one), and leave Ctrl-C to it (no traceback per worker)."""
    set_parent_death_signal(signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def in_background(function, *args, **kwargs) -> Future:
    """Start ``function(*args, **kwargs)`` in a separate process and return its
    :class:`~concurrent.futures.Future`: a slow fit then uses the second core while the
    notebook goes on; ``.result()`` waits for it and raises its errors."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=worker_context())
    future = pool.submit(function, *args, **kwargs)
    pool.shutdown(wait=False)
    return future

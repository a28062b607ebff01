"""Worker processes: how they start, and a slow function run beside the notebook."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor


def worker_context():
    """How worker processes start: from a small forkserver process, not as copies of this one,
    which may hold a large corpus (with fork, reference counting would copy its pages into
    each); spawn where there is no forkserver."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def in_background(function, *args, **kwargs) -> Future:
    """Start ``function(*args, **kwargs)`` in a separate process and return its
    :class:`~concurrent.futures.Future`: a slow fit then uses the second core while the
    notebook goes on; ``.result()`` waits for it and raises its errors."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=worker_context())
    future = pool.submit(function, *args, **kwargs)
    pool.shutdown(wait=False)
    return future

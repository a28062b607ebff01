"""Jupyter kernels that cannot outlive the runner that started them.

The runner starts each kernel as ``python -m analysis.report.kernel -- <kernelspec command>``.
This launcher, before it replaces itself with the kernel (``exec``, same process):

- asks Linux to SIGKILL it when the runner dies (``prctl(PR_SET_PDEATHSIG)``; it survives the
  ``exec``), so a runner killed with ``kill -9`` cannot leave a kernel writing files. ipykernel's
  own parent poller only notices a re-parenting to PID 1, which is not where orphans go in every
  sandbox or container;
- forks a *guardian*: a small process that waits (``pidfd``) for the runner or the kernel to end
  and then SIGKILLs the kernel's process group. jupyter_client starts the kernel in a session of
  its own (the launcher makes sure of it), so that group holds everything the kernel started that
  did not leave it: the forkserver and ``ProcessPoolExecutor`` workers, joblib/loky workers,
  resource trackers. Those do not notice that the kernel has gone (an idle pool worker waits on a
  queue forever; a busy one finishes its task first), so the guardian removes them, whether the
  runner was killed, the kernel crashed or the kernel was shut down normally. The guardian sits
  in a process group of its own, so it is not hit by the signals it and jupyter_client send.

:func:`kernel_manager_class` gives the ``KernelManager`` the runner hands to papermill: it starts
kernels through this launcher, sends their stdout/stderr (ipykernel's warnings, a worker's dying
words) to a log file instead of the terminal, adds environment variables, and provisions CurveZMQ
keys when the kernelspec supports them (no "running over TCP without encryption" warning).

Only the standard library is imported at module level: the launcher runs before every kernel.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from .._parallel import set_parent_death_signal

RUNNER_PID = "ANALYSIS_KERNEL_RUNNER_PID"
LAUNCHER = "analysis.report.kernel"


def _live_members(pgid: int) -> bool | None:
    """Whether process group ``pgid`` has a member that is not a zombie (None: no ``/proc``)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


def kill_group(pgid: int, patience: float = 5.0) -> None:
    """SIGKILL process group ``pgid`` until no live process is left in it (a member may be
    forking while the first signal is on its way; zombies stay members until reaped)."""
    end = time.monotonic() + patience
    while True:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        if _live_members(pgid) is False or time.monotonic() > end:
            return
        time.sleep(0.05)


def kill_kernel(pid: int) -> None:
    """SIGKILL a kernel started through the launcher and everything in its process group (the
    kernel leads its group; if it somehow does not, only the kernel is killed, never the
    caller's own group)."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _guard(kernel: int, runner: int) -> None:
    """The guardian's life: wait until the runner or the kernel ends, then empty the kernel's
    process group."""
    os.setpgid(0, 0)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    import select

    try:
        descriptors = [os.pidfd_open(kernel), os.pidfd_open(runner)]
    except ProcessLookupError:  # one of them has already gone
        descriptors = []
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3, seccomp): poll instead
        while os.getppid() == kernel and _alive(runner):
            time.sleep(0.2)
        descriptors = []
    if descriptors and os.getppid() == kernel and _alive(runner):
        poller = select.poll()
        for descriptor in descriptors:
            poller.register(descriptor, select.POLLIN)
        while not poller.poll():
            pass
    kill_group(kernel)


def main(argv: list[str]) -> None:
    """``python -m analysis.report.kernel [--] COMMAND...``: guard, then exec the kernel."""
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        sys.exit("usage: python -m analysis.report.kernel -- KERNEL_COMMAND...")
    runner = int(os.environ.pop(RUNNER_PID, "0") or 0) or os.getppid()
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != runner:  # the runner died before the line above took effect
        sys.exit(1)
    if os.getpgid(0) != os.getpid():  # jupyter_client starts kernels in a new session; be sure
        os.setsid()
    kernel = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() == 0:
        try:
            _guard(kernel, runner)
        finally:
            os._exit(0)
    os.execvp(command[0], command)


def kernel_manager_class(env: dict | None = None, log_path: str | os.PathLike | None = None,
                         on_launch=None, cancelled=None) -> type:
    """A ``jupyter_client`` ``AsyncKernelManager`` subclass (for papermill's
    ``kernel_manager_class``) that starts kernels through this launcher.

    ``env`` is added to the kernel's environment; the kernel's stdout and stderr are appended to
    ``log_path`` (discarded when None); ``on_launch(process)`` is called with the ``Popen`` of
    each kernel started; when ``cancelled()`` is true, no kernel is started (RuntimeError).
    """
    import logging

    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    extra_env = dict(env or {})

    class GuardedKernelManager(AsyncKernelManager):
        @default("transport_encryption")
        def _transport_encryption_default(self):
            return "auto" if zmq.has("curve") else "disabled"

        @default("log")
        def _log_default(self):
            return logging.getLogger(__name__)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if cancelled is not None and cancelled():
                raise RuntimeError("interrupted before the kernel started")
            kw["env"] = {**kw.get("env", os.environ), **extra_env, RUNNER_PID: str(os.getpid())}
            command = [sys.executable, "-m", LAUNCHER, "--", *kernel_cmd]
            with open(log_path if log_path is not None else os.devnull, "ab") as log:
                kw["stdout"] = kw["stderr"] = log
                await super()._async_launch_kernel(command, **kw)
            process = getattr(self.provisioner, "process", None)
            if on_launch is not None and process is not None:
                on_launch(process)

    return GuardedKernelManager


if __name__ == "__main__":
    main(sys.argv[1:])

"""Stopping a scan cleanly. SIGTERM (what ``timeout``, systemd and Docker send) and SIGINT (Ctrl-C)
become :class:`ScanInterrupted` in the main thread, so the scan unwinds as after any error: the
``--jobs`` workers are stopped, the files closed, and the last checkpoint (made durable after every
chunk) is what ``--resume`` continues from. Workers ignore both signals (the parent decides) and
die with their parent, even when it is killed with SIGKILL and cannot stop them."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: Seconds between two checks of a worker's parent where ``prctl(PR_SET_PDEATHSIG)`` is unavailable.
PARENT_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1


class ScanInterrupted(BaseException):  # noqa: N818 - named for what happened, like KeyboardInterrupt
    """A signal stopped the scan; ``exit_code`` is the shell's 128 + signal number. A BaseException,
    like KeyboardInterrupt, so that no ``except Exception`` on the way (the scoring fallback that
    isolates a failing post, a library's error wrapping) takes it for an error and goes on."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.rows_done: int | None = None  # rows safely checkpointed, when the scan knows them
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def message(self) -> str:
        done = f" after {self.rows_done:,} rows were checkpointed" if self.rows_done is not None else ""
        return f"{self}{done}; run the same command with --resume to continue"


def received() -> int | None:
    """The signal that interrupted the scan, if one did (for a library, Py4J, that turns the
    :class:`ScanInterrupted` raised in its wait into an error of its own)."""
    return _state["received"] or None


_state = {"critical": 0, "pending": 0, "received": 0}


@contextmanager
def critical() -> Iterator[None]:
    """A step a signal must not cut in two (renaming the outputs into place): a signal that arrives
    within it raises :class:`ScanInterrupted` when it ends, or not at all if the step was the last."""
    _state["critical"] += 1
    try:
        yield
    finally:
        _state["critical"] -= 1
    if not _state["critical"] and _state["pending"]:
        signum, _state["pending"] = _state["pending"], 0
        raise ScanInterrupted(signum)


@contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise :class:`ScanInterrupted` (once: a second signal
    gets the default action, so a stuck clean-up can still be forced). A no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = (signal.SIGTERM, signal.SIGINT)

    def handler(signum: int, _frame: FrameType | None) -> None:
        for s in sigs:
            signal.signal(s, signal.SIG_DFL if s == signal.SIGTERM else signal.default_int_handler)
        _state["received"] = signum
        if _state["critical"]:
            _state["pending"] = signum
            return
        raise ScanInterrupted(signum)

    old = {s: signal.signal(s, handler) for s in sigs}
    _state["received"] = 0
    try:
        yield
    finally:
        _state["pending"] = _state["received"] = 0
        for s, h in old.items():
            signal.signal(s, h)


def worker_init(parent_pid: int) -> None:
    """In a worker process: leave SIGINT/SIGTERM to the parent and exit when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watchdog").start()
    if os.getppid() != parent_pid:  # the parent died before we asked to be told
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return False


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - the non-Linux fallback
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)

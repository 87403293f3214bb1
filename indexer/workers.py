"""Worker processes and Ctrl-C: the parent handles it, a worker never prints a traceback for it.

Ctrl-C in a terminal sends SIGINT to the whole process group, workers included. A worker
that sets SIGINT to "ignore" in its first line is still open to it between its start and
that line (the fork, multiprocessing's bootstrap, imports): a KeyboardInterrupt there ends
it with a traceback on stderr. So a worker is started with SIGINT blocked (a child inherits
the mask, and a fork child has no pending signal), and unblocks it only once it ignores it.
"""
from __future__ import annotations

import signal

_CAN_BLOCK = hasattr(signal, "pthread_sigmask")       # (not on Windows)


def start_worker(process) -> None:
    """process.start() with SIGINT blocked meanwhile; a Ctrl-C that came then reaches this
    process once it is unblocked again."""
    if not _CAN_BLOCK:
        process.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_ctrl_c() -> None:
    """A worker's first call: ignore SIGINT, then let it in (it is the parent's to handle)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _CAN_BLOCK:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

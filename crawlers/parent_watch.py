"""The crawl child dies with its parent, so a killed `kepu crawl` leaves no orphan holding the
DuckDB file's lock.

On Linux the kernel sends the child SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); a
check of the parent's id right after closes the window where the parent died before that. On
other systems a thread polls the parent's id. Dying at once is safe: a crawl commits per batch
and the next run reads again whatever the last batch held (see crawlers.pipelines).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _poll(parent_pid: int, every_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(every_s)
    _die()


def die_with_parent(parent_pid: int, every_s: float = 1.0) -> None:
    """End this process when `parent_pid` (the process that started it) ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent_pid:
                _die()  # the parent died before the kernel was told to watch it
            return
    threading.Thread(target=_poll, args=(parent_pid, every_s), daemon=True).start()

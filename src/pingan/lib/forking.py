"""Forked children that die with their parent (Linux ``PR_SET_PDEATHSIG``). Pure module (no Django).

A child forked to do a piece of the parent's work — a leased job (:mod:`pingan.core.jobs`), the alert worker's
state snapshot (:mod:`pingan.alerts.worker`) — must not outlive a parent killed with SIGKILL: it would go on
writing for a process that is gone, beside the one started in its place.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> bool:
    """In a forked child: ask the kernel for SIGKILL when the parent (the forking thread) dies. False when the
    parent ``parent`` (its pid, read before the fork) is already gone — the child should then exit at once.
    Elsewhere than on Linux it only checks the parent."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    return os.getppid() == parent

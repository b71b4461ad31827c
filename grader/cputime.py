"""Time limits on other processes that count CPU time, not wall-clock time.

A class run keeps more processes busy than the machine has cores, so a
wall-clock limit would stop honest work whenever the machine is loaded and
a verdict would depend on the load.  A :class:`CpuBudget` counts what the
process computed (the kernel's per-process CPU clock), with a wall-clock
backstop for a process that waits instead of computing.
"""
from __future__ import annotations

import time
from typing import Callable

# Honest work on a machine running five times more processes than it has
# cores still finishes within the backstop.
WALL_CLOCK_FACTOR = 5.0


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid``, or None when the kernel
    will not say (the process is gone, or not Linux).  Reads the clock
    ``clock_getcpuclockid(3)`` returns (``~pid << 3 | CPUCLOCK_SCHED``): one
    system call, no /proc parsing."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except (OSError, OverflowError, AttributeError):
        return None


class CpuBudget:
    """``limit`` seconds of CPU time from ``start`` (a reading of the clock
    taken now), as ``cpu_seconds()`` counts it, and at most ``wall_limit``
    seconds of waiting.

    Use: wait up to :meth:`wait` seconds for the work to finish; each time
    that passes without it, :meth:`spent` says ``"timeout"`` (the CPU
    limit), ``"wall timeout"`` (the backstop) or None (wait again)."""

    def __init__(self, cpu_seconds: Callable[[], float | None], start: float | None, limit: float,
                 wall_limit: float | None = None, *, started: float | None = None) -> None:
        self._cpu_seconds = cpu_seconds
        self.limit = limit
        self.wall_limit = limit * WALL_CLOCK_FACTOR if wall_limit is None else wall_limit
        self._started = time.monotonic() if started is None else started  # when ``start`` was read
        self._cpu_start = start
        # CPU time cannot run ahead of the clock for one thread, so the first
        # wait is the whole limit; a busy machine only means waiting again.
        self._deadline = self._started + min(limit, self.wall_limit)

    def wait(self) -> float:
        """Seconds to wait before asking :meth:`spent` again."""
        return max(0.0, self._deadline - time.monotonic())

    def spent(self) -> str | None:
        now = time.monotonic()
        if now < self._deadline:
            return None
        wall_deadline = self._started + self.wall_limit
        used = self._cpu_seconds()
        if self._cpu_start is None or used is None:
            # No CPU clock to read: the limit falls back to the wall clock.
            return "timeout" if now < wall_deadline else "wall timeout"
        left = self.limit - (used - self._cpu_start)
        if left <= 0:
            return "timeout"
        if now >= wall_deadline:
            return "wall timeout"
        self._deadline = min(now + max(left, 0.01), wall_deadline)
        return None

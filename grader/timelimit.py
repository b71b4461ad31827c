"""Time limits on other processes that hold on a busy machine.

A class run keeps more processes busy than the machine has cores, so plain
wall-clock time would stop honest work whenever the machine is loaded, and
a verdict would depend on the load.  A :class:`TimeBudget` counts two
clocks instead, and the limit is reached when either reaches it:

* the CPU time the process (and whatever it started) computed;
* its *unqueued* time: wall-clock time less the time its main thread sat
  runnable in the kernel's run queue waiting for a core.  This is the time
  the code would have taken on an idle machine, so sleeping, blocking on a
  read or waiting for a child counts, and waiting for the machine does not.

The second clock comes from ``/proc/<pid>/schedstat``.  Where the kernel
does not provide it, code that waits instead of computing is stopped by a
wall-clock backstop, :data:`WALL_CLOCK_FACTOR` times the limit.
"""
from __future__ import annotations

import os
import time
from typing import Callable

# Honest work on a machine running five times more processes than it has
# cores still finishes within the backstop.
WALL_CLOCK_FACTOR = 5.0

# What TimeBudget.spent() says when the limit is reached.
COMPUTING = "timeout"  # CPU time reached the limit
WAITING = "waiting timeout"  # unqueued time did, with less than half of it computing
BACKSTOP = "wall timeout"  # no schedstat: the wall-clock backstop


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid``, or None when the kernel
    will not say (the process is gone, or not Linux).  Reads the clock
    ``clock_getcpuclockid(3)`` returns (``~pid << 3 | CPUCLOCK_SCHED``): one
    system call, no /proc parsing."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except (OSError, OverflowError, AttributeError):
        return None


class RunQueueClock:
    """Seconds the main thread of process ``pid`` has spent runnable but
    waiting for a CPU (the second field of ``/proc/<pid>/schedstat``).

    The file stays open, so each reading is one ``pread`` (about a
    microsecond); it is bound to the process, so a reused pid cannot be
    misread.  :attr:`available` is False where the kernel does not keep
    these statistics."""

    def __init__(self, pid: int) -> None:
        try:
            self._fd = os.open(f"/proc/{pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._fd = -1
        self.available = self._fd >= 0 and self.seconds() is not None

    def seconds(self) -> float | None:
        if self._fd < 0:
            return None
        try:
            fields = os.pread(self._fd, 128, 0).split()
            return int(fields[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class TimeBudget:
    """``limit`` seconds of CPU time and of unqueued time, counted from
    ``started`` (a ``time.monotonic()`` reading, now by default), and at
    most ``wall_limit`` seconds of waiting where there is no run queue
    clock.

    ``cpu_seconds`` and ``queued_seconds`` read the two clocks (either may
    return None); ``cpu_start`` and ``queued_start`` are their readings at
    ``started``.  Use: wait up to :meth:`wait` seconds for the work to
    finish; each time that passes without it, :meth:`spent` says
    :data:`COMPUTING`, :data:`WAITING` or :data:`BACKSTOP` when the limit is
    reached, or None (wait again)."""

    def __init__(self, cpu_seconds: Callable[[], float | None], cpu_start: float | None, limit: float,
                 wall_limit: float | None = None, *, started: float | None = None,
                 queued_seconds: Callable[[], float | None] | None = None,
                 queued_start: float | None = None) -> None:
        self._cpu_seconds = cpu_seconds
        self._queued_seconds = queued_seconds
        self.limit = limit
        self.wall_limit = limit * WALL_CLOCK_FACTOR if wall_limit is None else wall_limit
        self._started = time.monotonic() if started is None else started
        self._cpu_start = cpu_start
        self._queued_start = queued_start if queued_seconds is not None else None
        # Neither clock can run ahead of the wall clock for one thread, so the
        # first wait is the whole limit; a busy machine only means waiting again.
        self._deadline = self._started + min(limit, self.wall_limit)

    def wait(self) -> float:
        """Seconds to wait before asking :meth:`spent` again."""
        return max(0.0, self._deadline - time.monotonic())

    def spent(self) -> str | None:
        now = time.monotonic()
        if now < self._deadline:
            return None
        used = self._cpu_seconds()
        computed = None if used is None or self._cpu_start is None else used - self._cpu_start
        if computed is not None and computed >= self.limit:
            return COMPUTING
        queued_now = self._queued_seconds() if self._queued_start is not None else None
        if queued_now is not None:
            unqueued = (now - self._started) - (queued_now - self._queued_start)
            if unqueued >= self.limit:
                return COMPUTING if computed is None or computed >= self.limit / 2 else WAITING
            left = self.limit - max(unqueued, computed or 0.0)
            # The run queue clock replaces the backstop: waiting is counted.
            self._deadline = now + max(left, 0.01)
            return None
        wall_deadline = self._started + self.wall_limit
        if computed is None:
            # No clock to read: the limit falls back to the wall clock.
            return COMPUTING if now < wall_deadline else BACKSTOP
        if now >= wall_deadline:
            return BACKSTOP
        self._deadline = min(now + max(self.limit - computed, 0.01), wall_deadline)
        return None


def seconds_from_environment(variable: str, default: float) -> float:
    """A time limit an instructor may override with ``$variable``: positive
    seconds, else :class:`~grader.cli.UsageError` naming the variable."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        from grader.cli import UsageError  # imported here: grader.cli imports the modules that use this one

        raise UsageError(f"{variable}={text} is not a time limit: give a positive number of seconds "
                         f"(the default is {default:g})")
    return seconds

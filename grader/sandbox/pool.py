"""The trusted side: start sandboxed children, feed them calls, read results.

This module never imports or executes student code.  It sends a
submission's cells and the calls' (trusted) inputs down one pipe, reads
length-prefixed JSON from another with a byte cap, enforces time limits
with SIGKILL on the child's whole process group, and decodes results
with :func:`codec.from_plain` into trusted types.  Nothing from a child is
unpickled or evaluated.

Time limits count the time the student's code would take on an idle
machine (:mod:`grader.timelimit`): the CPU time of the sandbox and every
process it started, and the sandbox's wall-clock time less the time it sat
waiting for a core.  Plain wall-clock time would fail honest code whenever
the machine is busy (six children sharing two cores take three times as
long), so the grade would depend on the load; sleeping or blocking still
counts.

When a call kills its child (timeout, crash, ``os._exit``, garbage on the
pipe), that call fails and a fresh child is started for the calls after
it, so one bad function never costs the others.

A ``.py`` file must load (import) within ``import_timeout``.  A notebook's
cells are timed one by one: the child announces each cell, and a cell past
``import_timeout`` is stopped with a signal the child turns into an
exception in that cell (noted like a cell that raises; later cells run).
After ``notebook_timeout`` for all its cells, a second signal makes the
child skip the cells left.  Student code can catch or ignore both; a child
that has not reported within a grace period after that is killed, and the
load fails as an import timeout.
"""
from __future__ import annotations

import collections
import itertools
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..timelimit import BACKSTOP, COMPUTING, WAITING, WALL_CLOCK_FACTOR, RunQueueClock, TimeBudget, process_cpu_seconds
from ..readers.code import CodeSource
from . import child, codec, isolation, tiers
from .records import (BAD_VALUE, CRASHED, IMPORT_TIMEOUT, LOAD_CRASHED, MEMORY, NOT_DEFINED,
                      OK, RAISED, TIMEOUT, Call, CallOutcome, SubmissionRun)

MAX_FRAME_BYTES = codec.MAX_FRAME_BYTES
MAX_READ_BYTES = 256 << 20  # per child, all messages together
MAX_TEXT = 12_000
MAX_NOTES = 200
FILE_SIZE_LIMIT = 16 << 20
MAX_PROCESSES = 32
CLEANUP_SECONDS = 5.0
NOTEBOOK_SECONDS = 30.0  # all of a notebook's cells together; each cell has import_timeout
STOP_GRACE_SECONDS = 5.0  # for a notebook to stop after being told its time is up, before it is killed
ZYGOTE_START_SECONDS = 120.0
FRESH_STARTUP_ALLOWANCE = 20.0

_CHILD_STATUSES = {OK, RAISED, NOT_DEFINED, MEMORY, BAD_VALUE}
_LOAD_STATUSES = {"ok", "import failed", "exited", "memory"}
_SIGNAL_REASONS = {
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV), e.g. through ctypes or very deep recursion",
    signal.SIGBUS: "crashed with a bus error (SIGBUS)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGFPE: "crashed with a floating-point exception (SIGFPE)",
    signal.SIGILL: "crashed with an illegal instruction (SIGILL)",
    signal.SIGXFSZ: f"wrote a file larger than the {FILE_SIZE_LIMIT >> 20} MiB limit",
    signal.SIGKILL: "was killed (SIGKILL), e.g. for using too much memory or CPU time",
}

Spawner = Callable[[dict, int, int], int]


def _clean_environment() -> dict:
    """The only environment a sandbox ever sees: no tokens, no paths to data."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    if "HOME" in os.environ:  # matplotlib's font cache lives there; read at warm-up only
        env["HOME"] = os.environ["HOME"]
    return env


def _unsent(session: "_Session", wall_limit: float) -> dict | tuple[str, str, tuple, str]:
    """Why a sandbox did not take the file to run: its own report when it could not lock itself down
    (it exits before reading), else the time it was given."""
    frame = session.next_frame(time.monotonic() + 1.0)
    session.kill()
    if isinstance(frame, dict) and frame.get("t") == "setup failed":
        return frame
    return IMPORT_TIMEOUT, f"did not read its input within {wall_limit:g} s", (), ""


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start on this machine (e.g. its Python lacks the grader's libraries):
    no student code can run, which is the grader's problem, not any submission's."""


def _module_command(python: str, module: str, *args: str, root: str | None = None) -> list[str]:
    """``python -I -m module args``.  Isolated mode ignores PYTHONPATH and the current folder, so a
    grader run from a source checkout or through PYTHONPATH would not be found by its own sandbox:
    then the folder this grader was imported from (``root``) goes first on the sandbox's path."""
    import site

    root = root or str(Path(__file__).resolve().parents[2])
    if root in {str(Path(p).resolve()) for p in site.getsitepackages()}:
        return [python, "-I", "-m", module, *args]
    boot = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
            "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)")
    return [python, "-I", "-c", boot, root, module, *args]


def _text(value: object, limit: int = MAX_TEXT) -> str:
    return value[:limit] if type(value) is str else ""


def _module_name(path: Path) -> str:
    stem = Path(path).stem
    return stem if stem.isidentifier() and stem not in sys.builtin_module_names else "submission"


class _Session:
    """One monitor + sandbox pair and its two pipes, seen from the parent."""

    def __init__(self, spawn: Spawner, request: dict, scratch: Path, cgroup: Path | None) -> None:
        self.scratch = scratch
        self.cgroup = cgroup
        self.reader = codec.FrameReader(MAX_FRAME_BYTES)
        self.frames: collections.deque[dict] = collections.deque()  # a notebook sends one per cell
        self.bytes_read = 0
        self.eof = False
        self.exit_report: dict | None = None
        self.killed = False
        calls_r, self.calls_w = os.pipe2(os.O_CLOEXEC)
        self.result_r, result_w = os.pipe2(os.O_CLOEXEC)
        try:
            self.pid = spawn(request, calls_r, result_w)
        except BaseException:
            for fd in (self.calls_w, self.result_r):
                os.close(fd)
            raise
        finally:
            os.close(calls_r)
            os.close(result_w)
        os.set_blocking(self.calls_w, False)
        os.set_blocking(self.result_r, False)
        self._readable = select.poll()
        self._readable.register(self.result_r, select.POLLIN)
        try:  # a pidfd makes the later kill immune to pid reuse
            self.pidfd = os.pidfd_open(self.pid)
        except OSError:
            self.pidfd = -1
        # Whose clocks the limits read: the sandbox (in fresh mode a child
        # of the spawned interpreter, see follow_sandbox).
        self.sandbox_pid = self.pid
        self.sandbox_known = False  # in fresh mode, not until follow_sandbox finds it
        self.queue_clock: RunQueueClock | None = None

    # -- accounting
    def watch(self, pid: int) -> None:
        """Time limits read the clocks of process ``pid``, the sandbox."""
        self.sandbox_pid = pid
        self.sandbox_known = True
        if self.queue_clock is not None:
            self.queue_clock.close()
        self.queue_clock = RunQueueClock(pid)

    def follow_sandbox(self) -> None:
        """In fresh mode the spawned interpreter forks the sandbox and waits
        for it, so its own waiting says nothing: until the sandbox has loaded
        only CPU time counts, then calls are timed on that child's clocks."""
        try:
            with open(f"/proc/{self.pid}/task/{self.pid}/children") as listing:
                children = listing.read().split()
        except OSError:
            return
        if children:
            self.watch(int(children[0]))

    def _started_processes(self) -> list[int]:
        """Every process in the run besides the sandbox and its spawner: the
        run's cgroup holds them all; without one, the sandbox's children."""
        if self.cgroup is not None:
            pids = isolation.cgroup_members(self.cgroup)
        else:
            try:
                with open(f"/proc/{self.sandbox_pid}/task/{self.sandbox_pid}/children") as listing:
                    pids = [int(pid) for pid in listing.read().split()]
            except (OSError, ValueError):
                return []
        return [pid for pid in pids if pid not in (self.pid, self.sandbox_pid)]

    def cpu_seconds(self, *, with_started: bool = False) -> float | None:
        """CPU seconds the sandbox has used, plus (``with_started``) all that
        the processes it started have used; None where the kernel will not
        say (the process is gone, or not Linux)."""
        total = process_cpu_seconds(self.sandbox_pid)
        if total is not None and with_started:
            total += sum(process_cpu_seconds(pid) or 0.0 for pid in self._started_processes())
        return total

    def budget(self, limit: float) -> TimeBudget:
        """``limit`` seconds of the run's time from now, counted as :meth:`next_frame_within` does."""
        queue_clock = self.queue_clock if self.queue_clock is not None and self.queue_clock.available else None
        return TimeBudget(lambda: self.cpu_seconds(with_started=True), self.cpu_seconds(), limit,
                          queued_seconds=queue_clock.seconds if queue_clock else None,
                          queued_start=queue_clock.seconds() if queue_clock else None)

    def signal_sandbox(self, sig: int) -> None:
        """Send ``sig`` to the sandbox (not to anything it started); nothing before it is known."""
        if not self.sandbox_known or self.eof or self.exit_report is not None:
            return
        try:
            if self.sandbox_pid == self.pid and self.pidfd >= 0:
                signal.pidfd_send_signal(self.pidfd, sig)
            elif self.sandbox_pid != self.pid:  # fresh mode: a child of the spawned interpreter
                os.kill(self.sandbox_pid, sig)
        except OSError:
            pass

    def next_frame_within(self, limit: float, wall_limit: float) -> dict | str:
        """The next message; or, once the run has used ``limit`` seconds
        from now (:class:`grader.timelimit.TimeBudget`), ``COMPUTING`` or
        ``WAITING``, and ``BACKSTOP`` after ``wall_limit`` seconds where
        waiting cannot be told from queueing; or ``"eof"``/``"garbage"``."""
        started, cpu_start = time.monotonic(), self.cpu_seconds()
        queue_clock = self.queue_clock if self.queue_clock is not None and self.queue_clock.available else None
        queued_start = queue_clock.seconds() if queue_clock is not None else None
        # Nearly every result comes within the first wait (no clock runs
        # ahead of the wall clock), and then nothing more is counted.
        frame = self.next_frame(started + min(limit, wall_limit))
        if frame != "timeout":
            return frame
        # Processes the student started count with all their CPU time:
        # cheaper than listing them before every call, and only a hostile
        # leftover could be charged to a later call.
        budget = TimeBudget(lambda: self.cpu_seconds(with_started=True), cpu_start, limit, wall_limit,
                            started=started, queued_seconds=queue_clock.seconds if queue_clock else None,
                            queued_start=queued_start)
        while (spent := budget.spent()) is None:
            frame = self.next_frame(time.monotonic() + budget.wait())
            if frame != "timeout":
                return frame
        return spent

    # -- writing
    def send(self, message: dict | bytes, deadline: float) -> bool:
        data = memoryview(message if isinstance(message, bytes) else codec.frame(message))
        poller = select.poll()
        poller.register(self.calls_w, select.POLLOUT)
        while data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if not poller.poll(remaining * 1000):
                continue
            try:
                data = data[os.write(self.calls_w, data):]
            except BlockingIOError:
                continue
            except BrokenPipeError:
                return False
        return True

    def finish_sending(self) -> None:
        if self.calls_w >= 0:
            os.close(self.calls_w)
            self.calls_w = -1

    # -- reading
    def next_frame(self, deadline: float) -> dict | str:
        """The next message, or ``"timeout"``, ``"eof"`` or ``"garbage"``."""
        last_look = False
        while not self.frames:
            if self.reader.broken:
                return "garbage"
            if self.eof:
                return "eof"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                # This thread may have been kept from running (another thread parsing): what already
                # waits in the pipe is read once before the call is given up, never charged to it.
                if last_look:
                    return "timeout"
                last_look, remaining = True, 0
            if not self._readable.poll(remaining * 1000):
                continue
            try:
                chunk = os.read(self.result_r, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                self.eof = True
                continue
            self.bytes_read += len(chunk)
            if self.bytes_read > MAX_READ_BYTES:
                self.reader.broken = "too much data"
                continue
            self.frames.extend(self.reader.feed(chunk))
        frame = self.frames.popleft()
        if frame.get("t") == "exit":
            self.exit_report = frame
        return frame

    def kill(self) -> None:
        """SIGKILL the sandbox and everything it started."""
        self.killed = True
        if self.pidfd >= 0:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass
        else:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
        self._sweep_cgroup()

    def _sweep_cgroup(self) -> None:
        """Kill every process left in the run's cgroup: this catches
        double-forked, ``setsid`` escapees that left the process group."""
        if self.cgroup is None:
            return
        for _ in range(100):
            members = isolation.cgroup_members(self.cgroup)
            if not members:
                return
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.001)

    def close(self) -> None:
        """Make sure every process of this child is gone, then clean up."""
        self.finish_sending()
        deadline = time.monotonic() + (0.5 if not self.killed else CLEANUP_SECONDS)
        while not self.eof and self.exit_report is None and time.monotonic() < deadline:
            if self.next_frame(deadline) in ("garbage", "timeout"):
                break
        # Killed even after an exit report: the sandbox can write one itself, then keep running.
        self.kill()
        # Stray processes (not the sandbox itself) may still hold the pipe.
        self._sweep_cgroup()
        os.close(self.result_r)
        if self.queue_clock is not None:
            self.queue_clock.close()
        if self.pidfd >= 0:
            os.close(self.pidfd)
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self.cgroup is not None:
            for _ in range(200):
                if isolation.remove_cgroup(self.cgroup):
                    break
                self._sweep_cgroup()
                time.sleep(0.005)


# Added to a timeout's message when the code mostly slept or blocked.
_WAITING_NOTE = " (waiting, not computing, most of that time: sleeping or blocked)"


def _death_reason(report: dict | None) -> tuple[str, str]:
    """(status, reason) for a child that ended while it should be working."""
    if report is None:
        return CRASHED, "the process ended unexpectedly"
    sig = report.get("signal")
    if type(sig) is int:
        if sig == signal.SIGXCPU:
            return TIMEOUT, "used up its CPU time limit"
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return CRASHED, _SIGNAL_REASONS.get(sig, f"was killed by {name}")
    code = report.get("code")
    return CRASHED, f"the process exited with code {code if type(code) is int else '?'} (os._exit or a crash)"


# A function that ran out of time on this many cases is not called again: its other cases fail
# unrun.  One that loops forever would otherwise cost every case its full limit, and the child's
# reload after each (a notebook's slow cells included), which bounds nothing on a shared grader.
TIMEOUTS_PER_FUNCTION = 2


def _give_up_on_looping(calls: Sequence[Call], outcomes: list, function: str, call_timeout: float) -> None:
    """After the function's ``TIMEOUTS_PER_FUNCTION``-th timeout, fail its cases not yet run."""
    timed_out = sum(1 for call, outcome in zip(calls, outcomes)
                    if call.function == function and outcome is not None and outcome.status == TIMEOUT)
    if timed_out < TIMEOUTS_PER_FUNCTION:
        return
    reason = (f"not run: {function} had already taken longer than {call_timeout:g} s on {timed_out} cases, "
              "so it was not called again")
    for j, call in enumerate(calls):
        if outcomes[j] is None and call.function == function:
            outcomes[j] = CallOutcome(TIMEOUT, message=reason)


def _outcome_from_frame(frame: dict, call: Call, call_timeout: float) -> CallOutcome:
    status = frame.get("status")
    if status not in _CHILD_STATUSES:
        return CallOutcome(CRASHED, message="the child sent a malformed result")
    try:
        value = codec.from_plain(frame.get("value"))
    except (codec.ProtocolError, RecursionError, ValueError, TypeError):
        return CallOutcome(BAD_VALUE, message="returned a value the grader could not read")
    seconds = frame.get("seconds")
    # The child's own timing (results may arrive in bursts, so the parent
    # cannot time calls itself); a child cannot claim more than the limit.
    seconds = min(float(seconds), call_timeout) if type(seconds) in (int, float) and seconds >= 0 else 0.0
    if len(frame) == 5 and status == OK:  # t, i, status, value, seconds: the usual result
        return CallOutcome(OK, value, seconds=seconds)
    bases = frame.get("bases")
    bases = tuple(_text(b, 100) for b in bases[:30]) if type(bases) is list else ()
    warnings = frame.get("warnings")
    warnings = tuple(_text(w, 300) for w in warnings[:10]) if type(warnings) is list else ()
    line = frame.get("line")
    exception = frame.get("exception")
    return CallOutcome(
        status=status,
        value=value if status == OK else None,
        exception=_text(exception, 100) if type(exception) is str else None,
        exception_bases=bases,
        message=_text(frame.get("message"), 2000),
        stdout=_text(frame.get("stdout")) if call.capture_output else "",
        seconds=seconds,
        warnings=warnings,
        line=line if type(line) is int else None,
    )


class _Runner:
    """Runs one submission: load, calls in two phases, restarts after fatal calls."""

    def __init__(self, spawn: Spawner, available: dict, scratch_root: Path, uid_for_run: Callable[[], int],
                 mode: str, landlock: bool, startup_allowance: float = 0.0, tier: str | None = None) -> None:
        self.spawn = spawn
        self.available = available
        self.scratch_root = scratch_root
        self.uid_for_run = uid_for_run
        self.mode = mode
        self.landlock = landlock
        self.startup_allowance = startup_allowance
        self.tier = tier

    def isolation_record(self, memory_bytes: int, cpu_seconds: int, with_cgroup: bool,
                         with_queue_clock: bool) -> dict:
        a = self.available
        abi = int(a.get("landlock_abi", 0)) if self.landlock else 0
        return {
            "mode": self.mode,
            "zygote_tier": self.tier,
            "rlimits": True,
            "new_session": True,
            "memory_limit_bytes": memory_bytes,
            "cpu_limit_seconds": cpu_seconds,
            # Per-call and import limits count CPU time and the wall-clock
            # time not spent queueing for a core; where the kernel keeps no
            # run queue statistics, this many times the limit of wall-clock
            # time stops code that only waits.
            "time_limits": "cpu and unqueued time" if with_queue_clock else "cpu time",
            "wall_clock_backstop_factor": WALL_CLOCK_FACTOR,
            "file_size_limit_bytes": FILE_SIZE_LIMIT,
            "network_namespace": bool(a.get("network_namespace")),
            # A per-run PID namespace would cost a second fork of the warm
            # zygote; the uid (or cgroup) sweep catches escapees instead.
            "pid_namespace": False,
            "ipc_namespace": bool(a.get("ipc_namespace")),
            "uid_drop": bool(a.get("uid_drop")),
            "nproc_limit": MAX_PROCESSES if a.get("uid_drop") else None,
            "pids_limit": MAX_PROCESSES if with_cgroup else None,
            # What kills the processes a run leaves behind: every process of
            # its uid, or every member of its cgroup; else only its session.
            "leftovers_killed_by": "uid" if a.get("uid_drop") else "cgroup" if with_cgroup else "session",
            "landlock": abi > 0,
            "landlock_abi": abi,
            "stdlib_readable_after_uid_drop": bool(a.get("stdlib_readable_after_uid_drop")),
        }

    def _open_session(self, memory_bytes: int, cpu_seconds: int) -> _Session:
        uid = self.uid_for_run()
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=self.scratch_root))
        if self.available.get("uid_drop"):
            os.chown(scratch, uid, uid)
        # A run with its own uid is already capped by RLIMIT_NPROC, and what it
        # leaves running is killed by that uid (child.kill_processes_of).  A
        # pids cgroup would add nothing but its cost: moving the sandbox into
        # it waits for the kernel's cgroup lock, 10-20 ms per submission.
        cgroup = None
        wanted = self.available.get("pids_cgroup") and not self.available.get("uid_drop")
        root = isolation.pids_cgroup_root() if wanted else None
        if root is not None:
            cgroup = isolation.make_pids_cgroup(root, f"{os.getpid()}-{uuid.uuid4().hex}", MAX_PROCESSES)
        request = {
            "scratch": str(scratch), "uid": uid, "memory_bytes": memory_bytes,
            "cpu_seconds": cpu_seconds, "file_bytes": FILE_SIZE_LIMIT,
            "max_processes": MAX_PROCESSES, "cgroup": str(cgroup) if cgroup else None,
            "landlock": self.landlock,
        }
        try:
            session = _Session(self.spawn, request, scratch, cgroup)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            if cgroup is not None:
                isolation.remove_cgroup(cgroup)
            raise
        if self.mode != "fresh":  # the zygote's child is the sandbox itself
            session.watch(session.pid)
        return session

    def run(self, source: CodeSource, calls: Sequence[Call], *, call_timeout: float,
            memory_bytes: int, import_timeout: float, notebook_timeout: float = NOTEBOOK_SECONDS) -> SubmissionRun:
        started = time.perf_counter()
        calls = list(calls)
        cells = source.normalised_cells()
        load_message = {"t": "load", "notebook": source.is_notebook, "module": _module_name(source.path),
                        "cells": [{"label": c.label, "source": c.source, "quote": c.quote} for c in cells],
                        # for the notes' wording only: the parent keeps the time
                        "cell_seconds": import_timeout, "notebook_seconds": notebook_timeout}
        # Visible calls first: their printed output cannot contain hidden inputs.
        phases = [[i for i, c in enumerate(calls) if c.capture_output],
                  [i for i, c in enumerate(calls) if not c.capture_output]]
        loading = notebook_timeout + STOP_GRACE_SECONDS if source.is_notebook else import_timeout
        cpu_seconds = int(loading + call_timeout * max(1, len(calls))) + 2
        outcomes: list[CallOutcome | None] = [None] * len(calls)
        load: tuple[str, str, tuple, str] | None = None
        restarts = 0
        used_cgroup = used_queue_clock = False
        while True:
            session = self._open_session(memory_bytes, cpu_seconds)
            used_cgroup = used_cgroup or session.cgroup is not None
            fatal = False
            try:
                status, message, notes, stdout = self._load(session, load_message, import_timeout, notebook_timeout)
                if load is None:
                    load = (status, message, notes, stdout)
                if status != "ok":
                    reason = f"not run: the submission could not be loaded ({message})" if restarts == 0 else \
                        f"not run: the submission could not be loaded again after an earlier failure ({message})"
                    for i, outcome in enumerate(outcomes):
                        if outcome is None:
                            outcomes[i] = CallOutcome(NOT_DEFINED if restarts == 0 else CRASHED, message=reason)
                    break
                for phase in phases:
                    todo = [i for i in phase if outcomes[i] is None]
                    if not todo:
                        continue
                    deadline = time.monotonic() + call_timeout * len(todo) + 5.0
                    if not session.send(codec.calls_frame([(i, calls[i].wire) for i in todo]), deadline):
                        outcomes[todo[0]] = CallOutcome(CRASHED, message="the process stopped reading its input")
                        fatal = True
                        break
                    for i in todo:
                        outcomes[i], fatal = self._await_result(session, i, calls[i], call_timeout)
                        if outcomes[i].status == TIMEOUT:
                            _give_up_on_looping(calls, outcomes, calls[i].function, call_timeout)
                        if fatal:
                            break
                    if fatal:
                        break
            finally:
                used_queue_clock = used_queue_clock or bool(session.queue_clock and session.queue_clock.available)
                session.close()
            if not fatal:
                break
            restarts += 1
        status, message, notes, stdout = load
        return SubmissionRun(
            load_status=status, load_message=message,
            notes=tuple(str(note) for note in source.notes) + notes,
            outcomes=tuple(outcomes), seconds=time.perf_counter() - started,
            isolation=self.isolation_record(memory_bytes, cpu_seconds, used_cgroup, used_queue_clock),
            load_stdout=stdout, restarts=restarts,
        )

    def _load(self, session: _Session, load_message: dict, import_timeout: float,
              notebook_timeout: float) -> tuple[str, str, tuple, str]:
        if load_message["notebook"]:
            frame = self._notebook_loaded(session, load_message, import_timeout, notebook_timeout)
        else:
            frame = self._module_loaded(session, load_message, import_timeout)
        if isinstance(frame, tuple):  # it did not load in time
            return frame
        if isinstance(frame, dict) and frame.get("t") == "setup failed":
            session.kill()
            if frame.get("stage") == "lock down":  # before any student code: the machine's problem
                raise SandboxUnavailable(f"the sandbox could not lock itself down ({_text(frame.get('message'), 500)})")
            return LOAD_CRASHED, f"the grader could not set up its sandbox: {_text(frame.get('message'), 500)}", (), ""
        if frame in ("eof", "garbage") or frame.get("t") != "loaded":
            if isinstance(frame, dict) and frame.get("t") == "exit":
                code, sig = frame.get("code"), frame.get("signal")
                if type(code) is int and sig is None:
                    return "exited", f"the process exited with code {code} while being imported", (), ""
                status, reason = _death_reason(frame)
                return (LOAD_CRASHED if status == CRASHED else status), f"while being imported, it {reason}" \
                    if not reason.startswith("the process") else reason, (), ""
            session.kill()
            return LOAD_CRASHED, "the process ended or wrote garbage while being imported", (), ""
        status = frame.get("status")
        if status not in _LOAD_STATUSES:
            session.kill()
            return LOAD_CRASHED, "the child sent a malformed load report", (), ""
        if self.mode == "fresh":
            session.follow_sandbox()
        notes = frame.get("notes")
        notes = tuple(_text(n, 500) for n in notes[:MAX_NOTES]) if type(notes) is list else ()
        return status, _text(frame.get("message"), 2000), notes, _text(frame.get("stdout"))

    def _module_loaded(self, session: _Session, load_message: dict,
                       import_timeout: float) -> dict | str | tuple[str, str, tuple, str]:
        """The child's first message after the load of a module, or the verdict when it took too long."""
        limit = import_timeout + self.startup_allowance
        wall_limit = limit * WALL_CLOCK_FACTOR
        if not session.send(load_message, time.monotonic() + wall_limit):
            return _unsent(session, wall_limit)
        frame = session.next_frame_within(limit, wall_limit)
        if frame in (COMPUTING, WAITING, BACKSTOP):
            session.kill()
            detail = {COMPUTING: "", WAITING: _WAITING_NOTE,
                      BACKSTOP: f" ({wall_limit:g} s of waiting without computing)"}[frame]
            return IMPORT_TIMEOUT, f"did not finish importing within {import_timeout:g} s{detail}", (), ""
        return frame

    def _notebook_loaded(self, session: _Session, load_message: dict, cell_limit: float,
                         notebook_limit: float) -> dict | str | tuple[str, str, tuple, str]:
        """The child's first message after its ``cell`` messages, or the verdict when it would not stop.

        Each cell has ``cell_limit`` from its ``cell`` message, and all of them ``notebook_limit``; past
        either, the child is signalled to stop (the cell, or the loading), and the parent goes on waiting.
        A child still loading ``STOP_GRACE_SECONDS`` after being told to stop loading is killed."""
        total_limit = notebook_limit + self.startup_allowance
        if not session.send(load_message, time.monotonic() + total_limit * WALL_CLOCK_FACTOR):
            return _unsent(session, total_limit * WALL_CLOCK_FACTOR)
        total = session.budget(total_limit)
        cell: TimeBudget | None = None
        stopping: TimeBudget | None = None
        running = running_quote = ""  # the label of the cell running, and the line it begins with
        while True:
            budgets = [b for b in (stopping or total, cell) if b is not None]
            frame = session.next_frame(time.monotonic() + min(b.wait() for b in budgets))
            if isinstance(frame, dict) and frame.get("t") == "cell":
                if self.mode == "fresh" and not session.sandbox_known:
                    session.follow_sandbox()
                cell = session.budget(cell_limit) if stopping is None else None
                number = frame.get("n")
                if type(number) is int and 0 <= number < len(load_message["cells"]):
                    running = load_message["cells"][number]["label"]
                    quote = load_message["cells"][number].get("quote")  # Jupyter shows no cell numbers
                    running_quote = f" (the cell beginning “{quote}”)" if quote else ""
                continue
            if frame != "timeout":
                return frame
            if stopping is not None:
                if stopping.spent() is not None:
                    session.kill()
                    return IMPORT_TIMEOUT, (f"{running or 'a cell'} was still running{running_quote} when the "
                                            f"notebook's cells had run for {notebook_limit:g} s in all, and did not "
                                            "stop when told to"), (), ""
            elif total.spent() is not None:
                session.signal_sandbox(child.STOP_LOADING)
                stopping, cell = session.budget(STOP_GRACE_SECONDS), None
            elif cell is not None and cell.spent() is not None:
                session.signal_sandbox(child.INTERRUPT_CELL)
                cell = None  # the cell may carry on (it caught the exception): the total still holds

    def _await_result(self, session: _Session, index: int, call: Call,
                      call_timeout: float) -> tuple[CallOutcome, bool]:
        """The outcome of call ``index`` and whether its child is now unusable."""
        started = time.monotonic()
        wall_limit = call_timeout * WALL_CLOCK_FACTOR
        frame = session.next_frame_within(call_timeout, wall_limit)
        elapsed = time.monotonic() - started
        if frame in (COMPUTING, WAITING, BACKSTOP):
            session.kill()
            message = {COMPUTING: f"took longer than {call_timeout:g} s",
                       WAITING: f"took longer than {call_timeout:g} s{_WAITING_NOTE}",
                       BACKSTOP: f"did not finish within {wall_limit:g} s (waiting, not computing, "
                                 "most of that time)"}[frame]
            return CallOutcome(TIMEOUT, message=message, seconds=elapsed), True
        if frame == "garbage":
            session.kill()
            return CallOutcome(CRASHED, message="wrote data that is not a valid result on the grader's channel",
                               seconds=elapsed), True
        if frame == "eof" or frame.get("t") == "exit":
            status, reason = _death_reason(session.exit_report)
            return CallOutcome(status, message=reason, seconds=elapsed), True
        if frame.get("t") != "result" or frame.get("i") != index:
            session.kill()
            return CallOutcome(CRASHED, message="sent an unexpected message on the grader's channel",
                               seconds=elapsed), True
        return _outcome_from_frame(frame, call, call_timeout), False


class _UidAllocator:
    """A different uid for every run, so RLIMIT_NPROC (counted per uid)
    limits this run alone even when many runs go at once."""

    def __init__(self) -> None:
        self._base = random.randrange(1_000_000, 2_000_000_000, 1 << 16)
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return self._base + next(self._counter) % (1 << 16)


def _owner_alive(name: str) -> bool:
    """Whether the grading process named in ``name`` ("<pid>-...") still runs."""
    try:
        os.kill(int(name.split("-", 1)[0]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass
    return True


def remove_leftovers() -> None:
    """Remove scratch folders and cgroups left by grading processes that
    were killed before they could clean up (their names carry their pid)."""
    for folder in Path(tempfile.gettempdir()).glob("grader-sandbox-*"):
        if not _owner_alive(folder.name[len("grader-sandbox-"):]):
            shutil.rmtree(folder, ignore_errors=True)
    root = isolation.pids_cgroup_root()
    parent = root / "grader-sandbox" if root is not None else None
    if parent is None or not parent.is_dir():
        return
    for group in parent.iterdir():
        if group.is_dir() and not _owner_alive(group.name):
            for pid in isolation.cgroup_members(group):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            isolation.remove_cgroup(group)


def _make_scratch_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix=f"grader-sandbox-{os.getpid()}-"))
    os.chmod(root, 0o711)  # sandboxes may enter their own folder, not list others
    return root


class _Zygote:
    """One warm zygote process of a tier and its control socket."""

    def __init__(self, python: str, tier: str) -> None:
        self.tier = tier
        self.lock = threading.Lock()  # one spawn exchange at a time
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                _module_command(python, "grader.sandbox.zygote", str(theirs.fileno()), tier),
                pass_fds=[theirs.fileno()], env=_clean_environment(), cwd="/",
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
            )
        finally:
            theirs.close()
        ours.settimeout(ZYGOTE_START_SECONDS)
        try:
            ready = json.loads(ours.recv(1 << 16) or b"null")
        except (OSError, ValueError):
            ready = None
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.process.kill()
            self.process.wait()
            self._stderr.seek(0)
            detail = self._stderr.read().decode(errors="replace")[-2000:]
            self._stderr.close()
            ours.close()
            raise SandboxUnavailable(f"the sandbox did not start: {detail.strip() or 'no output'}. The Python "
                                     "the grader runs with must import numpy, scipy, sympy and the grader "
                                     "itself; reinstall it (see the README)")
        ours.settimeout(30.0)
        self.socket = ours
        self.available: dict = ready["available"]

    def spawn(self, request: dict, calls_r: int, result_w: int) -> int:
        """Ask the zygote for a sandbox; raises OSError/ValueError if it does not answer."""
        with self.lock:
            socket.send_fds(self.socket, [json.dumps(request).encode()], [calls_r, result_w])
            reply = json.loads(self.socket.recv(4096) or b"null")
        if isinstance(reply, dict) and type(reply.get("pid")) is int:
            return reply["pid"]
        raise OSError("bad zygote reply")

    def stop(self) -> None:
        self.socket.close()  # the zygote exits when its socket closes; its children die with it
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stderr.close()  # left open, it is a ResourceWarning: an error where warnings are errors


class WorkerPool:
    """Warm zygotes that fork one sandboxed child per submission.

    There is one zygote per tier of preloaded libraries (:mod:`.tiers`).
    A zygote warms up for a second or more, so it starts in the background:
    those in ``preload`` at once, the others when :meth:`prepare` asks or a
    submission first needs them.  ``available`` (what isolation the machine
    allows, probed by a zygote) waits for the first.

    ``run`` is safe to call from many threads at once (each zygote exchange
    is serialised; everything else is per run).  Do not share a pool across
    processes: create one pool per worker process instead."""

    def __init__(self, *, python: str | None = None, landlock: bool = True,
                 preload: Iterable[str] = ("numpy",)) -> None:
        self.python = python or sys.executable
        self.landlock = landlock
        self._lock = threading.Lock()
        self._closed = False
        self._scratch_root = _make_scratch_root()
        self._uids = _UidAllocator()
        self._zygotes: dict[str, Future] = {}  # tier -> Future[_Zygote]
        self._runners: dict[str, _Runner] = {}
        self._owner_pid = os.getpid()
        try:
            remove_leftovers()
        except OSError:
            pass  # best effort: never a reason not to grade
        self._first_tier = next(iter(preload), next(iter(tiers.TIERS)))
        self.prepare(*preload)

    def prepare(self, *tier_names: str) -> None:
        """Start these tiers' zygotes in the background, if not started yet."""
        for tier in tier_names:
            self._starting(tier)

    def _starting(self, tier: str, *, replacing: Future | None = None) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if os.getpid() != self._owner_pid:
                # Inherited by a forked process (e.g. a fork-based
                # ProcessPoolExecutor): the sockets are the parent's, left open
                # for it, and this process starts zygotes of its own.
                self._owner_pid = os.getpid()
                self._zygotes.clear()
            future = self._zygotes.get(tier)
            if future is None or future is replacing:
                future = self._zygotes[tier] = Future()
                threading.Thread(target=self._start, args=(tier, future), daemon=True,
                                 name=f"zygote-{tier}").start()
            return future

    def _start(self, tier: str, future: Future) -> None:
        try:
            future.set_result(_Zygote(self.python, tier))
        except BaseException as exc:  # noqa: BLE001 - reported to whoever waits for it
            future.set_exception(exc)

    def _zygote(self, tier: str, *, restart: bool = False) -> _Zygote:
        """The tier's zygote, waited for (or started again, after it died)."""
        future = self._starting(tier)
        if restart:
            if future.done() and future.exception() is None:
                future.result().stop()
            future = self._starting(tier, replacing=future)
        return future.result()

    @property
    def available(self) -> dict:
        return self._zygote(self._first_tier).available

    def _runner(self, tier: str) -> "_Runner":
        runner = self._runners.get(tier)
        if runner is None:
            def spawn(request: dict, calls_r: int, result_w: int) -> int:
                try:
                    return self._zygote(tier).spawn(request, calls_r, result_w)
                except (OSError, ValueError):
                    pass
                try:  # a zygote that died (e.g. killed from outside) is started again, once
                    return self._zygote(tier, restart=True).spawn(request, calls_r, result_w)
                except (OSError, ValueError):
                    raise RuntimeError("the sandbox zygote is not answering") from None

            runner = self._runners[tier] = _Runner(spawn, self.available, self._scratch_root, self._uids,
                                                   "zygote", self.landlock, tier=tier)
        return runner

    @property
    def zygote_pids(self) -> list[int]:
        """The pids of the zygotes started so far."""
        return [f.result().process.pid for f in list(self._zygotes.values())
                if f.done() and f.exception() is None]

    # -- public API
    def run(self, source: CodeSource, calls: Sequence[Call], *, call_timeout: float = 2.0,
            memory_bytes: int = 1 << 30, import_timeout: float = 10.0,
            notebook_timeout: float = NOTEBOOK_SECONDS) -> SubmissionRun:
        """Load ``source`` in a fresh sandboxed child and make ``calls``;
        outcomes come back aligned with ``calls``.  A ``.py`` file loads
        within ``import_timeout``; in a notebook each cell has
        ``import_timeout`` and all of them ``notebook_timeout``."""
        tier = tiers.tier_for(cell.source for cell in source.normalised_cells())
        return self._runner(tier).run(source, calls, call_timeout=call_timeout, memory_bytes=memory_bytes,
                                      import_timeout=import_timeout, notebook_timeout=notebook_timeout)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            starting = list(self._zygotes.values()) if os.getpid() == self._owner_pid else []
            self._zygotes.clear()
        for future in starting:
            try:
                future.result().stop()
            except Exception:  # noqa: BLE001 - a zygote that never started has nothing to stop
                pass
        shutil.rmtree(self._scratch_root, ignore_errors=True)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass


# ---------------------------------------------------------------- fresh mode

_available_lock = threading.Lock()
_available_cache: dict | None = None


def _available_here() -> dict:
    global _available_cache
    with _available_lock:
        if _available_cache is None:
            _available_cache = isolation.detect()
        return _available_cache


def run_fresh(source: CodeSource, calls: Sequence[Call], *, call_timeout: float = 2.0,
              memory_bytes: int = 1 << 30, import_timeout: float = 10.0,
              notebook_timeout: float = NOTEBOOK_SECONDS,
              python: str | None = None, landlock: bool = True) -> SubmissionRun:
    """Like :meth:`WorkerPool.run`, but each child is a brand-new ``python``
    that imports the scientific stack itself (how nbgrader and Otter work).
    Same protocol and isolation; used as the baseline in benchmarks."""
    available = dict(_available_here())
    # The student's imports happen after lock-down here; if a non-root uid
    # could not read the interpreter's files they would fail, so the uid
    # drop is used only where it can (the run's isolation record says so).
    available["uid_drop"] = bool(available.get("uid_drop") and available.get("stdlib_readable_after_uid_drop"))
    processes: list[subprocess.Popen] = []
    scratch_root = _make_scratch_root()

    def spawn(request: dict, calls_r: int, result_w: int) -> int:
        request = dict(request, calls_fd=calls_r, result_fd=result_w)
        process = subprocess.Popen(
            _module_command(python or sys.executable, "grader.sandbox.child", json.dumps(request),
                            json.dumps(available)),
            pass_fds=[calls_r, result_w], env=_clean_environment(), cwd="/",
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        return process.pid

    runner = _Runner(spawn, available, scratch_root, _UidAllocator(), "fresh", landlock,
                     startup_allowance=FRESH_STARTUP_ALLOWANCE)
    try:
        return runner.run(source, calls, call_timeout=call_timeout, memory_bytes=memory_bytes,
                          import_timeout=import_timeout, notebook_timeout=notebook_timeout)
    finally:
        for process in processes:
            try:
                process.wait(timeout=CLEANUP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(scratch_root, ignore_errors=True)

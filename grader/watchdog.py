"""A time limit on grading one submission, so one submission cannot stall a class run.

Everything the grader knows to be slow already runs under a limit of its
own (student code in the sandbox, risky maths in a limited worker, proofs
under a time budget).  This is the backstop for what nobody foresaw: a
document whose reading takes an hour would otherwise hold the run, and a
restarted run would try it again and hang again.

The batch run watches each submission from the moment a worker picks it
up.  One still going after :func:`submission_time_limit` seconds is
recorded as not gradable (so a restarted run skips it) and the run goes on.
The worker is then stopped as well as it can be:

* a worker *process* arms ``SIGALRM`` with its default action when it starts
  a submission, so the process ends itself a little after the parent gave up
  on it, however it is stuck;
* a worker *thread* cannot be killed; an exception is raised into it
  (``PyThreadState_SetAsyncExc``), which stops anything running Python code.
  A thread stuck inside one long C call is left behind, and the command
  exits without waiting for it (:func:`threads_left_behind`).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from grader.timelimit import seconds_from_environment

# The honest worst case is far below this: the foundations set with every
# call using its full 2 s is 34 calls plus a 10 s import, about 80 s of
# limits, stretched perhaps threefold when three submissions share a core.
SUBMISSION_TIME_LIMIT = 600.0
TIME_LIMIT_VARIABLE = "GRADER_SUBMISSION_TIME_LIMIT"  # seconds; overrides SUBMISSION_TIME_LIMIT
# A worker process ends itself this long after the parent gave up on it,
# so the parent has recorded the verdict before the pool notices the death.
PROCESS_GRACE_SECONDS = 5


def submission_time_limit() -> float:
    """Seconds one submission may take: ``$GRADER_SUBMISSION_TIME_LIMIT`` or :data:`SUBMISSION_TIME_LIMIT`."""
    return seconds_from_environment(TIME_LIMIT_VARIABLE, SUBMISSION_TIME_LIMIT)


class GradingStopped(Exception):
    """Raised into a worker thread whose submission ran out of time."""


_lock = threading.Lock()
_threads_by_student: dict[str, int] = {}
_left_behind: list[threading.Thread] = []


def _in_worker_process() -> bool:
    return (multiprocessing.parent_process() is not None
            and threading.current_thread() is threading.main_thread())


@contextmanager
def watched(student: str, limit: float) -> Iterator[None]:
    """Grading ``student`` in this worker; lets :func:`stop` reach it."""
    alarm = _in_worker_process() and hasattr(signal, "SIGALRM")
    if alarm:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the default action ends the process
        signal.alarm(int(limit) + PROCESS_GRACE_SECONDS)
    with _lock:
        _threads_by_student[student] = threading.get_ident()
    try:
        yield
    finally:
        # A stop raised into this thread lands no later than here, still inside this submission.
        with _lock:
            _threads_by_student.pop(student, None)
        if alarm:
            signal.alarm(0)


def stop(student: str) -> None:
    """Stop the thread grading ``student`` in this process, if there is one."""
    with _lock:
        ident = _threads_by_student.pop(student, None)
        if ident is None:  # a worker process: it ends itself on its alarm
            return
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(GradingStopped))
    thread = next((t for t in threading.enumerate() if t.ident == ident), None)
    if thread is not None:
        _left_behind.append(thread)


def threads_left_behind(wait_seconds: float = 2.0) -> int:
    """How many stopped threads are still running after waiting ``wait_seconds`` for them."""
    for thread in _left_behind:
        thread.join(wait_seconds / max(len(_left_behind), 1))
    _left_behind[:] = [t for t in _left_behind if t.is_alive()]
    return len(_left_behind)

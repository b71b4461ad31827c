"""Time limits count the time a submission would take on an idle machine:
its CPU time, and its wall-clock time less the time it queued for a core.
A busy machine never fails honest code, and code that sleeps or blocks is
stopped at the same limit as code that computes.

The pool here is pinned to one core and given several submissions at once,
so every child gets a fraction of a core, as in a class run with more jobs
than cores."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.readers.code import load_code
from grader.sandbox import Call, WorkerPool
from grader.timelimit import BACKSTOP, COMPUTING, WAITING, WALL_CLOCK_FACTOR, RunQueueClock, TimeBudget

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")

BUSY = '''
import time
import numpy as np

def busy(seconds):
    """Honest but slow: computes for `seconds` of CPU time, then answers."""
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return 42.0
'''

CONCURRENT = 4  # children sharing one core: each runs at a quarter of its speed


@pytest.fixture(scope="module")
def one_core_pool():
    with WorkerPool(preload=("numpy",)) as pool:
        assert pool.available is not None  # waits for the zygote
        core = min(os.sched_getaffinity(0))
        for pid in pool.zygote_pids:  # children inherit the zygote's affinity
            os.sched_setaffinity(pid, {core})
        yield pool


def run(pool, tmp_path, name, text, calls, **limits):
    path = tmp_path / name
    path.write_text(text)
    return pool.run(load_code(path), calls, **limits)


def test_honest_slow_calls_pass_when_the_machine_is_busy(one_core_pool, tmp_path):
    # Each call computes for 0.4 s against a 1 s limit; four at once on one
    # core take about 1.6 s of wall-clock time each.
    def one(k):
        return run(one_core_pool, tmp_path, f"busy{k}.py", BUSY,
                   [Call("busy", (0.4,)), Call("busy", (0.4,))], call_timeout=1.0)

    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENT) as executor:
        results = list(executor.map(one, range(CONCURRENT)))
    wall = time.monotonic() - started
    assert wall > 1.5, "the children did not share the core; the test proves nothing"
    for result in results:
        assert [o.status for o in result.outcomes] == ["ok", "ok"], [o.message for o in result.outcomes]
        assert [o.value for o in result.outcomes] == [42.0, 42.0]


def test_a_loop_is_stopped_by_its_cpu_time_on_a_busy_machine(one_core_pool, tmp_path):
    loop = BUSY + "\ndef spin():\n    while True:\n        pass\n"

    def one(k):
        calls = [Call("spin", ()), Call("busy", (0.05,))] if k == 0 else [Call("busy", (0.6,))]
        return run(one_core_pool, tmp_path, f"loop{k}.py", loop, calls, call_timeout=0.5 if k == 0 else 2.0)

    with ThreadPoolExecutor(CONCURRENT) as executor:
        looping, *others = list(executor.map(one, range(CONCURRENT)))
    spin, after = looping.outcomes
    assert spin.status == "timeout"
    assert spin.message == "took longer than 0.5 s"
    assert after.status == "ok"  # the next call runs in a fresh child
    assert all(r.outcomes[0].status == "ok" for r in others)


needs_run_queue_clock = pytest.mark.skipif(not RunQueueClock(os.getpid()).available,
                                            reason="the kernel keeps no run queue statistics")


@needs_run_queue_clock
def test_a_sleeping_call_is_stopped_at_its_limit_on_a_busy_machine(one_core_pool, tmp_path):
    text = BUSY + "\ndef nap():\n    time.sleep(600)\n\ndef doze_then_work():\n    time.sleep(0.3)\n" \
                  "    return busy(0.2)\n"

    def one(k):
        if k == 0:
            calls = [Call("nap", ()), Call("doze_then_work", ()), Call("busy", (0.0,))]
            return run(one_core_pool, tmp_path, "nap.py", text, calls, call_timeout=0.8)
        return run(one_core_pool, tmp_path, f"work{k}.py", text, [Call("busy", (1.0,))], call_timeout=2.0)

    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENT) as executor:
        napping = executor.submit(one, 0)
        others = list(executor.map(one, range(1, CONCURRENT)))
        nap, doze, after = napping.result().outcomes
    assert nap.status == "timeout"
    assert nap.message == "took longer than 0.8 s (waiting, not computing, most of that time: sleeping or blocked)"
    assert nap.seconds < 0.8 * WALL_CLOCK_FACTOR / 2  # the limit, not the wall-clock backstop
    # Sleeping 0.3 s then computing 0.2 s is 0.5 s on an idle machine, and
    # within the limit however long the computing queued for the core.
    assert doze.status == "ok", doze.message
    assert after.status == "ok"
    assert all(r.outcomes[0].status == "ok" for r in others), [r.outcomes[0].message for r in others]
    assert time.monotonic() - started > 2.0, "the children did not share the core; the test proves nothing"
    assert napping.result().isolation["time_limits"] == "cpu and unqueued time"


def test_cpu_time_of_processes_the_call_started_counts(one_core_pool, tmp_path):
    # The call itself only waits; the process it forked does the computing.
    text = BUSY + '''
import os

def delegate():
    pid = os.fork()
    if pid == 0:
        while True:
            pass
    os.waitpid(pid, 0)
'''
    started = time.monotonic()
    result = run(one_core_pool, tmp_path, "delegate.py", text, [Call("delegate", ())], call_timeout=0.5)
    outcome, = result.outcomes
    assert outcome.status == "timeout"
    assert outcome.message == "took longer than 0.5 s"
    assert time.monotonic() - started < 0.5 * WALL_CLOCK_FACTOR


@needs_run_queue_clock
def test_an_import_that_computes_passes_on_a_busy_machine_and_one_that_sleeps_does_not(one_core_pool, tmp_path):
    computing = BUSY + "\nbusy(0.4)\n"
    sleeping = BUSY + "\ntime.sleep(600)\n"

    def one(k):
        text = sleeping if k == 0 else computing
        return run(one_core_pool, tmp_path, f"import{k}.py", text, [Call("busy", (0.0,))],
                   import_timeout=1.0)

    with ThreadPoolExecutor(CONCURRENT) as executor:
        asleep, *computed = list(executor.map(one, range(CONCURRENT)))
    assert asleep.load_status == "import timeout"
    assert asleep.load_message.startswith("did not finish importing within 1 s (waiting, not computing")
    for result in computed:
        assert result.load_status == "ok", result.load_message
        assert result.outcomes[0].status == "ok"


# -- the budget's arithmetic, on clocks the test sets --------------------------

def budget_at(seconds_ago: float, *, cpu: float | None, queued: float | None, limit: float = 1.0) -> TimeBudget:
    """A budget started ``seconds_ago`` whose CPU and run queue clocks (both
    started at 0) now read ``cpu`` and ``queued``."""
    return TimeBudget(lambda: cpu, 0.0, limit, started=time.monotonic() - seconds_ago,
                      queued_seconds=(lambda: queued) if queued is not None else None,
                      queued_start=0.0 if queued is not None else None)


def test_the_budget_tells_computing_from_waiting_from_queueing():
    assert budget_at(3.0, cpu=1.0, queued=2.0).spent() == COMPUTING
    assert budget_at(3.0, cpu=0.1, queued=0.0).spent() == WAITING  # slept nearly all the time
    queued_mostly = budget_at(3.0, cpu=0.3, queued=2.6)  # 0.4 s of its own time so far
    assert queued_mostly.spent() is None
    assert 0.55 <= queued_mostly.wait() <= 0.6  # next look: when 1 s could be used up


def test_without_a_run_queue_clock_waiting_meets_the_backstop():
    assert budget_at(3.0, cpu=0.1, queued=None).spent() is None
    assert budget_at(1.0 * WALL_CLOCK_FACTOR, cpu=0.1, queued=None).spent() == BACKSTOP
    assert budget_at(3.0, cpu=None, queued=None).spent() == COMPUTING  # no clock at all: wall-clock time

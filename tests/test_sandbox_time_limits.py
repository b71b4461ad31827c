"""Time limits count the CPU time a submission uses, so a busy machine never
fails honest code; code that waits instead of computing meets a wall-clock
backstop.

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
from grader.sandbox.pool import WALL_CLOCK_FACTOR

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


def test_a_sleeping_call_meets_the_wall_clock_backstop(one_core_pool, tmp_path):
    text = BUSY + "\ndef nap():\n    time.sleep(600)\n"
    started = time.monotonic()
    result = run(one_core_pool, tmp_path, "nap.py", text, [Call("nap", ()), Call("busy", (0.0,))],
                 call_timeout=0.4)
    waited = time.monotonic() - started
    nap, after = result.outcomes
    assert nap.status == "timeout"
    backstop = 0.4 * WALL_CLOCK_FACTOR
    assert f"did not finish within {backstop:g} s" in nap.message
    assert backstop <= waited < backstop + 10
    assert after.status == "ok"


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
    assert f"{1.0 * WALL_CLOCK_FACTOR:g} s of waiting" in asleep.load_message
    for result in computed:
        assert result.load_status == "ok", result.load_message
        assert result.outcomes[0].status == "ok"

"""Real hostile submissions (tests/hostile/*.py) run through WorkerPool.run.

Each attack must end in a failing outcome with a clear reason on the
attacked call, while the submission's honest ``dot`` still gets the right
value, the run completes, and nothing is left behind (files, processes)."""
from __future__ import annotations

import collections
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest

from grader.readers.code import load_code
from grader.sandbox import Call, WorkerPool
from grader.sandbox.codec import MAX_FRAME_BYTES, MAX_FRAME_VALUES, FrameReader

HOSTILE = Path(__file__).parent / "hostile"
A = np.array([[1.0, 2.0], [3.0, 4.0]])
B = np.array([[0.5, -1.0], [2.0, 0.25]])
U, V = [1.0, 2.0, 3.0], [4.0, -5.0, 6.0]
DOT = float(np.dot(U, V))  # the honest reference for every file's dot()
FAST = dict(call_timeout=1.0, import_timeout=3.0)


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as pool:
        yield pool


def run(pool, name, calls, **limits):
    options = dict(FAST, **limits)
    started = time.monotonic()
    result = pool.run(load_code(HOSTILE / name), calls, **options)
    assert time.monotonic() - started < 60, "the run must complete promptly"
    assert len(result.outcomes) == len(calls)
    return result


def dot_is_right(outcome):
    assert outcome.status == "ok", outcome
    assert outcome.value == pytest.approx(DOT)


def leftover_processes(pool) -> list[int]:
    """Processes still under this pool's zygote (a subreaper, so escapees
    land there) once a run is over; waits briefly for the last reaping."""
    deadline = time.monotonic() + 2.0
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("PPid", "0")) in pool.zygote_pids:
                found.append(int(entry))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_infinite_loop_in_a_function_times_out_alone(pool):
    result = run(pool, "infinite_loop_function.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "timeout"
    assert "longer than 1 s" in matmul.message
    dot_is_right(dot)
    assert result.restarts == 1


def test_infinite_loop_at_import_is_an_import_timeout(pool):
    result = run(pool, "infinite_loop_import.py", [Call("dot", (U, V))])
    assert result.load_status == "import timeout"
    assert "within 3 s" in result.load_message
    assert result.outcomes[0].status != "ok"
    assert "could not be loaded" in result.outcomes[0].message


def test_huge_allocations_fail_with_memory(pool):
    result = run(pool, "huge_allocation.py",
                 [Call("matmul", (A, B)), Call("l1_norm", (U,)), Call("dot", (U, V))],
                 memory_bytes=256 << 20, call_timeout=5.0)  # filling memory takes time
    matmul, l1, dot = result.outcomes
    assert matmul.status == "memory" and "memory" in matmul.message
    assert l1.status == "memory"
    dot_is_right(dot)


def test_fork_bomb_is_contained(pool):
    result = run(pool, "fork_bomb.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "timeout"
    dot_is_right(dot)
    assert result.isolation["pids_limit"] or result.isolation["nproc_limit"]
    if result.isolation["uid_drop"]:  # its own uid caps and sweeps it; no cgroup is needed
        assert result.isolation["leftovers_killed_by"] == "uid" and result.isolation["pids_limit"] is None
    assert leftover_processes(pool) == []


def processes_of_uids_from(first_uid: int) -> set[int]:
    """Live processes whose uid is ``first_uid`` or more (the pool gives each run a uid above 1,000,000)."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "0").split()[0]) >= first_uid and not fields.get("State", "").strip().startswith("Z"):
            found.add(int(entry))
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="each run drops to a uid of its own only when the grader is root")
def test_a_fork_bomb_still_running_when_the_pool_closes_does_not_outlive_it():
    import threading

    before = processes_of_uids_from(1_000_000)
    own = WorkerPool()
    def bomb() -> None:
        try:
            own.run(load_code(HOSTILE / "fork_bomb.py"), [Call("matmul", (A, B))], call_timeout=30.0)
        except (RuntimeError, FileNotFoundError):
            # The run's restart after the pool closed under it: "the worker pool
            # is closed", or, when close() removed the scratch folder first, no
            # folder to make the new sandbox's scratch in.
            pass

    running = threading.Thread(target=bomb)
    running.start()
    deadline = time.monotonic() + 20
    while len(processes_of_uids_from(1_000_000) - before) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the bomb is going
    own.close()
    running.join(timeout=60)
    deadline = time.monotonic() + 5
    while (left := processes_of_uids_from(1_000_000) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left


def test_double_fork_escapee_is_killed(pool):
    result = run(pool, "escape_double_fork.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "ok" and np.allclose(matmul.value, A @ B)
    dot_is_right(dot)
    assert leftover_processes(pool) == []


def test_monkeypatching_comparisons_changes_nothing_here(pool):
    result = run(pool, "monkeypatch_checks.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert result.load_status == "ok"
    assert matmul.status == "ok"
    assert not np.allclose(matmul.value, A @ B)  # the trusted numpy is untouched
    assert not math.isclose(0.0, 1.0)
    dot_is_right(dot)


def test_lying_objects_are_bad_values(pool):
    calls = [Call("dot", (U, V)), Call("matmul", (A, B)), Call("inverse", (A,)),
             Call("symmetric_eig", (A,)), Call("l1_norm", (U,))]
    dot, matmul, inverse, eig, l1 = run(pool, "lying_objects.py", calls).outcomes
    assert dot.status == "bad value" and "AlwaysEqual" in dot.message
    assert matmul.status == "bad value" and "FakeArray" in matmul.message
    assert inverse.status == "bad value" and "SneakyArray" in inverse.message
    assert eig.status == "bad value" and "Claims" in eig.message
    assert l1.status == "ok" and l1.value == pytest.approx(6.0)
    for outcome in (dot, matmul, inverse, eig):
        assert outcome.value is None


@pytest.mark.parametrize("name", ["exit_at_import.py", "os_exit_at_import.py"])
def test_exit_at_import(pool, name):
    result = run(pool, name, [Call("dot", (U, V))])
    assert result.load_status == "exited"
    assert "exit" in result.load_message
    assert result.outcomes[0].status == "not defined"


def test_os_exit_in_a_call_fails_that_call_only(pool):
    result = run(pool, "os_exit_in_call.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "crashed" and "exited with code 3" in matmul.message
    dot_is_right(dot)


def test_forged_output_is_only_captured_text(pool):
    calls = [Call("matmul", (A, B)), Call("matmul", (A, B), capture_output=False),
             Call("l1_norm", (U,)), Call("dot", (U, V))]
    result = run(pool, "forged_output.py", calls)
    visible, hidden, garbage, dot = result.outcomes
    assert '"score": 100.0' in result.load_stdout  # kept as text, never parsed
    assert visible.status == "ok" and not np.allclose(visible.value, A @ B)
    assert '"score": 100.0' in visible.stdout
    assert hidden.stdout == ""
    assert garbage.status == "crashed" and "grader's channel" in garbage.message
    dot_is_right(dot)


def test_secrets_cannot_be_read(pool, tmp_path, monkeypatch):
    problems = tmp_path / "problems"
    problems.mkdir()
    spec = problems / "foundations.yaml"
    spec.write_text("hidden_cases: [42]\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(problems, 0o755)
    os.chmod(spec, 0o644)  # readable by everyone: only the sandbox stops it
    monkeypatch.setenv("GRADER_TEST_SECRET", "s3cr3t")
    calls = [Call("read_file", (str(spec),)), Call("list_dir", (str(problems),)),
             Call("glob_specs", (str(problems / "*.yaml"),)), Call("parent_environ", ()),
             Call("parent_memory", ()), Call("read_file", (f"/proc/{os.getpid()}/environ",)),
             Call("read_file", ("/etc/shadow",)), Call("own_environment", ()), Call("dot", (U, V))]
    outcomes = run(pool, "read_secrets.py", calls).outcomes
    for outcome in outcomes[:2] + outcomes[3:7]:
        assert outcome.status == "raised", outcome
        assert outcome.exception in ("PermissionError", "FileNotFoundError"), outcome
    assert outcomes[2].status == "ok" and outcomes[2].value == []
    environment = outcomes[7].value
    assert "GRADER_TEST_SECRET" not in environment
    assert "s3cr3t" not in repr(environment)
    dot_is_right(outcomes[8])


def test_network_is_unreachable(pool):
    calls = [Call("connect", ("1.1.1.1", 80)), Call("resolve", ("example.com",)),
             Call("listen", (8765,)), Call("dot", (U, V))]
    result = run(pool, "network.py", calls)
    connect, resolve, listen, dot = result.outcomes
    for outcome in (connect, resolve, listen):
        assert outcome.status == "raised", outcome
        assert "OSError" in outcome.exception_bases
    assert result.isolation["network_namespace"] or result.isolation["landlock_abi"] >= 4
    dot_is_right(dot)


def test_ignoring_signals_does_not_help(pool):
    result = run(pool, "ignore_signals.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "timeout"
    dot_is_right(dot)


def test_stdout_flood_is_capped(pool):
    result = run(pool, "stdout_flood.py", [Call("matmul", (A, B)), Call("dot", (U, V))],
                 call_timeout=10.0)
    matmul, dot = result.outcomes
    assert len(result.load_stdout) < 20_000
    assert "more characters of output not kept" in result.load_stdout
    assert matmul.status == "ok" and np.allclose(matmul.value, A @ B)
    assert len(matmul.stdout) < 20_000
    dot_is_right(dot)


def test_deep_recursion(pool):
    result = run(pool, "deep_recursion.py",
                 [Call("matmul", (A, B)), Call("l1_norm", (U,)), Call("dot", (U, V))])
    matmul, l1, dot = result.outcomes
    # Python 3.11 keeps Python frames off the C stack, so this ends in
    # memory exhaustion, a timeout or a crash depending on speed: never "ok".
    assert matmul.status in ("crashed", "raised", "memory", "timeout")
    assert matmul.message
    assert l1.status == "raised" and l1.exception == "RecursionError"
    dot_is_right(dot)


def test_segfault_through_ctypes(pool):
    result = run(pool, "segfault.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "crashed" and "SIGSEGV" in matmul.message
    dot_is_right(dot)


def test_no_file_appears_outside_the_scratch_folder(pool, tmp_path):
    target_dir = tmp_path / "target"
    target_dir.mkdir()
    os.chmod(tmp_path, 0o777)
    os.chmod(target_dir, 0o777)  # even a world-writable folder is refused
    calls = [Call("write_file", (str(target_dir / "pwned.txt"),)),
             Call("write_file", ("/tmp/grader-pwned.txt",)),
             Call("make_dir", (str(target_dir / "newdir"),)),
             Call("symlink_out", (str(target_dir / "via-link.txt"),)),
             Call("write_here", ("notes.txt",)), Call("dot", (U, V))]
    result = run(pool, "write_outside.py", calls)
    *attacks, here, dot = result.outcomes
    for outcome in attacks:
        assert outcome.status == "raised", outcome
        assert "OSError" in outcome.exception_bases
    assert here.status == "ok" and here.value is True
    dot_is_right(dot)
    assert list(target_dir.iterdir()) == []
    assert not Path("/tmp/grader-pwned.txt").exists()


def test_other_submissions_are_unaffected(pool):
    """A hostile run between two honest ones changes nothing for them."""
    honest = load_code(HOSTILE / "lying_objects.py")
    before = pool.run(honest, [Call("l1_norm", (U,))], **FAST)
    run(pool, "monkeypatch_checks.py", [Call("dot", (U, V))])
    run(pool, "segfault.py", [Call("matmul", (A, B))])
    after = pool.run(honest, [Call("l1_norm", (U,))], **FAST)
    assert before.outcomes[0].value == after.outcomes[0].value == pytest.approx(6.0)


# ---------------------------------------------------------------------------
# Messages the student's code writes itself on the result pipe


def test_a_message_too_complex_to_parse_is_refused_unread(pool):
    """Ten million tiny lists would hold the grading process (every other student's run) for seconds and
    gigabytes; the message is refused by counting, before it is parsed, and the call fails alone."""
    result = run(pool, "complex_message.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    matmul, dot = result.outcomes
    assert matmul.status == "crashed" and "not a valid result" in matmul.message, matmul
    dot_is_right(dot)
    reader = FrameReader(MAX_FRAME_BYTES)
    body = b'{"t": "result", "i": 0, "value": [' + b"[]," * MAX_FRAME_VALUES + b"[]]}"
    assert reader.feed(len(body).to_bytes(4, "big") + body) == []
    assert "too complex" in reader.broken
    fine = FrameReader(MAX_FRAME_BYTES)  # an array is one string, whatever its size
    body = b'{"t": "result", "i": 0, "value": {"$array": {"data": "' + b"A" * (20 << 20) + b'"}}}'
    assert len(fine.feed(len(body).to_bytes(4, "big") + body)) == 1 and fine.broken is None


def test_an_honest_value_of_too_many_items_is_a_bad_value_that_says_why(pool):
    result = run(pool, "complex_message.py", [Call("many_numbers", (600_000,)), Call("many_numbers", (1000,)),
                                              Call("dot", (U, V))])
    big, small, dot = result.outcomes
    assert big.status == "bad value" and "too many items" in big.message, big
    assert small.status == "ok" and len(small.value) == 1000
    dot_is_right(dot)


def test_an_exit_report_the_sandbox_forges_does_not_let_it_outlive_the_run(pool):
    result = run(pool, "forged_exit.py", [Call("matmul", (A, B)), Call("dot", (U, V))])
    assert result.outcomes[0].status == "ok"
    assert leftover_processes(pool) == []  # the sandbox and its busy processes are gone with the run


def test_a_result_waiting_in_the_pipe_past_the_deadline_is_read_not_timed_out():
    """A grading thread kept from running (another thread parsing a message) wakes past its call's
    deadline: the result already in the pipe is read before the call is given up."""
    import select

    from grader.sandbox import codec
    from grader.sandbox.pool import _Session

    session = object.__new__(_Session)  # the reading half of a session, on a real pipe
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    session.result_r, session.reader, session.frames = read_end, FrameReader(MAX_FRAME_BYTES), collections.deque()
    session.bytes_read, session.eof, session.exit_report = 0, False, None
    session._readable = select.poll()
    session._readable.register(read_end, select.POLLIN)
    try:
        assert session.next_frame(time.monotonic() - 5) == "timeout"  # nothing there: given up at once
        os.write(write_end, codec.frame({"t": "result", "i": 0, "status": "ok", "value": 1.0}))
        assert session.next_frame(time.monotonic() - 5) == {"t": "result", "i": 0, "status": "ok", "value": 1.0}
    finally:
        os.close(read_end)
        os.close(write_end)

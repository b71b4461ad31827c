"""Spec code that never ends (or runs out of memory or stack) is stopped and reported with file and line."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sympy

from grader.cli import main
from grader.references import TIME_LIMIT_SECONDS, TIME_LIMIT_VARIABLE, compute_references, time_limit
from grader.spec import SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]

SETUP = """\
id: slow
title: Slow references
setup: |
  def forever():
      while True:
          pass
  def stubborn():
      try:
          forever()
      except BaseException:
          pass
      forever()
  def quits_quietly():
      try:
          forever()
      except BaseException:
          return 1
parts:
"""


def spec(tmp_path: Path, parts: str, setup: str = SETUP) -> Path:
    path = tmp_path / "slow.yaml"
    path.write_text(setup + textwrap.dedent(parts), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def reference_line(path: Path, label: str) -> int:
    """The line of the part's ``reference:`` key, where a failing reference is reported."""
    lines = path.read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if f"label: {label}" in line)
    return next(n for n, line in enumerate(lines[start:], start + 1) if "reference:" in line)


def issues(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        compute_references(load_problem_set(path))
    return [str(issue) for issue in caught.value.issues]


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{TIME_LIMIT_VARIABLE: "0.5"})
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def half_second(monkeypatch):
    monkeypatch.setenv(TIME_LIMIT_VARIABLE, "0.5")


def test_validate_stops_a_reference_that_never_ends_and_lists_it_with_the_other_problems(tmp_path):
    path = spec(tmp_path, """\
        - label: P1
          title: never ends
          points: 1
          kind: number
          reference: forever()
        - label: P2
          title: misspelt
          points: 1
          kind: number
          reference: undefined_name
        """)
    result = run("validate", str(path))
    assert result.returncode == 2
    assert (f"{path}, line {reference_line(path, 'P1')}: part P1: the reference took longer than 0.5 s to compute "
            f"(stopped)") in result.stderr
    assert f"{path}, line {reference_line(path, 'P2')}: part P2: computing the reference failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_grade_refuses_a_spec_whose_setup_never_ends(tmp_path):
    path = spec(tmp_path, """\
        - label: P1
          title: one
          points: 1
          kind: number
          reference: "1"
        """, setup="id: slow\ntitle: Slow\nsetup: |\n  while True:\n      pass\nparts:\n")
    (tmp_path / "submissions" / "ada").mkdir(parents=True)
    (tmp_path / "submissions" / "ada" / "answers.yaml").write_text("P1: 1\n", encoding="utf-8")
    result = run("grade", str(path), "--submissions", str(tmp_path / "submissions"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    # Located at the loop that was running when it was stopped (lines 4-5), not at 'setup:'.
    assert re.search(rf"{re.escape(str(path))}, line [45]: the 'setup' code took longer than 0.5 s to run \(stopped\)",
                     result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_spec_code_that_catches_the_stop_is_stopped_all_the_same(tmp_path, half_second):
    path = spec(tmp_path, """\
        - label: P1
          title: catches the stop and loops again
          points: 1
          kind: number
          reference: stubborn()
        - label: P2
          title: catches the stop and returns
          points: 1
          kind: number
          reference: quits_quietly()
        """)
    assert issues(path) == [
        f"{path}, line {reference_line(path, 'P1')}: part P1: the reference took longer than 0.5 s to compute (stopped)",
        f"{path}, line {reference_line(path, 'P2')}: part P2: the reference took longer than 0.5 s to compute "
        f"(stopped)",
    ]


def test_a_solution_that_never_ends_is_stopped_once_not_on_every_case(tmp_path, half_second):
    path = spec(tmp_path, """\
        - label: C1
          title: code
          points: 1
          code:
            function: f
            kind: number
            solution: |
              def f(n):
                  forever()
            cases:
              - {name: first, public: true, args: [1]}
              - {name: second, public: true, args: [2]}
        """)
    assert issues(path) == [f"{path}, line {line_of(path, 'first')}: part C1: the reference solution took longer "
                            f"than 0.5 s on case 'first' (stopped; the later cases were not computed)"]


def test_mistakes_and_generated_arguments_that_never_end_are_located(tmp_path, half_second):
    path = spec(tmp_path, """\
        - label: C1
          title: code
          points: 1
          code:
            function: f
            kind: number
            solution: |
              def f(n):
                  return n
            cases:
              - {name: first, public: true, args: [1]}
              - {name: generated, public: true, args: "forever()"}
          mistakes:
            - solution: |
                def f(n):
                    forever()
              feedback: never ends
        - label: P2
          title: written
          points: 1
          kind: number
          reference: "1"
          mistakes:
            - value: forever()
              feedback: never ends either
        """)
    found = issues(path)
    assert f"{path}, line {line_of(path, 'generated')}: part C1: the arguments of case 'generated' took longer " \
           f"than 0.5 s to compute (stopped)" in found
    assert f"{path}, line {line_of(path, '- solution: |')}: part C1: a mistake's solution took longer than 0.5 s " \
           f"on case 'first' (stopped)" in found
    assert f"{path}, line {line_of(path, '- value: forever()')}: part P2: a mistake's value took longer than " \
           f"0.5 s to compute (stopped)" in found
    assert len(found) == 3


def test_the_previous_alarm_handler_and_timer_are_put_back(tmp_path, half_second):
    path = spec(tmp_path, """\
        - label: P1
          title: never ends
          points: 1
          kind: number
          reference: forever()
        """)

    def theirs(signum, frame):
        raise AssertionError("a test runner's alarm went off")

    previous = signal.signal(signal.SIGALRM, theirs)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1000)
        issues(path)
        assert signal.getsignal(signal.SIGALRM) is theirs
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_references_compute_outside_the_main_thread_without_a_limit(tiny_spec, half_second):
    computed = []
    worker = threading.Thread(target=lambda: computed.append(compute_references(load_problem_set(tiny_spec))))
    worker.start()
    worker.join()
    assert computed and computed[0]["P1"].value == sympy.Rational(1, 2)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_running_out_of_memory_or_stack_is_located(tmp_path):
    path = spec(tmp_path, """\
        - label: P1
          title: too deep
          points: 1
          kind: number
          reference: deep(1)
        - label: P2
          title: too big
          points: 1
          kind: number
          reference: "len([0] * 10**15)"
        - label: C1
          title: code
          points: 1
          code:
            function: f
            kind: number
            solution: |
              def f(n):
                  return [0] * 10**15 if n else deep(n)
            cases:
              - {name: big, public: true, args: [1]}
              - {name: deep, public: true, args: [0]}
        """, setup="id: slow\ntitle: Slow\nsetup: |\n  def deep(n):\n      return deep(n + 1)\nparts:\n")
    assert issues(path) == [
        f"{path}, line {reference_line(path, 'P1')}: part P1: computing the reference failed: RecursionError: "
        f"maximum recursion depth exceeded",
        f"{path}, line {reference_line(path, 'P2')}: part P2: computing the reference failed: MemoryError: it ran out "
        f"of memory",
        f"{path}, line {line_of(path, 'name: big')}: part C1: the reference solution ran out of memory on case 'big' "
        f"(MemoryError)",
        f"{path}, line {line_of(path, 'name: deep')}: part C1: the reference solution recursed too deep on case "
        f"'deep' (RecursionError: maximum recursion depth exceeded)",
    ]


def test_the_limit_is_a_minute_unless_overridden_and_a_bad_override_is_a_usage_error(tiny_spec, monkeypatch,
                                                                                      capsys):
    monkeypatch.delenv(TIME_LIMIT_VARIABLE, raising=False)
    assert time_limit() == TIME_LIMIT_SECONDS == 60
    monkeypatch.setenv(TIME_LIMIT_VARIABLE, "soon")
    assert main(["validate", str(tiny_spec)]) == 2
    assert f"{TIME_LIMIT_VARIABLE}=soon is not a time limit: give a positive number of seconds" in capsys.readouterr().err

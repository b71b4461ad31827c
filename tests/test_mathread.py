"""Reading maths text safely: spellings, structure, and hostile input."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import sympy

from grader.mathread import (
    LimitExceeded,
    Unreadable,
    canonical_name,
    read_math,
    run_limited,
    split_relation_chain,
    split_relations,
)

EPS = sympy.Symbol("epsilon", real=True)
VARS = {"epsilon": EPS}


@pytest.mark.parametrize("text", [
    r"\frac{1}{4} - \frac{\varepsilon}{8}", r"\dfrac{1}{4} - \tfrac{\epsilon}{8}", "1/4 - eps/8",
    "1/4 − ε/8", r"\left(\frac{1}{4}\right) - \frac{1}{8}\cdot\varepsilon", "0.25 - 0.125*epsilon",
    r"\frac14-\frac{\varepsilon}8",
])
def test_spellings_of_one_expression(text: str) -> None:
    reading = read_math(text, variables=VARS)
    assert sympy.simplify(reading.value - (sympy.Rational(1, 4) - EPS / 8)) == 0
    assert reading.kind == "expression"


@pytest.mark.parametrize("text, value", [
    ("1.0e-6", sympy.Rational(1, 10**6)), (r"2\times10^{-3}", sympy.Rational(2, 1000)),
    (r"2 \cdot 10^{-3}", sympy.Rational(2, 1000)), ("28\\%", sympy.Rational(28, 100)),
    ("7,425,000", 7425000), ("1 000", 1000), (r"\mathrm{e}", sympy.E), (r"\pi", sympy.pi),
    ("e", sympy.E), (r"\sqrt{17}", sympy.sqrt(17)), ("2^10", 1024),
])
def test_numbers(text: str, value) -> None:
    reading = read_math(text)
    assert reading.kind == "number"
    assert abs(float(reading.value) - float(value)) <= 1e-12 * max(1, abs(float(value)))


def test_scientific_notation_is_not_euler() -> None:
    # latex2sympy alone reads 1.0e-6 as 1.0*E - 6
    assert read_math(r"\approx 1.0e-6".replace(r"\approx ", "")).value == sympy.Float("1.0e-6")


@pytest.mark.parametrize("text, expected", [
    (r"(-\infty, \infty)", sympy.Interval(-sympy.oo, sympy.oo)),
    ("(-oo, oo)", sympy.Interval(-sympy.oo, sympy.oo)),
    (r"\mathbb{R}", sympy.Reals), ("ℝ", sympy.Reals), ("all real numbers", sympy.Reals),
    ("[0,1)", sympy.Interval.Ropen(0, 1)),
    (r"[0,1] \cup (2, \infty)", sympy.Union(sympy.Interval(0, 1), sympy.Interval.open(2, sympy.oo))),
    (r"\{1, 2\}", sympy.FiniteSet(1, 2)),
])
def test_sets(text: str, expected) -> None:
    value = read_math(text).value
    if isinstance(value, sympy.Tuple):  # (a, b) is read as a pair; the set checkers make it open
        value = sympy.Interval.open(*value)
    assert value == expected


def test_membership_and_relations() -> None:
    reading = read_math(r"\varepsilon \in (-\infty, \infty)", variables=VARS)
    assert reading.lhs == r"\varepsilon" and reading.kind == "set"
    rel = read_math("x >= 5").value
    assert isinstance(rel, sympy.GreaterThan)
    chain = read_math(r"-2 \le x \le 7").value
    assert isinstance(chain, sympy.And)


def test_assignment_and_decorated_names() -> None:
    reading = read_math(r"\dot{\sigma}_{\text{approx}}(\varepsilon) = \frac{1}{4}", variables=VARS)
    assert reading.value == sympy.Rational(1, 4)
    assert canonical_name(reading.lhs) == "sigma_dot_approx"
    assert read_math("σ̇_approx(ε) ≈ 1/4", variables=VARS).value == sympy.Rational(1, 4)


def test_split_relations() -> None:
    assert split_relations(r"\rho(0.05) = \frac{0.2498}{0.9975} \approx 0.2504") == [
        r"\rho(0.05)", r"\frac{0.2498}{0.9975}", "0.2504"]
    parts, ops = split_relation_chain(r"x \in [0, 1) ")
    assert parts == ["x", "[0, 1)"] and ops == ["∈"]
    parts, ops = split_relation_chain("a ≤ b < c ≈ d")
    assert ops == ["≤", "<", "≈"]
    # relations inside braces are not split
    assert split_relations(r"\sum_{k=0}^{n} k = 5") == [r"\sum_{k=0}^{n} k", "5"]


@pytest.mark.parametrize("text, fragment", [
    ("y + 1", "“y”"), ("1 +* 2", "1 +* 2"), ("__import__('os')", "'os'"), ("().__class__", ""),
    ("lambda: 1", ""), ("[x for x in y]", ""),
])
def test_unreadable_shows_the_offending_text(text: str, fragment: str) -> None:
    with pytest.raises(Unreadable) as info:
        read_math(text, variables=VARS)
    assert fragment in str(info.value)


def test_no_code_runs_from_answers(tmp_path) -> None:
    marker = tmp_path / "pwned"
    attack = f"__import__('os').system('touch {marker}')"
    for text in (attack, f"exec(\"{attack}\")", f"eval('{attack}')"):
        with pytest.raises(Unreadable):
            read_math(text)
    assert not marker.exists()


@pytest.mark.parametrize("text", [
    "10^{10^{10}}", "2^{2^{2^{2^{2^{2}}}}}", "10**10**10**10", r"\frac{1}{" * 500 + "1" + "}" * 500,
    "(" * 300 + "1" + ")" * 300, "x" * 1_000_000, "9" * 5000, r"\frac{1}{(10^{10^{10}})!}",
])
def test_expression_bombs_return_quickly(text: str) -> None:
    start = time.perf_counter()
    try:
        reading = read_math(text)
        assert reading.kind in ("number", "expression")
    except Unreadable:
        pass
    assert time.perf_counter() - start < 5.0


def test_huge_numbers_stay_unevaluated_but_comparable() -> None:
    reading = read_math("10^{10^{10}}")
    assert reading.value.is_Pow  # not a ten-billion-digit integer


def test_run_limited_kills_a_runaway_computation_from_a_thread() -> None:
    outcome = {}

    def spin() -> int:
        while True:
            pass

    def worker() -> None:
        start = time.perf_counter()
        try:
            run_limited(spin, timeout=0.5)
        except LimitExceeded:
            outcome["stopped"] = time.perf_counter() - start

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert outcome.get("stopped", 99) < 3
    assert run_limited(sum, [1, 2, 3], timeout=5) == 6
    assert issubclass(LimitExceeded, BaseException) and not issubclass(LimitExceeded, Exception)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")
def test_run_limited_counts_cpu_time_so_a_busy_machine_does_not_stop_honest_work() -> None:
    # Three busy processes share one core with the computation, which needs
    # 0.3 s of CPU against a 0.6 s limit: about 1.2 s of wall-clock time.
    def compute() -> str:
        started = time.process_time()
        while time.process_time() - started < 0.3:
            pass
        return "done"

    core = {min(os.sched_getaffinity(0))}
    before = os.sched_getaffinity(0)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        for process in busy:
            os.sched_setaffinity(process.pid, core)
        os.sched_setaffinity(0, core)  # the forked child inherits it
        started = time.monotonic()
        assert run_limited(compute, timeout=0.6) == "done"
        assert time.monotonic() - started > 0.6, "the core was not shared; the test proves nothing"
    finally:
        os.sched_setaffinity(0, before)
        for process in busy:
            process.kill()
            process.wait()


def test_size_bound_of_an_integer_over_python_s_str_limit():
    # str() of an int over 4300 digits raises; the bound must not.
    import sympy

    from grader.mathread import _log10_bound

    assert 5000 <= _log10_bound(sympy.Integer(10) ** 5000) <= 5002

"""Time ``grader equiv`` over the Math-Verify cases and report agreement.

    python benchmarks/equiv_bench.py [CASES.json] [--cli] [--repeat N]

In-process (default): every check goes through ``grader.equiv.equivalent``;
prints p50/p99/max milliseconds per check (after one warm-up pass, which
loads the parsers), agreement outside ``text-extraction`` and the false
accepts.  ``--cli`` runs the real ``grader equiv`` command once per case
instead (a fresh interpreter each time, so it measures start-up too).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_CASES = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "math-verify" / "cases.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_in_process(cases: list[dict], repeat: int) -> tuple[list[bool | None], list[float]]:
    from grader.checkers.base import Status
    from grader.equiv import equivalent
    from grader.mathread import forget_readings

    for case in cases:  # warm-up: parser tables, SymPy caches
        equivalent(case["student"], case["reference"], atol=case.get("atol"))
    times: list[float] = []
    judged: list[bool | None] = []
    for _ in range(repeat):
        judged = []
        for case in cases:
            forget_readings()  # each check reads its answers afresh, as a new answer would be
            start = time.perf_counter()
            verdict = equivalent(case["student"], case["reference"], atol=case.get("atol"))
            times.append(time.perf_counter() - start)
            judged.append(verdict.status is Status.CORRECT)
    return judged, times


def run_cli(cases: list[dict]) -> tuple[list[bool | None], list[float]]:
    times: list[float] = []
    judged: list[bool | None] = []
    for case in cases:
        command = [sys.executable, "-m", "grader", "equiv"]
        if case.get("atol") is not None:
            command += ["--atol", str(case["atol"])]
        command += ["--", case["student"], case["reference"]]  # "--": answers such as "-5" are not options
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - start)
        judged.append(result.returncode == 0)
    return judged, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="?", default=str(DEFAULT_CASES))
    parser.add_argument("--cli", action="store_true", help="run the real command once per case")
    parser.add_argument("--repeat", type=int, default=3, help="in-process passes to time (default 3)")
    args = parser.parse_args()
    path = Path(args.cases)
    if not path.exists():
        print(f"equiv_bench: case file {path} not found", file=sys.stderr)
        return 2
    cases = [c for c in json.loads(path.read_text(encoding="utf-8"))["cases"] if c["category"] != "text-extraction"]
    judged, times = run_cli(cases) if args.cli else run_in_process(cases, max(1, args.repeat))
    agree = sum(1 for case, got in zip(cases, judged) if got == case["expected"])
    false_accepts = [case["id"] for case, got in zip(cases, judged) if got and not case["expected"]]
    mode = "CLI (one process per case)" if args.cli else "in-process API"
    print(f"mode: {mode}; checks timed: {len(times)}")
    print(f"p50 {percentile(times, 0.50) * 1000:.1f} ms   p99 {percentile(times, 0.99) * 1000:.1f} ms   "
          f"max {max(times) * 1000:.1f} ms   mean {statistics.fmean(times) * 1000:.1f} ms")
    print(f"agreement outside text-extraction: {agree}/{len(cases)} ({agree / len(cases):.1%}); "
          f"false accepts: {len(false_accepts)} {false_accepts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

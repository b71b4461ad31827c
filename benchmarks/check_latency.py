"""How long a student waits for ``grader check``: the real command, start to finish.

    python benchmarks/check_latency.py [--repeat N]

Runs ``grader check`` on the bundled samples, as a student would from the
project's top folder, against the instructor's specs and against the
published copy students get (``grader publish``); prints the median and
the spread of the wall-clock seconds for each.  Every run is a fresh
interpreter: start-up, loading the specs, warming the sandbox, running the
code and reading the written answers all count.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (what is checked, the submission): code alone, written maths alone, a folder of both.
SUBMISSIONS = (("foundations.py", "submissions/alice/foundations.py"),
               ("q2.md", "submissions/alice/q2.md"),
               ("folder (foundations.py + q2.md)", "submissions/alice"),
               ("folder (notebook + answers.yaml)", "submissions/carol"))


def wall_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    grader = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as published:
        subprocess.run(grader + ["publish", "problems", "--out", published], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"grader check, wall seconds over {args.repeat} runs (median [min–max])")
        for specs_name, specs in (("instructor's specs", "problems"), ("published specs", published)):
            for name, submission in SUBMISSIONS:
                wall_seconds(grader + ["check", specs, submission])  # the first run fills the OS file cache
                times = [wall_seconds(grader + ["check", specs, submission]) for _ in range(args.repeat)]
                print(f"  {specs_name:19} {name:34} {statistics.median(times):5.2f} "
                      f"[{min(times):.2f}–{max(times):.2f}]")
        times = [wall_seconds(grader + ["--help"]) for _ in range(args.repeat)]
        print(f"  grader --help{'':42} {statistics.median(times):5.2f}")


if __name__ == "__main__":
    main()

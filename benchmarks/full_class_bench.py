"""A full class run, end to end: ``grader grade`` on generated submissions, reports included.

Each student hands in foundations.py (assembled from the spec's reference
solutions, derivatives written out with NumPy as the tutorial does, one in
five also importing matplotlib as the tutorial's plots do, and some
functions broken in varied ways) and q2.md (a written answer with varied
values).  The run is the real command in a subprocess;
the script reports wall time, time per student, and the peak memory of the
whole process tree (the run, its workers, the sandbox zygotes and children),
sampled from /proc: proportional set size (PSS), which counts a page shared
by a zygote and its forked children once, and the summed resident sizes
(RSS), which count it once per process.

    python benchmarks/full_class_bench.py                 # 1,000 students, all cores
    python benchmarks/full_class_bench.py --students 200 --executor thread --repeat 3

Goal: 1,000 students in at most 30 s with peak memory at most 1 GiB.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = [REPO / "problems" / "foundations.yaml", REPO / "problems" / "q2-activations.yaml"]

Q2_TEMPLATE = r"""# Question 2

## Q2.1

(a) Expanding $\dot\sigma$ to first order, $\dot{{\sigma}}_{{\text{{approx}}}}(\varepsilon) = {a}$.

(b) Likewise $\dot{{\tanh}}_{{\text{{approx}}}}(\varepsilon) = {b}$.

## Q2.2

$\dot\sigma_{{approx}} \le \dot\tanh_{{approx}}$ holds for $\varepsilon \in {interval}$.

## Q2.3

(a) $\rho_{{\text{{approx}}}}(\varepsilon) = {rho}$

(b) $\rho(0.05) \approx {rho_eps}$

(c) $\rho(0.05)^{{T}} = [{powers}]$ for $T = 1, 5, 10, 20$.

(d) The {faster} one decays faster.

## Q2.4

{prose}
"""

VARIANTS = {
    "a": [r"\frac{1}{4}", "0.25", r"\frac{1}{4} + \frac{\varepsilon}{4}", "1/4"],
    "b": ["1", r"1 - \varepsilon^2", "1.0"],
    "interval": [r"(-\infty, \infty)", r"\mathbb{R}", r"[0, \infty)"],
    "rho": [r"\frac{1}{4}", "0.25", "4"],
    "rho_eps": ["0.2505", "0.25", "0.3"],
    "powers": ["0.2505, 9.9e-4, 9.7e-7, 9.4e-13", "0.25, 9.8e-4, 9.5e-7, 9.1e-13", "0.2505, 0.001, 0, 0"],
    "faster": ["approximation", "true ratio"],
    "prose": [
        "Back-propagation through time multiplies the gradient by one derivative per time step; the sigmoid's "
        "derivative is at most 1/4 and tanh's at most 1, so with sigmoid the product shrinks like $(1/4)^T$ and "
        "the gradients vanish exponentially, much faster than with tanh.",
        "The gradients vanish.",
        "Sigmoid is worse than tanh because its derivative is small, so long sequences are hard to learn.",
    ],
}

# Ways to break a reference solution: (text in the solution, replacement).
BREAKS = [
    ("return A @ B", "return np.multiply(A, B)"),
    ("def dot(", "def dot_product("),
    ("import numpy as np", "import numpy as np\nnp.seterr(all='ignore')"),
]


# A student writes the derivatives by hand, as the tutorial does; the spec's
# references compute them with SymPy, which a student's file rarely imports.
HAND_WRITTEN = {
    "product_rule_derivative": "def product_rule_derivative(values):\n"
                               "    x = np.asarray(values, dtype=float)\n"
                               "    return 2 * x * np.sin(x) + x ** 2 * np.cos(x)\n",
    "chain_rule_derivative": "def chain_rule_derivative(values):\n"
                             "    x = np.asarray(values, dtype=float)\n"
                             "    return 6 * x ** 5 * np.cos(x ** 6)\n",
}
STUDENT_IMPORTS = "import numpy as np\nimport scipy\nimport scipy.integrate\nimport scipy.special\nfrom scipy import stats\n"
PLOTTING = "import matplotlib.pyplot as plt  # the tutorial plots its derivatives\n"


def foundations_source() -> str:
    sys.path.insert(0, str(REPO))
    from grader.spec import load_problem_set

    ps = load_problem_set(PROBLEMS[0])
    pieces = [STUDENT_IMPORTS]
    pieces += [HAND_WRITTEN.get(p.code.function, p.code.solution) for p in ps.parts if p.code is not None]
    return "\n\n".join(pieces) + "\n"


def make_class(folder: Path, students: int) -> None:
    good = foundations_source()
    for number in range(students):
        student = folder / f"student{number:04d}"
        student.mkdir(parents=True)
        text = good
        if number % 4:
            old, new = BREAKS[number % len(BREAKS)]
            text = text.replace(old, new, 1)
        if number % 5 == 2:
            text = PLOTTING + text
        (student / "foundations.py").write_text(text + f"# student {number}\n")
        choice = {key: values[(number // (i + 1)) % len(values)] for i, (key, values) in enumerate(VARIANTS.items())}
        (student / "q2.md").write_text(Q2_TEMPLATE.format(**choice))


def tree_pids(root: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def tree_memory(root: int, proportional: bool) -> int:
    """Memory of a process tree in bytes.  Proportional (PSS) counts a page
    shared by n processes as 1/n to each, so the sandbox zygotes' pages that
    their forked children share are counted once; the sum of resident sizes
    (RSS) counts them once per process, an overestimate."""
    total = 0
    for pid in tree_pids(root):
        try:
            if proportional:
                with open(f"/proc/{pid}/smaps_rollup") as handle:
                    total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
            else:
                with open(f"/proc/{pid}/statm") as handle:
                    total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(subs: Path, out: Path, jobs: int, executor: str) -> tuple[float, dict, str]:
    env = dict(os.environ, GRADER_EXECUTOR=executor)
    command = [sys.executable, "-m", "grader", "grade", *map(str, PROBLEMS), "--submissions", str(subs),
               "--out", str(out), "--no-progress"]
    if jobs:
        command += ["--jobs", str(jobs)]
    peak = {"pss": 0, "rss": 0}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        # PSS costs the kernel a page-table walk per process: sampled less often than RSS.
        ticks = 0
        while not done.is_set():
            peak["rss"] = max(peak["rss"], tree_memory(process.pid, proportional=False))
            if ticks % 5 == 0:
                peak["pss"] = max(peak["pss"], tree_memory(process.pid, proportional=True))
            ticks += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"grader grade failed ({process.returncode}):\n{err}")
    return seconds, peak, err.strip().splitlines()[-1] if err.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=0, help="default: the command's own default")
    parser.add_argument("--executor", choices=["process", "thread"], default="thread",
                        help="GRADER_EXECUTOR for the run (default: thread, as the command)")
    parser.add_argument("--repeat", type=int, default=1, help="runs (each into a fresh --out)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        subs = Path(tmp) / "submissions"
        make_class(subs, args.students)
        times, peaks = [], []
        for run in range(args.repeat):
            seconds, peak, line = measure(subs, Path(tmp) / f"out{run}", args.jobs, args.executor)
            times.append(seconds)
            peaks.append(peak)
            print(f"run {run + 1}: {seconds:.1f} s, peak memory {peak['pss'] / 2**20:.0f} MiB PSS "
                  f"({peak['rss'] / 2**20:.0f} MiB summed RSS) — {line}")
        resumed, _, line = measure(subs, Path(tmp) / "out0", args.jobs, args.executor)
        median = statistics.median(times)
        print(f"{args.students} students, {args.executor} executor, jobs={args.jobs or 'default'}: "
              f"median {median:.1f} s ({1000 * median / args.students:.1f} ms/student), "
              f"peak memory {max(p['pss'] for p in peaks) / 2**20:.0f} MiB PSS of the process tree "
              f"({max(p['rss'] for p in peaks) / 2**20:.0f} MiB summed RSS); "
              f"rerun with nothing to grade: {resumed:.1f} s")


if __name__ == "__main__":
    main()

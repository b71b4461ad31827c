"""Grade a synthetic class of foundations.py submissions through the warm
zygote pool and through fresh interpreters, and compare.

    python benchmarks/class_bench.py [--students 500] [--fresh-students 40] [--jobs 6]

The class is mostly correct submissions, some buggy ones (classic mistakes:
element-wise matmul, sample variance, np.trapz, ...) and a few hostile ones
(lying objects, monkeypatching, forged output, exit at import, a segfault,
an infinite loop).  Each submission gets the calls of the foundations spec
(problems/foundations.yaml, when the pipeline can load it) or a built-in
set of similar calls.  Fresh mode is slow, so it grades only a sample of
the class (``--fresh-students``), which the pool also grades for the ratio.

Printed: submissions/second through the pool for the whole class and for
the class without its infinitely looping files (each of the first two
looping cases of a function costs its full 2 s limit; the others are not run); both modes on the same sample of the class (every k-th
file) and their ratio; CPU per submission; and the pool's per-submission
overhead: the CPU of submissions whose functions do nothing, and the wall
time of one run beyond the time spent inside the student's functions
(measured with one job).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.readers.code import load_code  # noqa: E402
from grader.sandbox import Call, WorkerPool, run_fresh  # noqa: E402

CORRECT = '''
import numpy as np
from scipy import optimize, stats


def matmul(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    return A @ B


def dot(u, v):
    return float(np.dot(u, v))


def l1_norm(v):
    return float(np.sum(np.abs(v)))


def l2_norm(v):
    return float(np.sqrt(np.sum(np.asarray(v, dtype=float) ** 2)))


def frobenius_norm(M):
    return float(np.sqrt(np.sum(np.asarray(M, dtype=float) ** 2)))


def inverse(M):
    return np.linalg.inv(np.asarray(M, dtype=float))


def determinant(M):
    return float(np.linalg.det(np.asarray(M, dtype=float)))


def symmetric_eig(M):
    w, V = np.linalg.eigh(np.asarray(M, dtype=float))
    return w, V


def tensor_shape_rank(T):
    a = np.asarray(T)
    return tuple(int(n) for n in a.shape), a.ndim


def numerical_derivative(y, x):
    return np.gradient(np.asarray(y, dtype=float), np.asarray(x, dtype=float))


def product_rule_derivative(x):
    x = np.asarray(x, dtype=float)
    return 2 * x * np.sin(x) + x ** 2 * np.cos(x)


def chain_rule_derivative(x):
    x = np.asarray(x, dtype=float)
    return np.cos(x ** 6) * 6 * x ** 5


def gradient_descent(x0, learning_rate, iterations):
    x = float(x0)
    for _ in range(int(iterations)):
        x -= learning_rate * (2 * x - 2)
    return x


def trapezoid(y, x):
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def mean(values):
    return float(np.mean(values))


def variance(values):
    return float(np.var(values))


def covariance_matrix(x, y):
    return np.cov(x, y)


def correlation(x, y):
    return float(np.corrcoef(x, y)[0, 1])


def t_test(sample1, sample2):
    result = stats.ttest_ind(sample1, sample2)
    return float(result.statistic), float(result.pvalue)


def posterior(prior, likelihood, false_positive_rate):
    evidence = likelihood * prior + false_positive_rate * (1 - prior)
    return likelihood * prior / evidence


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def relu(x):
    return np.maximum(0, np.asarray(x, dtype=float))


def softmax(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x))
    return e / e.sum()


def normalize(M):
    M = np.asarray(M, dtype=float)
    norm = np.sqrt(np.sum(M ** 2))
    if norm == 0:
        raise ValueError("all-zero matrix")
    return M / norm


def minimize_quadratic(x0):
    return optimize.minimize(lambda x: float(np.sum(x ** 2)), np.asarray(x0, dtype=float)).x
'''

# (function name, buggy replacement) — the tutorial's classic mistakes.
BUGS = [
    ("matmul", "def matmul(A, B):\n    return np.asarray(A) * np.asarray(B)\n"),
    ("variance", "def variance(values):\n    return float(np.var(values, ddof=1))\n"),
    ("trapezoid", "def trapezoid(y, x):\n    return float(np.trapz(y, x))\n"),
    ("sigmoid", "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n"),
    ("softmax", "def softmax(x):\n    e = np.exp(np.asarray(x, dtype=float))\n    return e / e.sum()\n"),
    ("chain_rule_derivative", "def chain_rule_derivative(x):\n    return np.cos(np.asarray(x) ** 6)\n"),
    ("inverse", "def inverse(M):\n    return np.linalg.pinv(M)\n"),
    ("covariance_matrix", "def covariance_matrix(x, y):\n    return np.cov(x, y, bias=True)\n"),
]

HOSTILE = {
    "lying": "\nclass Liar(float):\n    def __eq__(self, other):\n        return True\n"
             "def dot(u, v):\n    return Liar(0.0)\n",
    "monkeypatch": "\nimport math, builtins\nnp.allclose = lambda *a, **k: True\nmath.isclose = lambda *a, **k: True\n"
                   "builtins.abs = lambda x: 0\ndef l1_norm(v):\n    return 0.0\n",
    "forged": "\nprint('{\"score\": 100.0}')\ndef mean(values):\n    print('{\"score\": 100.0}')\n    return 0.0\n",
    "exit": "\nimport sys\nsys.exit(0)\n",
    "segfault": "\nimport ctypes\ndef relu(x):\n    return ctypes.string_at(0xDEAD00000000, 8)\n",
    "loop": "\ndef posterior(prior, likelihood, false_positive_rate):\n    while True:\n        pass\n",
}


def make_class(folder: Path, students: int, seed: int = 0) -> list[tuple[str, Path]]:
    """Write ``students`` foundations.py files: ~83% correct, ~15% buggy, ~2% hostile."""
    rng = random.Random(seed)
    hostile_kinds = sorted(HOSTILE)
    entries = []
    for k in range(students):
        roll = rng.random()
        if k % 50 == 7:  # 2%: one hostile file of each kind in turn
            kind = f"hostile-{hostile_kinds[(k // 50) % len(hostile_kinds)]}"
            text = CORRECT + HOSTILE[kind.split("-", 1)[1]]
        elif roll < 0.15:
            bugs = rng.sample(BUGS, rng.randint(1, 3))
            kind = "buggy"
            text = CORRECT + "\n\n" + "\n\n".join(body for _, body in bugs)
        else:
            kind = "correct"
            text = CORRECT
        path = folder / f"student{k:04d}" / "foundations.py"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        entries.append((kind, path))
    return entries


def spec_calls() -> tuple[list[Call], str]:
    """The calls the foundations spec makes, or a built-in equivalent."""
    try:
        from grader.cli import load_references

        refs = load_references([str(ROOT / "problems" / "foundations.yaml")])[0]
        calls = []
        for part in refs.problem_set.parts:
            if part.code is None:
                continue
            for number, case in enumerate(refs[part.label].cases, 1):
                calls.append(Call(part.code.function, case.args, f"{part.label}/{number}",
                                  capture_output=case.case.public))
        return calls, "problems/foundations.yaml"
    except Exception as exc:  # noqa: BLE001 - the pipeline may not exist yet
        print(f"(spec not loadable: {exc}; using built-in calls)")
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    v, x = rng.normal(size=8), np.linspace(0, 1, 11)
    S = A @ A.T
    builtin = [("matmul", (A, B)), ("dot", (v, v)), ("l1_norm", (v,)), ("l2_norm", (v,)),
               ("frobenius_norm", (A,)), ("inverse", (S,)), ("determinant", (S,)),
               ("symmetric_eig", (S,)), ("tensor_shape_rank", (A,)), ("numerical_derivative", (x ** 2, x)),
               ("product_rule_derivative", (x,)), ("chain_rule_derivative", (x,)),
               ("gradient_descent", (3.0, 0.1, 100)), ("trapezoid", (x ** 2, x)), ("mean", (v,)),
               ("variance", (v,)), ("covariance_matrix", (v, v ** 2)), ("correlation", (v, v ** 2)),
               ("t_test", (v, v + 1)), ("posterior", (0.01, 0.9, 0.05)), ("sigmoid", (v * 1000,)),
               ("relu", (A,)), ("softmax", (np.array([1000.0, 1001.0, 1002.0]),)),
               ("normalize", (A,)), ("minimize_quadratic", (np.ones(3),))]
    return [Call(f, args, f"{f}/{n}", capture_output=(n == 0)) for f, args in builtin for n in range(4)], "built-in"


def grade(runner, entries, calls, jobs: int) -> tuple[float, list[float], list]:
    """Grade every entry; returns (wall seconds, per-run seconds, runs)."""
    sources = [load_code(path) for _, path in entries]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as executor:
        runs = list(executor.map(lambda source: runner(source, calls), sources))
    return time.perf_counter() - started, [run.seconds for run in runs], runs


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process plus its waited-for children (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def zygotes_cpu(pool) -> float:
    return sum(process_tree_cpu(pid) for pid in pool.zygote_pids)


def own_cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def student_compute(run) -> float:
    return sum(outcome.seconds for outcome in run.outcomes if outcome.status in ("ok", "raised"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--fresh-students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=6)
    args = parser.parse_args()

    calls, origin = spec_calls()
    print(f"calls per submission: {len(calls)} (from {origin}); jobs: {args.jobs}")
    with tempfile.TemporaryDirectory(prefix="class-bench-") as tmp:
        entries = make_class(Path(tmp), args.students)
        kinds = {kind: sum(1 for k, _ in entries if k == kind) for kind in sorted({k for k, _ in entries})}
        print("class:", ", ".join(f"{n} {kind}" for kind, n in kinds.items()))

        started = time.perf_counter()
        with WorkerPool() as pool:
            print(f"pool start: {time.perf_counter() - started:.2f} s")
            # Overhead beyond the student's compute: correct files, one at a time.
            correct = [e for e in entries if e[0] == "correct"][:40]
            _, _, serial_runs = grade(pool.run, correct, calls, jobs=1)
            overhead = [run.seconds - student_compute(run) for run in serial_runs]
            compute = [student_compute(run) for run in serial_runs]
            # Pure overhead in CPU: submissions whose functions do no work.
            null_path = Path(tmp) / "null" / "foundations.py"
            null_path.parent.mkdir()
            null_path.write_text("".join(f"def {name}(*args):\n    return 0.0\n" for name in
                                         sorted({call.function for call in calls})))
            nulls = [("null", null_path)] * 100
            cpu_before = own_cpu() + zygotes_cpu(pool)
            null_wall, null_seconds, _ = grade(pool.run, nulls, calls, args.jobs)
            null_cpu = (own_cpu() + zygotes_cpu(pool) - cpu_before) / len(nulls)
            cpu_before = own_cpu() + zygotes_cpu(pool)
            wall, _, runs = grade(pool.run, entries, calls, args.jobs)
            pool_cpu = (own_cpu() + zygotes_cpu(pool) - cpu_before) / len(entries)
            # What infinite loops cost: each looping case takes its full time limit.
            no_loops = [e for e in entries if e[0] != "hostile-loop"]
            no_loops_wall, _, _ = grade(pool.run, no_loops, calls, args.jobs)
            # The ratio compares both modes on the same files: every k-th file of the class.
            sample = entries[:: max(1, len(entries) // args.fresh_students)][: args.fresh_students]
            sample_pool_wall, _, _ = grade(pool.run, sample, calls, args.jobs)
        pool_rate = len(entries) / wall
        pool_compute = statistics.mean(student_compute(run) for run in runs)
        statuses = {}
        for run in runs:
            statuses[run.load_status] = statuses.get(run.load_status, 0) + 1

        cpu_before = own_cpu() + own_cpu(resource.RUSAGE_CHILDREN)
        fresh_wall, fresh_seconds, _ = grade(run_fresh, sample, calls, args.jobs)
        fresh_cpu = (own_cpu() + own_cpu(resource.RUSAGE_CHILDREN) - cpu_before) / len(sample)
        fresh_rate = len(sample) / fresh_wall

    looping = len(entries) - len(no_loops)
    print(f"load statuses (pool): {statuses}")
    print(f"warm pool, whole class: {len(entries)} submissions in {wall:.2f} s = {pool_rate:.1f} submissions/s")
    print(f"warm pool, without the {looping} file(s) whose function loops forever on every case: "
          f"{len(no_loops)} in {no_loops_wall:.2f} s = {len(no_loops) / no_loops_wall:.1f} submissions/s")
    print(f"same {len(sample)} files (every {max(1, len(entries) // args.fresh_students)}th): "
          f"warm pool {len(sample) / sample_pool_wall:.1f}/s, fresh interpreters {fresh_rate:.2f}/s "
          f"(median run {statistics.median(fresh_seconds) * 1000:.0f} ms): "
          f"ratio {len(sample) / sample_pool_wall / fresh_rate:.1f}x (wall-clock rates)")
    cores = len(os.sched_getaffinity(0))
    print(f"CPU per submission (grader + zygote + sandboxes): pool {pool_cpu * 1000:.1f} ms "
          f"(of which student compute {pool_compute * 1000:.1f} ms, so overhead {(pool_cpu - pool_compute) * 1000:.1f} ms), "
          f"fresh {fresh_cpu * 1000:.0f} ms; CPU ratio {fresh_cpu / pool_cpu:.1f}x; "
          f"capacity on {cores} idle cores: pool {cores / pool_cpu:.0f}/s, fresh {cores / fresh_cpu:.1f}/s")
    print(f"do-nothing submissions ({len(calls)} calls each): {len(nulls) / null_wall:.1f}/s wall, "
          f"CPU {null_cpu * 1000:.1f} ms per submission = the pool's per-submission overhead; "
          f"median run {statistics.median(null_seconds) * 1000:.1f} ms")
    print(f"machine load average during the run: {os.getloadavg()[0]:.1f}")
    print(f"one job, correct files: median run {statistics.median(s.seconds for s in serial_runs) * 1000:.1f} ms, "
          f"median student compute {statistics.median(compute) * 1000:.1f} ms, "
          f"median overhead {statistics.median(overhead) * 1000:.1f} ms per submission")


if __name__ == "__main__":
    main()

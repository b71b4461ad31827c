"""Submissions are forked from the smallest warm zygote that preloads what they name."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.readers.code import load_code
from grader.sandbox import Call, WorkerPool
from grader.sandbox.tiers import tier_for


@pytest.mark.parametrize("source, tier", [
    ("import numpy as np\n\ndef f(x):\n    return np.sum(x)\n", "numpy"),
    ("import math\n\ndef f(x):\n    return math.fsum(x)\n", "numpy"),
    ("from scipy import stats\n", "scipy"),
    ("import scipy.optimize as opt\n", "scipy"),
    ("import numpy as np\nfrom scipy.integrate import trapezoid\n", "scipy"),
    ("import sympy as sp\n", "full"),
    ("from scipy import stats\nimport matplotlib.pyplot as plt\n", "full"),
    ("from pylab import *\n", "full"),
    ("import mpmath\n", "full"),
    # A word inside an identifier is not a library.
    ("def my_scipy_free_sum(x):\n    return sum(x)\n", "numpy"),
])
def test_the_smallest_tier_that_has_every_named_library(source, tier):
    assert tier_for([source]) == tier


def test_a_notebook_takes_the_largest_tier_any_cell_needs():
    assert tier_for(["import numpy as np", "x = 1", "import sympy"]) == "full"


def _run(pool: WorkerPool, tmp_path: Path, name: str, text: str, calls):
    path = tmp_path / name
    path.write_text(text)
    return pool.run(load_code(path), calls)


def test_each_tier_runs_what_it_preloads_and_records_its_tier(tmp_path):
    with WorkerPool() as pool:
        numpy_run = _run(pool, tmp_path, "a.py", "import numpy as np\n\ndef f(x):\n"
                         "    np.testing.assert_allclose(x, x)\n    return float(np.mean(x))\n",
                         [Call("f", ([1.0, 2.0],))])
        scipy_run = _run(pool, tmp_path, "b.py", "from scipy import stats\n\ndef f(x):\n"
                         "    return float(stats.ttest_ind(x, [v + 1 for v in x]).pvalue)\n",
                         [Call("f", ([1.0, 2.0, 4.0],))])
        sympy_run = _run(pool, tmp_path, "c.py", "import sympy\n\ndef f(x):\n"
                         "    t = sympy.Symbol('t')\n    return float(sympy.diff(t ** 2, t).subs(t, x))\n",
                         [Call("f", (3.0,))])
        pids = pool.zygote_pids
    assert [r.isolation["zygote_tier"] for r in (numpy_run, scipy_run, sympy_run)] == ["numpy", "scipy", "full"]
    assert numpy_run.outcomes[0].value == 1.5
    assert 0.0 < scipy_run.outcomes[0].value < 1.0
    assert sympy_run.outcomes[0].value == 6.0
    assert len(set(pids)) == 3


def test_only_the_tiers_asked_for_or_used_are_started(tmp_path):
    with WorkerPool() as pool:
        assert pool.available["rlimits"] is True  # waits for the smallest tier, which probes the machine
        assert len(pool.zygote_pids) == 1
        _run(pool, tmp_path, "a.py", "import numpy\n\ndef f():\n    return 1\n", [Call("f", ())])
        assert len(pool.zygote_pids) == 1
    with WorkerPool(preload=("scipy",)) as pool:
        assert pool.available["rlimits"] is True
        run = _run(pool, tmp_path, "b.py", "import scipy\n\ndef f():\n    return 2\n", [Call("f", ())])
        assert run.outcomes[0].value == 2 and len(pool.zygote_pids) == 1


def test_what_star_imports_help_and_profiling_load_lazily_is_there_after_the_uid_drop(tmp_path):
    # After the sandbox drops privileges, the interpreter's own files may be unreadable:
    # modules the libraries load on first use must already be in the zygote.
    source = ("from numpy import *\nimport numpy.matlib\nimport cProfile, pstats, fileinput\n\n"
              "def f(x):\n    help(len)\n    return float(mean(array(x)))\n")
    with WorkerPool() as pool:
        run = _run(pool, tmp_path, "star.py", source, [Call("f", ([1.0, 3.0],))])
        scipy_run = _run(pool, tmp_path, "io.py", "import scipy.io\n\ndef f(x):\n    return 1.0\n",
                         [Call("f", (0,))])
    assert run.load_status == "ok", run.load_message
    assert run.outcomes[0].status == "ok" and run.outcomes[0].value == 2.0
    assert scipy_run.load_status == "ok", scipy_run.load_message


def test_the_numpy_tier_zygote_holds_neither_sympy_nor_the_graders_own_checkers():
    # Fork cost grows with the zygote's memory; SymPy alone is most of a "full" zygote.
    import subprocess
    import sys

    probe = ("import sys\nimport grader.sandbox.zygote as zygote\nzygote.warm_up('numpy')\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'yaml', 'scipy')"
             " or m.startswith(('grader.spec', 'grader.checkers', 'grader.mathread'))))")
    run = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"

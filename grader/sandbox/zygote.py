"""The warm zygote: a process that has imported and exercised the scientific
stack once, then forks one monitor per submission on request.

It is started by :class:`grader.sandbox.WorkerPool` as a fresh interpreter
(``python -I -m grader.sandbox.zygote FD``) with a scrubbed environment, so
it holds no specs, references, hidden cases or secrets: a forked child can
read everything in its parent's memory.

Control protocol on the ``AF_UNIX``/``SOCK_SEQPACKET`` socket FD:

* zygote -> parent, once: ``{"ready": true, "available": {...}}``
* parent -> zygote: one JSON request with two file descriptors attached
  (calls pipe read end, result pipe write end);
* zygote -> parent: ``{"pid": <monitor pid>}``.
"""
from __future__ import annotations

import gc
import io
import json
import os
import signal
import socket
import sys

# Set before NumPy loads its BLAS: one thread per process, and no threads
# means fork is safe and RLIMIT_NPROC is not eaten by BLAS workers.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"
os.environ["MPLBACKEND"] = "Agg"

# Standard-library modules students commonly import.  They are imported
# here because after the uid drop the interpreter's own files may be
# unreadable (e.g. a Python installed under /root).
STDLIB_MODULES = (
    "abc", "argparse", "array", "bisect", "cmath", "collections", "collections.abc", "contextlib",
    "copy", "csv", "dataclasses", "datetime", "decimal", "enum", "fractions", "functools",
    "heapq", "itertools", "json", "math", "numbers", "operator", "pathlib", "pprint",
    "random", "re", "statistics", "string", "struct", "textwrap", "time", "timeit",
    "traceback", "typing", "warnings", "inspect", "ctypes", "unittest", "doctest",
)
SCIENTIFIC_MODULES = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial",
    "scipy", "scipy.optimize", "scipy.stats", "scipy.linalg", "scipy.integrate",
    "scipy.special", "scipy.interpolate", "scipy.signal", "scipy.sparse",
    "sympy", "matplotlib", "matplotlib.pyplot",
)


def warm_up(exercise: bool = True) -> None:
    """Import the stack; with ``exercise``, also run each library once so its
    lazy initialisation (SymPy's especially) is paid here, not per child."""
    import importlib
    for name in STDLIB_MODULES + SCIENTIFIC_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module missing must not stop grading
            pass
    from . import codec
    codec.freeze_library_types()
    if not exercise:
        return
    import numpy as np
    import scipy.integrate
    import scipy.optimize
    import scipy.stats
    import sympy
    import matplotlib.pyplot as plt

    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.linalg.inv(a), np.linalg.det(a), np.linalg.eigh(a), np.linalg.norm(a), a @ a
    np.gradient(np.arange(5.0) ** 2, np.arange(5.0)), np.exp(a), np.cov(a), np.corrcoef(a)
    scipy.optimize.minimize(lambda x: float((x ** 2).sum()), np.ones(2))
    scipy.stats.ttest_ind([1.0, 2.0, 3.0], [2.0, 3.0, 5.0]), scipy.integrate.trapezoid([1.0, 2.0])
    x = sympy.Symbol("x")
    expression = sympy.diff(x ** 2 * sympy.sin(x), x)
    sympy.simplify(expression), sympy.latex(expression), sympy.integrate(x ** 2, x)
    sympy.lambdify(x, expression, "numpy")(np.linspace(0, 1, 3))
    figure = plt.figure()
    plt.plot([0, 1], [1, 0])
    figure.savefig(io.BytesIO(), format="png")
    plt.close(figure)


def library_fds(exclude: tuple[int, ...] = ()) -> list[int]:
    """File descriptors the warmed-up libraries hold open (read-only files
    such as matplotlib's fonts), which children must keep."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # the descriptor listdir itself used
        if fd > 2 and fd not in exclude and target.startswith("/") and os.path.isfile(target):
            fds.append(fd)
    return fds


def serve(control: socket.socket) -> None:
    from . import child, isolation

    available = isolation.detect()
    warm_fds = library_fds(exclude=(control.fileno(),))
    control.send(json.dumps({"ready": True, "available": available}).encode())
    # Monitors are reaped automatically; the parent learns outcomes from pipes.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Objects alive now are never collected: the children's garbage
    # collector then does not touch (and copy) the inherited pages.
    gc.collect()
    gc.freeze()
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
        except InterruptedError:
            continue
        if not data:
            return  # the parent closed the pool
        try:
            request = json.loads(data)
            calls_fd, result_fd = fds
            request["library_fds"] = warm_fds
        except (ValueError, TypeError):
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"error": "bad request"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            child.monitor(request, calls_fd, result_fd, available)
        os.close(calls_fd)
        os.close(result_fd)
        control.send(json.dumps({"pid": pid}).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    warm_up(exercise=True)
    serve(control)


if __name__ == "__main__":
    main()

"""The warm zygote: a process that has imported and exercised the scientific
stack once, then forks one monitor per submission on request.

It is started by :class:`grader.sandbox.WorkerPool` as a fresh interpreter
(``python -I -m grader.sandbox.zygote FD TIER``, see :mod:`.tiers` for what
each tier preloads) with a scrubbed environment, so
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
import select
import signal
import socket
import sys

from . import tiers

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
    "socket", "glob", "shutil", "tempfile", "io", "pickle", "hashlib", "base64", "zlib",
    "string", "locale", "weakref", "types", "numbers", "difflib", "gzip", "uuid",
    "encodings.idna", "encodings.ascii", "encodings.latin_1", "encodings.utf_16",
    "encodings.utf_32", "encodings.cp1252", "encodings.unicode_escape", "encodings.raw_unicode_escape",
    # Pulled in by `from numpy import *` (fileinput), help() and np.info (pydoc), profiling, np.memmap.
    "fileinput", "pydoc", "pkgutil", "mmap", "cProfile", "profile", "pstats",
)


def warm_up(tier: str = "full", exercise: bool = True) -> None:
    """Import the standard library and the tier's libraries; with
    ``exercise``, also run each library once so its lazy initialisation
    (SymPy's especially) is paid here, not per child.  The fresh-interpreter
    baseline asks for the "numpy" tier (the codec needs NumPy) without
    exercise: there the student's own imports pay for the rest."""
    import importlib
    modules = tiers.TIERS[tier]
    for name in STDLIB_MODULES + modules:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module missing must not stop grading
            pass
    from . import codec
    codec.freeze_library_types()
    if exercise:
        _exercise(set(modules))


def _exercise(modules: set[str]) -> None:
    import numpy as np

    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.linalg.inv(a), np.linalg.det(a), np.linalg.eigh(a), np.linalg.norm(a), a @ a
    np.gradient(np.arange(5.0) ** 2, np.arange(5.0)), np.exp(a), np.cov(a), np.corrcoef(a)
    if "scipy" in modules:
        import scipy.integrate
        import scipy.optimize
        import scipy.stats

        scipy.optimize.minimize(lambda x: float((x ** 2).sum()), np.ones(2))
        scipy.stats.ttest_ind([1.0, 2.0, 3.0], [2.0, 3.0, 5.0]), scipy.integrate.trapezoid([1.0, 2.0])
    if "sympy" in modules:
        import sympy

        x = sympy.Symbol("x")
        expression = sympy.diff(x ** 2 * sympy.sin(x), x)
        sympy.simplify(expression), sympy.latex(expression), sympy.integrate(x ** 2, x)
        sympy.lambdify(x, expression, "numpy")(np.linspace(0, 1, 3))
    if "matplotlib" in modules:
        import matplotlib.pyplot as plt

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
    """Answer spawn requests until the parent closes the socket; reap every
    sandbox and write its exit report on its result pipe."""
    from . import child, isolation

    available = isolation.detect()
    warm_fds = library_fds(exclude=(control.fileno(),))
    # Orphans of a sandbox (a fork bomb's children, a double-forked daemon)
    # come to us, not to the system's init, so _reap can tell that a run
    # left processes behind.
    isolation.set_child_subreaper()
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    control.send(json.dumps({"ready": True, "available": available}).encode())
    # Objects alive now are never collected: the children's garbage
    # collector then does not touch (and copy) the inherited pages.
    gc.collect()
    gc.freeze()
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    sandboxes: dict[int, tuple[int, int | None]] = {}  # pid -> (write end of its result pipe, its uid)
    while True:
        try:
            events = poller.poll(1000)
        except InterruptedError:
            events = []
        for fd, _ in events:
            if fd == wake_r:
                while True:
                    try:
                        if not os.read(wake_r, 4096):
                            break
                    except BlockingIOError:
                        break
                continue
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
            if not data:
                return  # the parent closed the pool; children die with us
            try:
                request = json.loads(data)
                calls_fd, result_fd = fds
            except (ValueError, TypeError):
                for extra in fds:
                    os.close(extra)
                control.send(json.dumps({"error": "bad request"}).encode())
                continue
            request["library_fds"] = warm_fds
            request["spawner_pid"] = os.getpid()
            pid = child.spawn(request, calls_fd, result_fd, available)
            os.close(calls_fd)
            sandboxes[pid] = (result_fd, child.run_uid(request, available))
            control.send(json.dumps({"pid": pid}).encode())
        _reap(sandboxes)


def _reap(sandboxes: dict[int, tuple[int, int | None]]) -> None:
    """Collect exited processes; for a sandbox, first kill whatever it left
    running (by its uid), then report its exit: the parent takes the report
    as the sign that the run is over."""
    from . import child

    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        entry = sandboxes.pop(pid, None)
        if entry is None:
            continue  # a stray of some run, reparented here and now gone
        result_fd, uid = entry
        if uid is not None and child.has_stray_children(sandboxes):
            child.kill_processes_of(uid)
        child.send_exit_report(result_fd, status)
        os.close(result_fd)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    warm_up(sys.argv[2] if len(sys.argv) > 2 else "full", exercise=True)
    serve(control)


if __name__ == "__main__":
    main()

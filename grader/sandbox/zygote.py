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

import contextlib
import gc
import importlib
import importlib.machinery
import importlib.util
import io
import json
import marshal
import os
import select
import signal
import socket
import sys
import zlib

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

# Rarer standard-library modules, kept as compressed bytecode (about 1 MB)
# where the sandboxes cannot read the standard library, and run only when
# student code or a library imports one: tqdm imports email.parser,
# np.loadtxt on a file urllib.request, matplotlib's PDF backend xml.etree,
# tqdm.auto asyncio, html.escape html.  Importing them all instead would
# add about 5 MB to every zygote, and a fork costs in proportion to the
# zygote's size.  A package stands for all its submodules (and a submodule
# brings its packages); modules a zygote has imported anyway are left out.
STDLIB_ON_DEMAND = (
    "asyncio", "concurrent", "dbm", "email", "importlib", "multiprocessing", "sqlite3", "unittest",
    "ctypes.util", "http.client", "urllib.error", "urllib.request", "urllib.response", "xml.etree",
    "xml.parsers", "zoneinfo",
    "encodings.ascii", "encodings.cp1252", "encodings.cp437", "encodings.cp850", "encodings.iso8859_1",
    "encodings.iso8859_15", "encodings.latin_1", "encodings.mac_roman", "encodings.utf_16",
    "encodings.utf_16_be", "encodings.utf_16_le", "encodings.utf_32", "encodings.utf_32_be",
    "encodings.utf_32_le", "encodings.utf_8_sig",
    "ast", "bdb", "bz2", "calendar", "chunk", "cmd", "code", "codeop", "colorsys", "dis", "fnmatch", "getopt",
    "getpass", "gettext", "glob", "graphlib", "gzip", "hmac", "html", "_markupbase", "ipaddress", "lzma", "pdb",
    "platform", "queue", "reprlib", "sched", "secrets", "selectors", "shelve", "shlex", "subprocess", "tarfile",
    "threading", "tokenize", "tracemalloc", "wave", "zipfile",
)
# The extension modules these need: their code cannot run from memory, so
# they are imported (each a few hundred KB at most).
STDLIB_EXTENSIONS = ("_elementtree", "pyexpat", "_multiprocessing", "_posixshmem", "_queue", "_sqlite3",
                     "_zoneinfo", "grp", "termios")


def warm_up(tier: str = "full", exercise: bool = True) -> None:
    """Import the standard library and the tier's libraries; with
    ``exercise``, also run each library once so its lazy initialisation
    (SymPy's especially) is paid here, not per child.  The fresh-interpreter
    baseline asks for the "numpy" tier (the codec needs NumPy) without
    exercise: there the student's own imports pay for the rest."""
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


# ------------------------------------------ the standard library after the uid drop

UNREADABLE_MODULE = ("the module {name} cannot be loaded in the grading sandbox: the grading machine keeps "
                     "Python's standard library where the sandbox cannot read it, and loads only the modules "
                     "students commonly use in advance. This is not a mistake in the code; tell your "
                     "instructor which import failed")


def keep_standard_library() -> None:
    """Where the sandboxes will drop to a uid that cannot read the standard
    library, make its modules importable there anyway (:class:`StdlibStore`)
    and make an import that still cannot work say why
    (:class:`UnreadableStdlib`).  Elsewhere this does nothing: the sandboxes
    import from the files, as any Python does."""
    from . import isolation

    root = os.path.dirname(os.__file__)
    if os.geteuid() != 0 or isolation.readable_by_others(root):
        return
    for name in STDLIB_EXTENSIONS:
        try:
            importlib.import_module(name)
        except Exception:  # not built into this Python
            pass
    store = StdlibStore()
    for name in STDLIB_ON_DEMAND:
        store.add(root, name)
    sys.meta_path.extend([store, UnreadableStdlib(root)])


def _module_files(root: str, name: str):
    """(module name, file, is a package) for ``name``, the packages it is in and,
    for a package, its submodules (but not its tests or Windows-only modules)."""
    parts = name.split(".")
    for depth in range(1, len(parts)):
        init = os.path.join(root, *parts[:depth], "__init__.py")
        if os.path.isfile(init):
            yield ".".join(parts[:depth]), init, True
    base = os.path.join(root, *parts)
    if os.path.isfile(base + ".py"):
        yield name, base + ".py", False
        return
    for folder, subfolders, files in os.walk(base):
        subfolders[:] = sorted(d for d in subfolders if d not in ("test", "tests", "idle_test", "__pycache__"))
        package = os.path.relpath(folder, root).split(os.sep)
        for file in sorted(files):
            if file.endswith(".py") and "windows" not in file and "win32" not in file:
                is_package = file == "__init__.py"
                module = ".".join(package if is_package else [*package, file[:-3]])
                yield module, os.path.join(folder, file), is_package


class StdlibStore:
    """Standard-library modules kept as compressed bytecode in the zygote, for
    imports after the sandbox's uid drop.  A finder and loader on
    ``sys.meta_path`` after the path finder, which finds the files while
    they can be read (in the zygote) and nothing after the drop."""

    def __init__(self) -> None:
        self.modules: dict[str, tuple[str, bool, bytes]] = {}  # name -> (file, is a package, compressed code)

    def add(self, root: str, name: str) -> None:
        for module, path, is_package in _module_files(root, name):
            if module in sys.modules or module in self.modules:
                continue
            code = _bytecode(module, path)
            if code is not None:
                self.modules[module] = (path, is_package, zlib.compress(code))

    def find_spec(self, name, path=None, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        file, is_package, _ = entry
        spec = importlib.machinery.ModuleSpec(name, self, origin=file, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(file)]
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        code = marshal.loads(zlib.decompress(self.modules[module.__spec__.name][2]))
        exec(code, module.__dict__)


def _bytecode(module: str, path: str) -> bytes | memoryview | None:
    """The marshalled code of the source file ``path``: from its ``.pyc`` where
    that is up to date (read as bytes, no code objects made in the zygote),
    else compiled."""
    try:
        source = os.stat(path)
        with open(importlib.util.cache_from_source(path), "rb") as cached:
            data = cached.read()
        # The header: magic number, flags (0: checked by the source's mtime and size), mtime, size.
        if (data[:4] == importlib.util.MAGIC_NUMBER and data[4:8] == bytes(4)
                and int.from_bytes(data[8:12], "little") == int(source.st_mtime) & 0xFFFFFFFF
                and int.from_bytes(data[12:16], "little") == source.st_size & 0xFFFFFFFF):
            return memoryview(data)[16:]
    except (OSError, NotImplementedError):
        pass
    try:
        return marshal.dumps(importlib.machinery.SourceFileLoader(module, path).get_code(module))
    except (ImportError, OSError, SyntaxError, ValueError):
        return None


class UnreadableStdlib:
    """Last on ``sys.meta_path``: an import of a standard-library module that
    exists but that nothing could load (not preloaded, not kept) raises
    ``ModuleNotFoundError`` saying so, instead of "No module named
    'email.parser'", which reads like the student's typo."""

    def __init__(self, root: str) -> None:
        self.present = frozenset(_stdlib_names(root))

    def find_spec(self, name, path=None, target=None):
        if name in self.present:
            raise ModuleNotFoundError(UNREADABLE_MODULE.format(name=name), name=name)
        return None


def _stdlib_names(root: str):
    """Every module name of the standard library in ``root`` (packages with their
    submodules), and its extension modules."""
    for entry in os.listdir(root):
        name = entry[:-3] if entry.endswith(".py") else entry
        if name in sys.stdlib_module_names:
            yield from (module for module, _, _ in _module_files(root, name))
    extensions = os.path.join(root, "lib-dynload")
    for entry in os.listdir(extensions) if os.path.isdir(extensions) else ():
        yield entry.split(".", 1)[0]


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
                _stop_all(sandboxes)  # the parent closed the pool
                return
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


def _stop_all(sandboxes: dict[int, tuple[int, int | None]]) -> None:
    """Kill every sandbox not reaped yet, and all it started.  A sandbox dies with us (its
    parent-death signal), but what it forked would outlive us, orphaned to init: a fork bomb
    still dying when the pool closes must not go on running."""
    from . import child

    swept = set()
    for pid, (_, uid) in sandboxes.items():
        if uid is not None:
            child.kill_processes_of(uid)
            swept.add(uid)
        else:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    # Anything else still under us is a stray of a finished run: its uid says whose.
    for uid in {_uid_of(pid) for pid in child.spawner_children() or ()} - swept - {None, os.getuid()}:
        child.kill_processes_of(uid)


def _uid_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


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
    keep_standard_library()
    serve(control)


if __name__ == "__main__":
    main()

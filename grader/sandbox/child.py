"""The untrusted side: the sandbox process and what runs inside it.

A spawner (the warm zygote, or a fresh interpreter in fresh mode) forks
one **sandbox** per submission with :func:`spawn`, keeps the write end of
the result pipe, and after the sandbox ends writes one ``exit`` message
(exit code or signal) on it, which is how the parent tells a segfault from
an ``os._exit``.

The sandbox locks itself down (new session, pids cgroup, rlimits,
Landlock, uid drop, parent-death signal, only its pipes open), then serves
the parent:

1. reads one ``load`` message (the cells) from the calls pipe, runs the
   cells, answers ``loaded`` (status, notes, captured output).  Before each
   notebook cell it sends a ``cell`` message, so the parent can time the
   cell: a cell past its limit is stopped by the parent's ``SIGUSR1``
   (noted, like a cell that raises; later cells run), and ``SIGUSR2`` stops
   the loading when the notebook's cells have run too long in all.  Student
   code can ignore both signals; the parent's kill stays the backstop;
2. reads ``calls`` messages, calls each function on decoded arguments and
   answers one ``result`` per call, values converted by
   :func:`codec.to_plain`;
3. exits when the calls pipe is closed.

Call inputs reach the child only after its student code has been loaded,
and calls whose output is shown to the student (``capture_output``) are sent
before any hidden call, so neither import-time code nor a visible call can
print a hidden case's inputs.
"""
from __future__ import annotations

import ast
import builtins
import difflib
import importlib.machinery
import importlib.util
import io
import json
import linecache
import os
import re
import shlex
import signal
import sys
import tempfile
import time
import types
import warnings
from typing import Iterable

from . import codec, isolation
from ..magics import magic_code
from ..readers.code import ipython_lines, python_file_ipython_note

MAX_OUTPUT_CHARS = 10_000
MAX_MESSAGE_CHARS = 1_000
MAX_WARNINGS = 10

_type = type
_str = str
_len = len
_perf_counter = time.perf_counter
_write = os.write
_read = os.read
_getpid = os.getpid
_exit = os._exit
_loads = json.loads
_BUILTINS = dict(builtins.__dict__)  # as imported in the zygote, before any student code


def _restore_builtins() -> None:
    """Undo whatever the student did to ``builtins`` (e.g. ``builtins.isinstance
    = lambda *a: True``) before the driver's own code runs again."""
    current = builtins.__dict__
    current.update(_BUILTINS)
    # Every original name is back, so a different size means added names.
    if _len(current) != _len(_BUILTINS):
        for name in [name for name in current if name not in _BUILTINS]:
            del current[name]


# NumPy's own error state (np.geterr() in a new interpreter): overflow, division by zero and invalid values
# warn, underflow is ignored.
NUMPY_DEFAULT_ERRORS = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
_seterr = codec.np.seterr  # as imported in the zygote: the student's np.seterr = ... changes nothing here


def _restore_numpy_errors() -> None:
    """Undo a module-level ``np.seterr(all='ignore')`` before each call (some 2 µs), as builtins are
    restored: it would hide the overflow warnings a part checks for (a naive ``1 / (1 + np.exp(-x))``).
    ``with np.errstate(...)`` inside the student's function still holds for that call."""
    _seterr(**NUMPY_DEFAULT_ERRORS)


class CappedText(io.TextIOBase):
    """A text sink that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = MAX_OUTPUT_CHARS) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if _type(text) is not _str:
            raise TypeError(f"write() argument must be str, not {_type(text).__name__}")
        room = self.limit - self._size
        if room > 0:
            self._parts.append(text[:room])
            self._size += min(room, len(text))
        self._dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        if self._dropped:
            text += f"\n[... {self._dropped} more characters of output not kept]"
        return text


# ------------------------------------------------------------------- pipes

def _send(fd: int, message: dict) -> None:
    _write_all(fd, codec.frame(message))


def _write_all(fd: int, frame: bytes) -> None:
    data = memoryview(frame)
    while data:
        written = _write(fd, data)
        data = data[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = _read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int) -> dict | None:
    header = _read_exact(fd, 4)
    if header is None:
        return None
    body = _read_exact(fd, int.from_bytes(header, "big"))
    if body is None:
        return None
    return _loads(body)


# ------------------------------------------------------- spawning (trusted)

def spawn(request: dict, calls_fd: int, result_fd: int, available: dict) -> int:
    """Fork one sandbox; returns its pid.  Runs in the zygote (or the fresh
    interpreter), which keeps ``result_fd`` to report the exit status later.

    Before forking, the spawner itself moves into a new network and IPC
    namespace, so the child gets private ones without a second fork (a
    PID namespace would need one: its first process must be a new child)."""
    flags = isolation.namespace_flags(available) & ~isolation.CLONE_NEWPID
    if flags:
        try:
            isolation.unshare(flags)
        except OSError:
            flags = 0
    request["layers"] = {
        "network_namespace": bool(flags & isolation.CLONE_NEWNET),
        "ipc_namespace": bool(flags & isolation.CLONE_NEWIPC),
    }
    pid = os.fork()
    if pid == 0:
        _sandbox(request, calls_fd, result_fd, available)
    return pid


def run_uid(request: dict, available: dict) -> int | None:
    """The uid the sandbox of ``request`` runs as, or None where it keeps the spawner's."""
    uid = request.get("uid")
    return uid if uid is not None and bool(available.get("uid_drop", False)) else None


def kill_processes_of(uid: int) -> None:
    """SIGKILL every process running as ``uid``, a run's own uid: a helper
    takes that uid and signals -1, which reaches every process the run
    started wherever it moved (``setsid``, a double fork), and atomically
    with respect to a fork bomb's forks."""
    try:
        pid = os.fork()
    except OSError:
        return  # the parent's end-of-run kill (process group, cgroup) is what is left
    if pid == 0:  # pragma: no cover - runs in the helper
        try:
            isolation.drop_privileges(uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def has_stray_children(known: Iterable[int]) -> bool:
    """Whether this spawner has children besides the sandboxes ``known``:
    processes a finished sandbox started end up here (the spawner is a
    child subreaper), so none means a run left nothing behind."""
    children = spawner_children()
    return True if children is None else bool(set(children) - set(known))  # None: cannot tell, so sweep


def spawner_children() -> list[int] | None:
    """This (single-threaded) process's children, or None where the kernel will not say."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as listing:
            return [int(pid) for pid in listing.read().split()]
    except (OSError, ValueError):
        return None


def exit_report(status: int) -> dict:
    report: dict = {"t": "exit", "code": None, "signal": None}
    if os.WIFSIGNALED(status):
        report["signal"] = os.WTERMSIG(status)
    else:
        report["code"] = os.waitstatus_to_exitcode(status)
    return report


def send_exit_report(result_fd: int, status: int) -> None:
    """Write the exit report without ever blocking: a hostile child may have
    filled the pipe, and the spawner must not hang on it."""
    try:
        os.set_blocking(result_fd, False)
        os.write(result_fd, codec.frame(exit_report(status)))
    except OSError:
        pass


# ------------------------------------------------------------ sandbox side

def _sandbox(request: dict, calls_fd: int, result_fd: int, available: dict) -> None:
    """Lock this process down, then serve the parent; never returns."""
    try:
        _lock_down(request, calls_fd, result_fd, available)
    except BaseException as exc:
        # Reported so that a machine where a layer fails says so clearly.
        try:
            _send(result_fd, {"t": "setup failed", "stage": "lock down",
                              "message": f"{type(exc).__name__}: {exc}"[:500]})
        except BaseException:
            pass
        os._exit(70)
    try:
        _serve(request, calls_fd, result_fd, request["layers"])
    except BaseException as exc:
        import traceback
        try:
            _send(result_fd, {"t": "setup failed", "message": "".join(traceback.format_exception(exc))[-800:]})
        except BaseException:
            pass
        os._exit(70)
    os._exit(0)


def _lock_down(request: dict, calls_fd: int, result_fd: int, available: dict) -> None:
    signal.set_wakeup_fd(-1)  # the zygote's, about to be closed
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    os.setsid()
    layers = request["layers"]
    scratch = request["scratch"]
    cgroup = request.get("cgroup")
    layers["pids_limit"] = None
    if cgroup:
        isolation.join_cgroup(isolation.Path(cgroup))
        layers["pids_limit"] = request["max_processes"]
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    # Files the warmed-up libraries hold open (matplotlib's fonts) stay;
    # anything else inherited (sockets, pipes) is closed.
    keep = sorted({0, 1, 2, calls_fd, result_fd, *request.get("library_fds", ())})
    _close_other_fds(keep)
    uid = run_uid(request, available)
    drop = uid is not None
    isolation.set_rlimits(
        cpu_seconds=int(request["cpu_seconds"]),
        address_space=isolation.virtual_memory_size() + int(request["memory_bytes"]),
        file_size=int(request["file_bytes"]),
        open_files=max(keep) + 32,
        processes=int(request["max_processes"]) if drop else None,
    )
    layers["landlock"] = False
    abi = int(available.get("landlock_abi", 0))
    if abi and request.get("landlock", True):
        isolation.landlock_restrict(isolation.library_read_paths(), [scratch], abi)
        layers["landlock"] = True
    os.chdir(scratch)
    if drop:
        isolation.drop_privileges(uid, uid)
    layers["uid_drop"] = drop
    # Set after the uid change, which clears it: die with the spawner.
    isolation.set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != request["spawner_pid"]:
        os._exit(71)  # the spawner is already gone
    if not drop:
        isolation.set_no_new_privs()
    os.environ.clear()
    os.environ.update({"HOME": scratch, "TMPDIR": scratch, "MPLBACKEND": "Agg",
                       "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    tempfile.tempdir = scratch


def _close_other_fds(keep: list[int]) -> None:
    previous = -1
    for fd in keep:
        # An empty range must be skipped: closerange(n, n) asks the kernel
        # for close_range(n, n - 1), and close_range(0, -1) closes everything.
        if fd > previous + 1:
            os.closerange(previous + 1, fd)
        previous = fd
    os.closerange(previous + 1, 1 << 16)


# ------------------------------------------------------------ student side

def _student_line(tb, labels: set[str]) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in labels:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _exception_text(exc: BaseException, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The exception's message, and what to do about it where the grader knows better than Python."""
    try:
        text = _str(exc)
        if _type(text) is not _str:
            text = ""
    except BaseException:
        text = "<the exception's message could not be read>"
    try:
        advice = _advice(exc, text)
    except BaseException:  # the student's exception may answer anything when asked
        advice = ""
    return text[:max(0, limit - _len(advice))] + advice


# Libraries students import that the grader may not have, by the name imported: one of these missing is
# not a typo in the code.
COMMON_LIBRARIES = frozenset({
    "pandas", "seaborn", "sklearn", "statsmodels", "plotly", "bokeh", "altair", "torch", "torchvision",
    "tensorflow", "keras", "jax", "xgboost", "lightgbm", "catboost", "polars", "pyarrow", "openpyxl", "h5py",
    "networkx", "numba", "cvxpy", "pymc", "arviz", "pingouin", "patsy", "cv2", "skimage", "PIL", "imageio",
    "nltk", "spacy", "transformers", "datasets", "gymnasium", "gym", "requests", "bs4", "ipywidgets", "tqdm",
    "tabulate", "joblib", "dask", "autograd", "numdifftools", "numpy", "scipy", "sympy", "mpmath", "matplotlib",
})
# The name a library is known by, where the name imported is not it.
KNOWN_AS = {"sklearn": "scikit-learn", "torch": "PyTorch", "cv2": "OpenCV", "skimage": "scikit-image",
            "PIL": "Pillow", "bs4": "Beautiful Soup"}
# The libraries the grading sandbox offers (the zygote tiers'), named as the advice names them.
OFFERED_LIBRARIES = {"numpy": "NumPy", "scipy": "SciPy", "sympy": "SymPy", "matplotlib": "matplotlib"}


def _installed_libraries() -> tuple[str, ...]:
    """The offered libraries that are installed.  Looked up where this module is imported, in the zygote,
    before the uid drop that may hide the files."""
    found = []
    for module, name in OFFERED_LIBRARIES.items():
        try:
            if module in sys.modules or importlib.util.find_spec(module) is not None:
                found.append(name)
        except (ImportError, ValueError):
            pass
    return tuple(found)


INSTALLED_LIBRARIES = _installed_libraries()
_ModuleNotFoundError = ModuleNotFoundError
_FileNotFoundError = FileNotFoundError
# The sandbox's working folder is a scratch folder made for the run: `pd.read_csv("data.csv")` finds nothing.
MISSING_FILE_ADVICE = ("Grading runs the code in an empty folder, so files handed in beside it are not there: "
                       "the functions must not depend on them.")


def _advice(exc: BaseException, text: str) -> str:
    """What to do about ``exc``, whose message is ``text`` (appended to it), or ""."""
    mro = _type.__dict__["__mro__"].__get__(_type(exc))
    if _ModuleNotFoundError in mro:
        return _missing_library_advice(exc)
    if _FileNotFoundError in mro:
        return (" " if text.rstrip().endswith(".") else ". " if text else "") + MISSING_FILE_ADVICE
    return ""


def _missing_library_advice(exc: BaseException) -> str:
    """For ``import pandas`` where pandas is not installed: "No module named 'pandas'" reads like a typo."""
    name = exc.name  # `import sklearn.preprocessing` without sklearn names "sklearn"
    if _type(name) is not _str:
        return ""
    if name not in COMMON_LIBRARIES:
        return _missing_module_advice(name)
    library = f"{name} ({KNOWN_AS[name]})" if name in KNOWN_AS else name
    offered = INSTALLED_LIBRARIES
    has = (f"{', '.join(offered[:-1])} and {offered[-1]} besides" if _len(offered) > 1 else
           f"{offered[0]} besides" if offered else "only")
    return (f": {library} is not installed where submissions are graded, which has {has} Python's standard "
            f"library. Remove the import and the code that uses {name}, or ask your instructor.")


def _missing_module_advice(name: str) -> str:
    """For ``from utils import *``: most often the student's own utils.py, which is not where the code runs.
    A name close to a library's (``pandsa``) is a typo, whose message Python's says best."""
    if "." in name or not name.isidentifier() or name in sys.stdlib_module_names:
        return ""
    if difflib.get_close_matches(name, [*COMMON_LIBRARIES, *sys.stdlib_module_names], n=1, cutoff=0.8):
        return ""
    return (f": {name} is not a library installed where submissions are graded. The grader runs each file "
            f"handed in on its own, so one file cannot import another: if {name}.py is a file of your own, put the "
            "code it holds in this file itself.")


def _exception_names(exc: BaseException) -> tuple[str, list[str]]:
    mro = _type.__dict__["__mro__"].__get__(_type(exc))
    names = [_class_name(cls) for cls in mro]
    return names[0], names


def _class_name(cls: type) -> str:
    """A class's name, unless it takes the name of Python's own exception without being one: a case that must
    raise ``ValueError`` is not passed by ``class ValueError(Exception)`` (which ``except ValueError``
    would not catch).  NumPy's ``MemoryError`` is a MemoryError, and keeps its name."""
    name = _str(getattr(cls, "__name__", "?"))[:100]
    builtin = _BUILTINS.get(name)
    if _type(builtin) is _type and builtin not in _type.__dict__["__mro__"].__get__(cls):
        return f"{name} (a class of your own, not Python's {name})"
    return name


# Code written for a newer Python (3.12's f-strings with nested quotes, `type X = ...`) is a SyntaxError
# here: naming the Python that grades tells the student why code that runs at home does not.
PYTHON_VERSION = f"Python {sys.version_info.major}.{sys.version_info.minor}"


def _describe(exc: BaseException, labels: set[str], quote: str = "") -> str:
    """"NameError (line 4): name 'W' is not defined"; with a notebook cell's ``quote``, "NameError (line 4
    of the cell beginning “for epoch in range(100):”): ...", before the message, which may be cut."""
    name, _ = _exception_names(exc)
    cell = f" of the cell beginning “{quote}”" if quote else ""
    if isinstance(exc, SyntaxError):
        notebook_syntax = _notebook_syntax_note(exc, labels)
        if notebook_syntax:
            return f"{name} on line {exc.lineno}{cell}: {notebook_syntax}"[:MAX_MESSAGE_CHARS]
        return (f"{name} on line {exc.lineno}{cell}: {exc.msg}{_offending_line(exc)}"
                f"{_python_version_note(exc, labels)}")[:MAX_MESSAGE_CHARS]
    line = _student_line(exc.__traceback__, labels)
    prefix = (f"{name} (line {line}{cell}): " if line else
              f"{name} (in the cell beginning “{quote}”): " if quote else f"{name}: ")
    return prefix + _exception_text(exc, MAX_MESSAGE_CHARS - _len(prefix))


def _notebook_syntax_note(exc: SyntaxError, labels: set[str]) -> str:
    """What to do about notebook syntax in Python (a Colab "Download .py" keeps `!pip install ...`; a top-level
    `await` runs in Jupyter): "invalid syntax" and the Python version say nothing useful there.  A notebook's
    shell and magic lines never get here: the notebook reader skips them."""
    if _type(exc) is not SyntaxError or _type(exc.filename) is not _str or exc.filename not in labels:
        return ""
    python_file = exc.filename.endswith(".py")
    text = exc.text.strip() if _type(exc.text) is _str else ""
    if python_file and text[:1] in ("!", "%") and exc.msg == "invalid syntax":
        what = "a notebook shell command" if text[0] == "!" else "an IPython magic"
        line = text if _len(text) <= 80 else text[:79] + "…"
        return f"“{line}” is {what}, not Python: delete the line, or hand in the .ipynb notebook instead"
    if exc.msg == "'await' outside function":
        where = ("but Python files do not; put the code in an async function run with asyncio.run(...), or hand "
                 "in the .ipynb notebook instead" if python_file else
                 "but the grader runs each cell as plain Python, which does not; put the code in an async function "
                 "run with asyncio.run(...)")
        return f"'await' outside a function: Jupyter allows a top-level await, {where}"
    return ""


def _offending_line(exc: SyntaxError) -> str:
    """The line Python could not read, as the student wrote it: " in “def matmul(A, B)”".  Only from the
    compiler's own exception (a class the code defines could lie about its text)."""
    text = exc.text if _type(exc) in (SyntaxError, IndentationError, TabError) else None
    if _type(text) is not _str or not text.strip():
        return ""
    line = " ".join(text.split())
    return f" in “{line if _len(line) <= 80 else line[:79] + '…'}”"


def _python_version_note(exc: SyntaxError, labels: set[str]) -> str:
    """Which Python grades, for a SyntaxError in the student's own code (not a misplaced indent)."""
    try:
        own_code = _type(exc.filename) is _str and exc.filename in labels
    except BaseException:
        own_code = False
    if not own_code or isinstance(exc, IndentationError):
        return ""
    return f" (the grader runs {PYTHON_VERSION})"


# A stop signal may arrive just as the next cell starts: a cell this young (or younger than half its
# limit) cannot have used its limit, so the signal was meant for the cell before.
MIN_CELL_SECONDS = 1.0
INTERRUPT_CELL = signal.SIGUSR1  # the running notebook cell is past its limit
STOP_LOADING = signal.SIGUSR2  # the notebook's cells have run past their limit in all


class CellTimeout(BaseException):
    """Raised in a notebook cell that the parent stopped.  A BaseException, like
    Jupyter's KeyboardInterrupt, so that ``except Exception`` does not catch it."""


class _CellWatch:
    """Which notebook cell is running, for the parent's stop signals."""

    def __init__(self, cell_seconds: float) -> None:
        self.started: float | None = None  # when the running cell started; None between cells
        self.stop_all = False
        self.min_age = min(MIN_CELL_SECONDS, cell_seconds / 2)

    def interrupt(self, signum, frame) -> None:
        if self.started is not None and _perf_counter() - self.started >= self.min_age:
            raise CellTimeout()

    def stop(self, signum, frame) -> None:
        self.stop_all = True
        if self.started is not None:
            raise CellTimeout()


def load_cells(request: dict, capture: CappedText, announce=None) -> tuple[types.ModuleType, dict, _StarImports | None]:
    """Run the student's cells in a fresh module; returns the module, the
    ``loaded`` report (status, message, notes) and, for code with ``from ...
    import *``, what :class:`_StarImports` read in it.  ``announce(number)`` is
    called before each notebook cell (the parent times the cell from there)."""
    is_notebook = bool(request["notebook"])
    name = "__main__" if is_notebook else request["module"]
    module = types.ModuleType(name)
    module.__file__ = request["cells"][0]["label"] if request["cells"] else name
    sys.modules[name] = module
    notes: list[str] = []
    labels = {cell["label"] for cell in request["cells"]}
    _install_ipython_stand_ins(module, notes, is_notebook, labels)
    sys.meta_path.insert(0, _StandInModules({"tqdm.notebook": _text_progress_bars, **_colab_stand_ins(notes)}))
    _install_builtin_stand_ins()
    status, message = "ok", ""
    watch = _CellWatch(float(request.get("cell_seconds") or 0))
    if is_notebook:
        signal.signal(INTERRUPT_CELL, watch.interrupt)
        signal.signal(STOP_LOADING, watch.stop)
    sandbox_pid = _getpid()
    cells = request["cells"]
    failed_cells: list[str] = []  # labels of the notebook cells that raised or were stopped
    star_imports = _StarImports() if any(_STAR_IMPORT.search(cell["source"]) for cell in cells) else None
    for index, cell in enumerate(cells):
        label, source = cell["label"], cell["source"]
        # Jupyter shows no cell numbers: a note on a notebook cell quotes the line it begins with, right after
        # what happened (grading reads "code cell 3 raised NameError" from the notes).
        quote = cell.get("quote") if is_notebook and _type(cell.get("quote")) is _str else ""
        cell_named = f" (the cell beginning “{quote}”)" if quote else ""
        if watch.stop_all:
            notes.append(_not_run_note(cells[index:], request))
            break
        linecache.cache[label] = (len(source), None, source.splitlines(True), label)
        try:
            try:
                if is_notebook and announce is not None:
                    announce(index)
                    watch.started = _perf_counter()
                code = (_compile_cell(source, label, star_imports) if is_notebook else
                        _compile_python_file(source, label, star_imports, notes))
                exec(code, module.__dict__)
            finally:
                watch.started = None
                _restore_builtins()
        except CellTimeout:
            what = (f"was stopped{cell_named} when the notebook's cells had run for "
                    f"{request.get('notebook_seconds', 0):g} s in all" if watch.stop_all else
                    f"took longer than {request.get('cell_seconds', 0):g} s and was stopped{cell_named}")
            failed = "import failed", f"{label} {what}"
        except SystemExit as exc:
            what = f"called {_exit_called(exc)}{cell_named}"
            failed = "exited", f"{label} {what} while being imported"
        except MemoryError:
            what = f"ran out of memory{cell_named}"
            failed = "memory", f"{label} {what} while being imported"
        except BaseException as exc:
            described = _describe(exc, labels, quote)
            what = f"raised {described}"
            failed = "import failed", f"{label}: {described}"
        else:
            if _getpid() != sandbox_pid:
                _exit(0)  # a process the cell forked must not run the next cells and report
            continue
        if _getpid() != sandbox_pid:
            _exit(0)
        # A notebook's cells are independent: note the failure and run the rest.
        # A module stops at its first failure, like an import would.
        if is_notebook:
            # "…them.; later" reads badly: the clause replaces the message's own full stop.
            failed_cells.append(label)
            if _len(failed_cells) > MAX_FAILED_CELL_NOTES and not watch.stop_all:
                continue  # told in one note at the end
            notes.append(f"{label} {what}" if watch.stop_all else f"{label} {_str.removesuffix(what, '.')}; later cells "
                         "still ran")
            continue
        status, message = failed
        break
    if is_notebook:  # a stop signal arriving late is ignored from now on
        signal.signal(INTERRUPT_CELL, signal.SIG_IGN)
        signal.signal(STOP_LOADING, signal.SIG_IGN)
    if _len(failed_cells) > MAX_FAILED_CELL_NOTES:
        notes.append(_more_failed_cells_note(failed_cells))
    return module, {"t": "loaded", "status": status, "message": message,
                    "notes": notes, "stdout": capture.getvalue()}, star_imports


# A notebook's cells that raise are noted one by one up to this many; one note counts the rest (a notebook
# of scratch cells would otherwise crowd out the notes that matter).
MAX_FAILED_CELL_NOTES = 10


def _more_failed_cells_note(failed: list[str]) -> str:
    """"foundations.ipynb: and 50 more code cells raised (code cells 14 to 69, not noted one by one)"."""
    more = failed[MAX_FAILED_CELL_NOTES:]
    first, last = more[0].rpartition(" ")[2], more[-1].rpartition(" ")[2]
    notebook = more[0].rpartition(", code cell ")[0] or more[0]
    which = f"code cell {first}" if _len(more) == 1 else f"code cells {first} to {last}"
    return (f"{notebook}: and {_len(more)} more code cell{'s' if _len(more) > 1 else ''} raised or were stopped "
            f"({which}, not noted one by one); later cells still ran")


# `from numpy import *`, also written `import*` or across a backslash.
_STAR_IMPORT = re.compile(r"\bimport[\s\\]*\*")


def _compile_cell(source: str, label: str, star_imports: _StarImports | None):
    if star_imports is None:
        return compile(source, label, "exec", dont_inherit=True)
    tree = compile(source, label, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    star_imports.read(tree)
    return compile(tree, label, "exec", dont_inherit=True)


def _compile_python_file(source: str, label: str, star_imports: _StarImports | None, notes: list[str]):
    """A ``.py`` file's code; one that Python cannot read only for its IPython lines (Colab's "Download .py"
    keeps ``!pip install ...``) is graded as its notebook would be, those lines handled as Jupyter handles
    them, with a note saying to delete them.  With another syntax error as well, Python's first error is
    reported as it stands: after a ``%%bash`` line, "invalid syntax" in the shell commands below it would
    only puzzle."""
    try:
        return _compile_cell(source, label, star_imports)
    except SyntaxError:
        cleaned, found = ipython_lines(source)
        if cleaned is None or not found:
            raise
        try:
            code = _compile_cell(cleaned, label, star_imports)  # lines keep their numbers: blanked or `pass`
        except SyntaxError:
            pass
        else:
            notes.append(python_file_ipython_note(label, source, cleaned))
            return code
        raise


class _StarImports:
    """The names a student's code binds at module level (def, class, assignment, import) and the
    modules it imports with ``from module import *``: a function to grade that the code never
    names, only a star import brought in (NumPy's own ``matmul`` or ``mean``), is not the student's."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.modules: list[str] = []

    def read(self, tree: ast.Module) -> None:
        bound = self.bound
        nodes = list(tree.body)
        while nodes:
            node = nodes.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # Its body binds its own names, except those it declares global.
                bound.add(node.name)
                bound.update(name for inner in ast.walk(node) if isinstance(inner, ast.Global) for name in inner.names)
                continue
            if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                # Their variables are their own; `:=` inside binds here.
                bound.update(inner.target.id for inner in ast.walk(node) if isinstance(inner, ast.NamedExpr))
                continue
            if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                if not node.level and node.module:
                    self.modules.append(node.module)
            elif isinstance(node, ast.alias):
                bound.add(node.asname or node.name.partition(".")[0])
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                bound.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                bound.add(node.rest)
            nodes.extend(ast.iter_child_nodes(node))

    def provider(self, name: str, value: object) -> str | None:
        """The star-imported module that ``value``, found under ``name``, came from, if the code never names it."""
        if name in self.bound:
            return None
        for module_name in self.modules:
            module = sys.modules.get(module_name)
            if module is not None and getattr(module, "__dict__", {}).get(name) is value:
                return module_name
        return None


def _not_run_note(cells: list[dict], request: dict) -> str:
    first, last = cells[0]["label"], cells[-1]["label"]
    # "q2.ipynb, code cell 6" and "q2.ipynb, code cell 9" → "q2.ipynb, code cells 6 to 9"
    which = first if len(cells) == 1 else f"{first.replace('code cell', 'code cells')} to {last.rsplit(' ', 1)[-1]}"
    return (f"{which} {'was' if len(cells) == 1 else 'were'} not run: the notebook's cells had run for "
            f"{request.get('notebook_seconds', 0):g} s in all, the limit for a whole notebook "
            f"(functions they define are not graded)")


# ------------------------------------------------------- IPython stand-ins

# The version the stand-in IPython module claims.  Libraries that find an
# IPython module read its version: matplotlib patches IPython < 8.24 when it
# makes a canvas (plt.savefig("x.svg")), SymPy wants >= 1.0.
IPYTHON_VERSION = (8, 24, 0)


class _Displayable:
    """A stand-in for IPython's rich display objects (Markdown, HTML, Image, ...): holds its data, shows nothing."""

    def __init__(self, *args, **kwargs) -> None:
        self.data = args[0] if args else kwargs.get("data")

    def __repr__(self) -> str:
        return f"<{_type(self).__name__}>"


class _DisplayModule(types.ModuleType):
    """``IPython.display``: display() and clear_output() do nothing; any rich type is a :class:`_Displayable`."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        kind = _type(name, (_Displayable,), {"__module__": "IPython.display"})
        setattr(self, name, kind)
        return kind


def _no_display(*objects, **options) -> None:
    """IPython's display(): a notebook shows the objects; the grader shows nothing."""


# Magics whose argument is Python code: `jupyter nbconvert --to script` writes a `%%time` cell as
# get_ipython().run_cell_magic('time', '', '<the cell>'), whose code runs once, without the magic,
# in the caller's namespace (as grader.readers.code runs the body of a notebook's %%time cell).
CODE_MAGICS = frozenset({"time", "timeit", "capture", "prun"})


class _Shell:
    """What ``get_ipython()`` returns: the code given to a timing or capture magic runs, ``writefile``
    writes its file in the working folder; other magics and shell commands do nothing, noted once."""

    def __init__(self, notes: list[str], student_files: set[str]) -> None:
        self._notes = notes
        self._student_files = student_files
        self._noted = False
        self._ran_noted = False

    def _skip(self, what: str, args: tuple):
        if not self._noted:
            self._noted = True
            shown = ", ".join(repr(a)[:60] for a in args[:2])
            self._notes.append(f"get_ipython().{what}({shown}) did nothing: the grader runs Python without "
                               "IPython, so magics and shell commands are skipped (noted once)")
        return None

    def _run(self, magic: str, code: str, frame, value: bool = False):
        """Run a magic's code (``magic`` is ``%time`` or ``%%time``...) once in the namespace of the
        code that called the magic; with ``value``, an expression's value is returned, as
        ``x = %time f()`` gives."""
        caller = frame.f_code.co_filename
        label = f"{caller}, the code of {magic}"
        self._student_files.add(label)
        if not self._ran_noted:
            self._ran_noted = True
            self._notes.append(f"{caller}: ran the code given to {magic} once, without the magic (noted once)")
        if value:
            try:
                expression = compile(code, label, "eval", dont_inherit=True)
            except SyntaxError:
                pass
            else:
                return eval(expression, frame.f_globals, frame.f_locals)
        exec(compile(code, label, "exec", dont_inherit=True), frame.f_globals, frame.f_locals)
        return None

    def run_line_magic(self, *args, **kwargs):
        magic, line = (list(args) + [None, None])[:2]
        if magic in CODE_MAGICS and magic != "capture" and _type(line) is _str:
            return self._run(f"%{magic}", magic_code(magic, line), sys._getframe(1), value=magic == "time")
        return self._skip("run_line_magic", args)

    def run_cell_magic(self, *args, **kwargs):
        magic, line, cell = (list(args) + [None, None, None])[:3]
        if magic == "writefile" and _type(line) is _str and _type(cell) is _str:
            return self._write_file(line, cell, sys._getframe(1).f_code.co_filename)
        if magic in CODE_MAGICS and _type(cell) is _str:
            frame = sys._getframe(1)
            setup = magic_code(magic, line) if magic == "timeit" and _type(line) is _str else ""
            if setup.strip():
                self._run(f"%%{magic}", setup, frame)
            return self._run(f"%%{magic}", cell, frame)
        return self._skip("run_cell_magic", args)

    def _write_file(self, line: str, text: str, caller: str) -> None:
        """``%%writefile [-a] NAME``: writes (or appends) the cell's text to NAME, as Jupyter does, so that a
        later ``from helpers import f`` finds it; only inside the working folder, the run's scratch folder."""
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        append = any(word in ("-a", "--append") for word in words)
        names = [word for word in words if not word.startswith("-")]
        folder = os.path.realpath(os.getcwd())
        path = os.path.realpath(os.path.join(folder, os.path.expanduser(names[0]))) if _len(names) == 1 else ""
        if not path.startswith(folder + os.sep):
            self._notes.append(f"{caller}: %%writefile {line.strip()[:80]} was skipped: the grader writes files "
                               "only in the folder the code runs in, so give a plain file name (helpers.py)")
            return None
        existed = os.path.exists(path)
        with open(path, "a" if append else "w", encoding="utf-8") as file:
            file.write(text)
        print(f"{'Appending to' if append else 'Overwriting' if existed else 'Writing'} {names[0]}")
        if "" not in sys.path and folder not in sys.path:
            sys.path.insert(0, folder)  # Jupyter imports from the notebook's folder
        importlib.invalidate_caches()  # a folder listed before the file was written must be read again
        return None

    def magic(self, *args, **kwargs):
        return self._skip("magic", args)

    def system(self, *args, **kwargs):
        return self._skip("system", args)

    def getoutput(self, *args, **kwargs):
        return self._skip("getoutput", args)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._skip(name, args)


# Stand-ins served only where nothing real is installed under their name.
_FALLBACK_MODULES = frozenset({"google"})


class _StandInModules:
    """Serves the stand-in modules (``IPython``, ``google.colab``...) to the student's ``import IPython``
    (first on ``sys.meta_path``).  They are not in ``sys.modules`` before such an
    import, so a library probing for IPython (matplotlib, SymPy, tqdm) finds
    none, as under plain ``python``."""

    def __init__(self, modules: dict[str, types.ModuleType]) -> None:
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        if name in _FALLBACK_MODULES and self._installed(name, path, target):
            return None  # the real one is imported
        is_package = name in ("IPython", "IPython.core", "google", "google.colab")
        return importlib.machinery.ModuleSpec(name, self, is_package=is_package)

    def _installed(self, name, path, target) -> bool:
        """Whether a finder after this one finds ``name``."""
        finders = sys.meta_path[sys.meta_path.index(self) + 1:] if self in sys.meta_path else []
        for finder in finders:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is not None and find_spec(name, path, target) is not None:
                return True
        return False

    def create_module(self, spec):
        module = self.modules[spec.name]
        return module() if callable(module) else module  # a function makes the module on first import

    def exec_module(self, module) -> None:
        pass


def _install_ipython_stand_ins(module: types.ModuleType, notes: list[str], is_notebook: bool,
                               labels: set[str]) -> None:
    """IPython is not installed in the sandbox: ``IPython``/``IPython.display`` modules (importable),
    ``get_ipython`` and (in a notebook, as in Jupyter) ``display`` stand in for it.  Made here, in the
    sandbox, so that the zygote stays as it was.

    ``get_ipython`` and ``display`` are globals of the student's module, not builtins: library code
    that calls ``get_ipython()`` to ask whether it runs under IPython (SymPy's ``init_printing``) gets
    the NameError plain Python gives, and the stand-in module's ``IPython.get_ipython()`` answers
    None to a library, as a real IPython does outside IPython."""
    student_files = set(labels)  # and the code of magics, which the shell adds
    shell = _Shell(notes, student_files)

    def get_ipython():
        return shell if sys._getframe(1).f_code.co_filename in student_files else None

    display = _DisplayModule("IPython.display")
    display.display = _no_display
    display.clear_output = lambda *args, **kwargs: None
    display.update_display = lambda *args, **kwargs: None
    ipython = types.ModuleType("IPython")
    ipython.__version__ = ".".join(str(n) for n in IPYTHON_VERSION)
    ipython.version_info = (*IPYTHON_VERSION, "")
    ipython.display = display
    ipython.get_ipython = get_ipython
    ipython.embed = lambda *args, **kwargs: None
    core = types.ModuleType("IPython.core")
    core.display = display
    ipython.core = core
    sys.meta_path.insert(0, _StandInModules({"IPython": ipython, "IPython.display": display,
                                             "IPython.core": core, "IPython.core.display": display}))
    module.__dict__["get_ipython"] = lambda: shell
    if is_notebook:
        module.__dict__["display"] = _no_display


COLAB_NOTE = ("Colab's google.colab calls were skipped: the grader does not run in Colab, so Drive is not "
              "mounted and no files are uploaded or downloaded")
# The google.colab modules students import; any other name in them is a function that does nothing.
COLAB_MODULES = ("drive", "files", "output", "auth", "userdata", "data_table", "widgets", "syntax")


class _ColabModule(types.ModuleType):
    """A stand-in ``google.colab`` module: every function in it (``drive.mount``, ``files.download``...)
    does nothing but say so, once.  Colab plumbing, like the IPython magics the grader skips: a notebook
    made in Colab begins with it, and its code after ``drive.mount(...)`` must still run."""

    def __init__(self, name: str, notes: list[str]) -> None:
        super().__init__(name)
        self._notes = notes

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        notes = self._notes

        def skipped(*args, **kwargs):
            if COLAB_NOTE not in notes:
                notes.append(COLAB_NOTE)
            return {} if name == "upload" else None  # files.upload() gives {file name: contents}

        skipped.__name__ = skipped.__qualname__ = name
        setattr(self, name, skipped)
        return skipped


def _colab_stand_ins(notes: list[str]) -> dict[str, object]:
    """``google.colab`` and its modules, by name.  ``google`` itself is made only where no real ``google``
    package is installed (protobuf's is one), by :class:`_StandInModules`."""
    colab = _ColabModule("google.colab", notes)
    modules: dict[str, object] = {"google.colab": colab}
    for name in COLAB_MODULES:
        submodule = _ColabModule(f"google.colab.{name}", notes)
        setattr(colab, name, submodule)
        modules[submodule.__name__] = submodule
    google = types.ModuleType("google")
    google.__path__ = []
    modules["google"] = lambda: google
    return modules


def _text_progress_bars() -> types.ModuleType:
    """``tqdm.notebook`` in the sandbox: tqdm's plain text bars under the notebook names.  The real one
    draws ipywidgets, which the sandbox does not have (calling its ``tqdm`` raises "IProgress not found.
    Please update jupyter and ipywidgets"); the text bars go to the captured output.  ``tqdm.auto`` and
    ``tqdm.autonotebook`` pick the text bars themselves: they find no Jupyter kernel."""
    from tqdm import std

    class tqdm_notebook(std.tqdm):
        def __init__(self, *args, display=True, **kwargs) -> None:  # display: whether Jupyter shows the bar
            super().__init__(*args, **kwargs)

    def tnrange(*args, **kwargs):
        return tqdm_notebook(range(*args), **kwargs)

    module = types.ModuleType("tqdm.notebook", "tqdm's text progress bars, standing in for its notebook bars")
    tqdm_notebook.__module__ = module.__name__
    module.tqdm = module.tqdm_notebook = tqdm_notebook
    module.trange = module.tnrange = tnrange
    module.__all__ = ["tqdm_notebook", "tnrange", "tqdm", "trange"]
    return module


INPUT_MESSAGE = ("input() cannot be answered during grading: no one types at the keyboard while the grader "
                 "runs the code, so give the value in the code instead of asking for it")


def _no_input(prompt: object = "") -> str:
    """``input()`` in the sandbox, whose stdin is /dev/null: shows the prompt, as input() does, and
    raises the EOFError input() would, saying why instead of "EOF when reading a line"."""
    if prompt:
        try:
            sys.stdout.write(_str(prompt))
        except BaseException:
            pass
    raise EOFError(INPUT_MESSAGE)


class _Exited(SystemExit):
    """Raised by the stand-in ``exit()`` and ``quit()``, so that the note names what the student called."""

    def __init__(self, called: str, code) -> None:
        super().__init__(code)
        self.called = called


def _exit_stand_in(called: str):
    def exit(code=None):
        raise _Exited(called, code)

    exit.__name__ = exit.__qualname__ = called
    return exit


def _install_builtin_stand_ins() -> None:
    """``input()``, ``exit()`` and ``quit()``; kept in the snapshot that _restore_builtins() puts back,
    like the original builtins."""
    stand_ins = {"input": _no_input, "exit": _exit_stand_in("exit"), "quit": _exit_stand_in("quit")}
    builtins.__dict__.update(stand_ins)
    _BUILTINS.update(stand_ins)


def _exit_called(exc: SystemExit) -> str:
    """"exit()", "quit(1)" or "sys.exit(None)": what the code called to stop."""
    code = exc.code
    if _type(exc) is _Exited:
        return f"{exc.called}()" if code is None else f"{exc.called}({code!r:.50})"
    return f"sys.exit({code!r:.50})"


def run_call(module: types.ModuleType, call: dict, capture: CappedText, labels: set[str],
             star_imports: _StarImports | None = None) -> dict:
    """Call one function on decoded arguments; the ``result`` message.  Fields
    that would be empty are left out (the parent reads them as empty): most
    results are just a value."""
    report = {"t": "result", "i": call["i"], "status": "ok", "value": None, "seconds": 0.0}
    function = module.__dict__.get(call["f"])
    if function is None:
        report.update(status="not defined", message=f"{call['f']} is not defined")
        return report
    provider = star_imports.provider(call["f"], function) if star_imports is not None else None
    if provider is not None:
        report.update(status="not defined",
                      message=f"{call['f']} is not defined: the {call['f']} found is {provider}'s own function, "
                              f"brought in by `from {provider} import *`, not one the code defines")
        return report
    if not callable(function):
        report.update(status="not defined",
                      message=f"{call['f']} is defined but is a {codec.type_name(function)}, not a function")
        return report
    args = [codec.from_plain(arg) for arg in call["args"]]
    capture.reset()
    sandbox_pid = _getpid()
    started = _perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                _restore_numpy_errors()
                value = function(*args)
            finally:
                # A process the student forked must not carry on as the
                # driver and send results of its own.
                if _getpid() != sandbox_pid:
                    _exit(0)
                _restore_builtins()
        report["seconds"] = _perf_counter() - started
        if caught:
            report["warnings"] = [_warning_text(w) for w in caught[:MAX_WARNINGS]]
        try:
            report["value"] = codec.to_plain(value)
        except codec.ReturnedException as exc:
            report.update(status="bad value", message=f"returned {exc}")
        except codec.BadValue as exc:
            report.update(status="bad value",
                          message=f"returned {exc}; expected numbers, strings, lists, tuples or NumPy arrays")
    except MemoryError:
        report.update(status="memory", seconds=_perf_counter() - started,
                      exception="MemoryError", bases=["MemoryError", "Exception", "BaseException", "object"],
                      message="ran out of memory")
    except BaseException as exc:
        name, names = _exception_names(exc)
        line = _student_line(exc.__traceback__, labels)
        report.update(status="raised", seconds=_perf_counter() - started, exception=name,
                      bases=names, message=_exception_text(exc), line=line)
    if call.get("out", True):
        printed = capture.getvalue()
        if printed:
            report["stdout"] = printed
    return report


def _warning_text(w) -> str:
    try:
        category = getattr(w.category, "__name__", "Warning")
        return f"{category}: {_str(w.message)}"[:300]
    except BaseException:
        return "Warning"


def _serve(request: dict, calls_fd: int, result_fd: int, layers: dict) -> None:
    sandbox_pid = _getpid()
    capture = CappedText()
    sys.stdout = sys.stderr = capture
    load = _receive(calls_fd)
    if load is None:
        return
    module, report, star_imports = load_cells(load, capture, lambda index: _send(result_fd, {"t": "cell", "n": index}))
    if _getpid() != sandbox_pid:
        _exit(0)  # a process forked at import time must not report
    report["isolation"] = layers
    _send(result_fd, report)
    if report["status"] != "ok":
        return
    labels = {cell["label"] for cell in load["cells"]}
    while True:
        message = _receive(calls_fd)
        if message is None:
            return
        for call in message["calls"]:
            result = run_call(module, call, capture, labels, star_imports)
            if _getpid() != sandbox_pid:
                _exit(0)
            try:
                frame = codec.frame(result)
            except (TypeError, ValueError):  # e.g. a value json cannot write
                frame = codec.frame({"t": "result", "i": call["i"], "status": "bad value",
                                     "message": "the returned value could not be sent"})
            if _len(frame) > codec.MAX_FRAME_BYTES:  # the grader would stop reading: say why instead
                frame = codec.frame({"t": "result", "i": call["i"], "status": "bad value",
                                     "seconds": result.get("seconds", 0.0),
                                     "message": f"returned a value too large to send: {_len(frame) >> 20} MB as "
                                                f"sent, at most {codec.MAX_FRAME_BYTES >> 20} MB"})
            elif codec.frame_values(frame) > codec.MAX_FRAME_VALUES:
                frame = codec.frame({"t": "result", "i": call["i"], "status": "bad value",
                                     "seconds": result.get("seconds", 0.0),
                                     "message": f"returned a value of too many items to send (at most "
                                                f"{codec.MAX_FRAME_VALUES:,} numbers and lists in all; an "
                                                "array of any size is fine)"})
            _write_all(result_fd, frame)


# --------------------------------------------------------------- fresh mode

def fresh_main() -> None:
    """Entry point of the fresh-interpreter mode: one new ``python`` per
    submission (the nbgrader/Otter way), same protocol and isolation.  This
    process imports the libraries, forks the sandbox and reports its exit,
    like a one-shot zygote."""
    import json
    from . import zygote
    request = json.loads(sys.argv[1])
    available = json.loads(sys.argv[2])
    calls_fd, result_fd = int(request["calls_fd"]), int(request["result_fd"])
    zygote.warm_up("numpy", exercise=False)
    request["library_fds"] = zygote.library_fds(exclude=(calls_fd, result_fd))
    request["spawner_pid"] = os.getpid()
    isolation.set_child_subreaper()
    pid = spawn(request, calls_fd, result_fd, available)
    os.close(calls_fd)
    _, status = os.waitpid(pid, 0)
    uid = run_uid(request, available)
    if uid is not None and has_stray_children(()):
        kill_processes_of(uid)
    send_exit_report(result_fd, status)
    os.close(result_fd)
    while True:  # reap orphans until a sweep (above, or the parent's cgroup sweep) has killed them all
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    os._exit(0)


if __name__ == "__main__":
    fresh_main()

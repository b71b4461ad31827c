"""Sandbox runs kept between class runs, so a spec edit that changes no call runs no code again.

An instructor who fixes a part's points, rewords feedback or adds a known mistake
changes the spec, so the whole class is graded again; but every student file
would be run with exactly the same calls and give exactly the same outcomes.
:class:`RunCache` wraps a pool: a run whose key (the code as the sandbox loads
it, every call with its arguments, the limits, and the versions of the sandbox
and the libraries the student's code uses) matches the kept one is read back
instead of run.  Only the comparison with the references is done again.

One file per student file and set of functions called (a new hidden case
replaces its entry rather than adding one), gzip-compressed JSON, written
atomically by whichever worker process ran the code.  Outcomes are decoded with
the same defensive decoder as a child's messages; an entry that does not read
back is run again.  A run the machine's load could have changed (a timeout, a
crash, the memory limit) is not kept: a regrade gives it another chance, as
before.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import platform
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from . import codec
from .records import CRASHED, IMPORT_TIMEOUT, LOAD_CRASHED, LOAD_MEMORY, MEMORY, TIMEOUT, Call, CallOutcome, \
    SubmissionRun

FOLDER_NAME = ".sandbox-runs"  # inside a class run's --out; a dot folder is never taken for a student
FORMAT = 1
_UNSETTLED_CALLS = {TIMEOUT, CRASHED, MEMORY}
_UNSETTLED_LOADS = {IMPORT_TIMEOUT, LOAD_CRASHED, LOAD_MEMORY}


@lru_cache(maxsize=1)
def _environment() -> str:
    """What else decides a run's outcomes: this sandbox's code and the libraries student code imports."""
    import numpy
    import scipy
    import sympy

    from grader import __version__

    sandbox = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        sandbox.update(path.read_bytes())
    return json.dumps([FORMAT, __version__, sandbox.hexdigest(), platform.python_version(),
                       numpy.__version__, scipy.__version__, sympy.__version__])


def run_key(source: Any, calls: Sequence[Call], limits: dict) -> str:
    """Everything the outcomes of running ``source`` with ``calls`` under ``limits`` depend on."""
    digest = hashlib.sha256(_environment().encode())
    cells = [[c.label, c.source, c.quote] for c in source.normalised_cells()]
    digest.update(json.dumps([Path(source.path).name, source.is_notebook, cells, sorted(limits.items())]).encode())
    for call in calls:
        digest.update(b"\0" + call.case_id.encode() + b"\0" + call.wire.encode())
    return digest.hexdigest()


def _entry_name(source: Any, calls: Sequence[Call]) -> str:
    functions = sorted({call.function for call in calls})
    where = json.dumps([str(Path(source.path).resolve()), functions])
    return hashlib.sha256(where.encode()).hexdigest()[:32] + ".json.gz"


def is_settled(run: SubmissionRun) -> bool:
    """A run every grading on any machine would repeat: nothing stopped by a limit or killed."""
    return run.load_status not in _UNSETTLED_LOADS and run.restarts == 0 and \
        not any(outcome.status in _UNSETTLED_CALLS for outcome in run.outcomes)


class RunCache:
    """A pool (``run(source, calls, **limits)``) that keeps settled runs in ``folder``."""

    def __init__(self, pool: Any, folder: Path) -> None:
        self._pool = pool
        self.folder = Path(folder)

    def run(self, source: Any, calls: Sequence[Call], **limits: Any) -> SubmissionRun:
        calls = list(calls)
        key = run_key(source, calls, limits)
        entry = self.folder / _entry_name(source, calls)
        kept = _read(entry, key, len(calls))
        if kept is not None:
            return kept
        run = self._pool.run(source, calls, **limits)
        if is_settled(run):
            _write(entry, key, str(Path(source.path).resolve()), run)
        return run

    def close(self) -> None:
        self._pool.close()

    def forget_gone_files(self) -> int:
        """Remove the entries of files no longer there (a student who left, a renamed file)."""
        removed = 0
        for entry in self.folder.glob("*.json.gz"):
            try:
                with gzip.open(entry, "rt", encoding="utf-8") as handle:
                    path = json.load(handle).get("path")
                if isinstance(path, str) and Path(path).exists():
                    continue
            except (OSError, ValueError, AttributeError):
                pass  # unreadable: useless, so removed too
            entry.unlink(missing_ok=True)
            removed += 1
        return removed


def _write(entry: Path, key: str, path: str, run: SubmissionRun) -> None:
    data = {"key": key, "path": path, "run": _plain_run(run)}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(gzip.compress(json.dumps(data).encode(), compresslevel=1, mtime=0))
        os.replace(temporary, entry)
    except (OSError, TypeError):  # a full disk, or a value with no plain form: the run is simply not kept
        try:
            os.unlink(temporary)
        except (OSError, UnboundLocalError):
            pass


def _read(entry: Path, key: str, calls: int) -> SubmissionRun | None:
    try:
        with gzip.open(entry, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        if data["key"] != key:
            return None
        run = _run_from_plain(data["run"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, codec.ProtocolError):
        return None  # missing, from another version, or damaged: run the code again
    return run if len(run.outcomes) == calls else None


def _plain_run(run: SubmissionRun) -> dict:
    outcomes = [{"status": o.status, "value": codec.encode_trusted(o.value), "exception": o.exception,
                 "bases": list(o.exception_bases), "message": o.message, "stdout": o.stdout,
                 "seconds": o.seconds, "warnings": list(o.warnings), "line": o.line} for o in run.outcomes]
    return {"load_status": run.load_status, "load_message": run.load_message, "notes": list(run.notes),
            "outcomes": outcomes, "isolation": run.isolation, "seconds": run.seconds,
            "load_stdout": run.load_stdout}


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not a string")
    return value


def _run_from_plain(data: dict) -> SubmissionRun:
    outcomes = tuple(CallOutcome(_text(o["status"]), codec.from_plain(o["value"]),
                                 None if o["exception"] is None else _text(o["exception"]),
                                 tuple(_text(b) for b in o["bases"]), _text(o["message"]), _text(o["stdout"]),
                                 float(o["seconds"]), tuple(_text(w) for w in o["warnings"]),
                                 None if o["line"] is None else int(o["line"]))
                     for o in data["outcomes"])
    if type(data["isolation"]) is not dict:
        raise TypeError("isolation is not a mapping")
    return SubmissionRun(_text(data["load_status"]), _text(data["load_message"]),
                         tuple(_text(n) for n in data["notes"]), outcomes, data["isolation"],
                         float(data["seconds"]), _text(data["load_stdout"]))

"""Plain records passed between the grading pipeline and the sandbox."""
from __future__ import annotations

from dataclasses import dataclass, field

# CallOutcome.status values
OK = "ok"
RAISED = "raised"
NOT_DEFINED = "not defined"
TIMEOUT = "timeout"
MEMORY = "memory"
CRASHED = "crashed"
BAD_VALUE = "bad value"

# SubmissionRun.load_status values
LOADED = "ok"
IMPORT_FAILED = "import failed"
IMPORT_TIMEOUT = "import timeout"
EXITED = "exited"
LOAD_CRASHED = "crashed"
LOAD_MEMORY = "memory"


@dataclass(frozen=True)
class Call:
    """One function call to make in the child, with trusted spec values."""

    function: str
    args: tuple
    case_id: str = ""
    capture_output: bool = True  # False for hidden cases: stdout never returned
    # The call as JSON for the child (without its position in the run),
    # encoded once: a class run makes the same calls for every submission.
    wire: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .codec import call_json
        object.__setattr__(self, "wire", call_json(self.function, self.args, self.capture_output))


@dataclass(frozen=True)
class CallOutcome:
    """What one call did, decoded by the trusted parent into trusted types.

    ``value`` is float/int/bool/complex/str/None, tuple, list, dict or
    ``numpy.ndarray`` (numeric dtype).  ``exception_bases`` lists the
    exception's class names along its MRO, so ``LinAlgError`` can be
    accepted where ``ValueError`` is asked.  ``line`` is the student's line
    where an exception was raised, when known.  For a hidden call
    (``capture_output=False``) ``stdout`` is always empty; ``message`` is
    still the exception's own text, which the pipeline should not show
    verbatim for hidden cases if it might echo their inputs."""

    status: str
    value: object = None
    exception: str | None = None
    exception_bases: tuple[str, ...] = ()
    message: str = ""
    stdout: str = ""
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class SubmissionRun:
    """Everything a submission's run produced; ``outcomes`` align with the calls."""

    load_status: str
    load_message: str
    notes: tuple[str, ...]
    outcomes: tuple[CallOutcome, ...]
    isolation: dict
    seconds: float
    load_stdout: str = ""
    restarts: int = 0  # how many times a fresh child had to be started after a fatal call

    @property
    def loaded(self) -> bool:
        return self.load_status == LOADED


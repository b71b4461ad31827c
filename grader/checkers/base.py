"""The one interface every answer checker implements.

A checker compares a *reference* (computed by the grader from the spec) with
a student's *answer* and returns a :class:`Verdict`.  The call shape is always
``check(reference, answer, options)``, reference first: tolerances are
relative to the reference, never to the student's value.

``answer`` is either text the student wrote (LaTeX or plain text, from an
answers file or a Markdown document) or a plain value produced by running the
student's code (numbers, nested lists, ``{"__array__": ...}`` records, strings,
``{"__exception__": ...}`` records).  Each checker accepts both where that
makes sense.

Options are a small frozen dataclass per kind, built from the spec's mapping
with :func:`make_options`, so an unknown option is a spec error, not a silent
default.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar


# What a code answer of None is, said to a student: most often a function whose `return` is missing.
NOTHING_RETURNED = "None, no value (a function that ends without `return` gives None)"


class Status(str, enum.Enum):
    """The four honest outcomes: never a silent zero."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    UNREADABLE = "could not read"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass(frozen=True)
class Verdict:
    """One comparison's outcome.

    ``credit`` is the fraction (0..1) of the points at stake.  ``feedback`` is
    written for the student and never reveals a hidden reference value.
    ``read_as`` is the answer as the grader understood it (LaTeX where it
    has one), shown in reports so a student can see a misreading.
    ``hint`` says what kind of mistake it is in fixed words, with nothing
    taken from the answer or the reference ("The sign is wrong."): safe to
    show for a hidden case, where the feedback is not (a returned value can
    carry the hidden inputs out).
    """

    status: Status
    credit: float
    feedback: str
    read_as: str | None = None
    details: tuple[str, ...] = field(default=())
    hint: str = ""

    @property
    def is_correct(self) -> bool:
        return self.status is Status.CORRECT

    @classmethod
    def correct(cls, feedback: str = "Looks good.", read_as: str | None = None) -> "Verdict":
        return cls(Status.CORRECT, 1.0, feedback, read_as)

    @classmethod
    def incorrect(cls, feedback: str, read_as: str | None = None, hint: str = "") -> "Verdict":
        return cls(Status.INCORRECT, 0.0, feedback, read_as, hint=hint)

    @classmethod
    def unreadable(cls, feedback: str, read_as: str | None = None, hint: str = "") -> "Verdict":
        return cls(Status.UNREADABLE, 0.0, feedback, read_as, hint=hint)

    @classmethod
    def partial(cls, credit: float, feedback: str, read_as: str | None = None, hint: str = "") -> "Verdict":
        if credit >= 1.0:
            return cls(Status.CORRECT, 1.0, feedback, read_as)
        if credit <= 0.0:
            return cls(Status.INCORRECT, 0.0, feedback, read_as, hint=hint)
        return cls(Status.PARTIAL, credit, feedback, read_as, hint=hint)


class Checker:
    """Base class: subclasses set ``kind`` and ``Options`` and implement ``check``."""

    kind: ClassVar[str]

    @dataclass(frozen=True)
    class Options:
        pass

    def check(self, reference: Any, answer: Any, options: Any) -> Verdict:  # pragma: no cover
        raise NotImplementedError

    def read_problem(self, answer: Any, options: Any) -> str | None:
        """Why ``check`` would call this written answer "could not read", whatever the reference,
        or None when it reads (or when only the reference could tell).  A self-check under a
        published spec has no reference, yet should tell a student their answer cannot be read."""
        return None


_REGISTRY: dict[str, Checker] = {}


def register(cls: type[Checker]) -> type[Checker]:
    """Class decorator: make a checker available under ``cls.kind``."""
    _REGISTRY[cls.kind] = cls()
    return cls


def get_checker(kind: str) -> Checker:
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown answer kind {kind!r}; known kinds: {known}") from None


def known_kinds() -> list[str]:
    return sorted(_REGISTRY)


def make_options(kind: str, mapping: dict[str, Any] | None) -> Any:
    """Build the frozen options dataclass of ``kind`` from a spec mapping.

    Raises ``ValueError`` naming the bad key or value, for the spec loader to
    locate in the file.
    """
    options_cls = get_checker(kind).Options
    mapping = dict(mapping or {})
    fields = {f.name: f for f in dataclasses.fields(options_cls)}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ValueError(
            f"unknown option(s) {', '.join(unknown)} for kind {kind!r}; "
            f"expected one of: {', '.join(sorted(fields)) or '(none)'}"
        )
    converted = {}
    for name, value in mapping.items():
        converted[name] = _coerce(name, value, fields[name])
    return options_cls(**converted)


def _coerce(name: str, value: Any, f: dataclasses.Field) -> Any:
    default = f.default if f.default is not dataclasses.MISSING else None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"option {name!r} must be true or false, got {value!r}")
        return value
    if isinstance(default, float) or (default is None and name in _FLOAT_OPTIONS):
        if isinstance(value, bool):
            raise ValueError(f"option {name!r} must be a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"option {name!r} must be a number, got {value!r}") from None
    if isinstance(default, int) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"option {name!r} must be an integer, got {value!r}")
        return value
    if isinstance(default, tuple):
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            raise ValueError(f"option {name!r} must be a list, got {value!r}")
        return tuple(value)
    return value


# Options that default to None but must be numbers when given.
_FLOAT_OPTIONS = {"rtol", "atol", "sigfigs", "decimals"}


Predicate = Callable[[Any], bool]

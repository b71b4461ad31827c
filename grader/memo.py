"""Remembering pure results across the students of a class run.

In a class many students give the same answers and their code returns the
same values, so checking is memoised: a verdict is a pure function of the
reference and the answer.  Two pieces:

* :class:`BoundedCache`, a dictionary with a size limit (oldest entries go
  first) that threads can share: reads take no lock, writes do;
* :func:`value_key`, a hashable stand-in for a plain value that two values
  share only when no checker could tell them apart: types are part of the
  key (``1``, ``1.0`` and ``True`` differ, a list is not a tuple, ``0.0`` is
  not ``-0.0``), arrays by dtype, shape and bytes.  Values that are large or
  of another type get no key and are simply checked afresh.

Only immutable results may be stored: every student who hits an entry gets
the same object.
"""
from __future__ import annotations

import threading
from typing import Any, Hashable

import numpy as np

MAX_KEY_SIZE = 4096  # bytes/characters of a value worth remembering; a larger one is checked afresh


class BoundedCache:
    """A thread-safe mapping of at most ``max_entries`` entries; the oldest entry is dropped first."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        # dict.get on keys made of str/bytes/int/tuple runs no Python code, so it is atomic under the GIL.
        return self._entries.get(key, default)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class _NoKey(Exception):
    """The value is too large, or of a type without a key."""


def value_key(value: Any, limit: int = MAX_KEY_SIZE) -> Hashable | None:
    """A key equal for two values only when they have the same types, shapes and contents; None if none."""
    budget = [limit]
    try:
        return _key(value, budget)
    except (_NoKey, RecursionError):
        return None


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise _NoKey


def _key(value: Any, budget: list[int]) -> Hashable:
    kind = type(value)
    if value is None or kind is bool:
        _spend(budget, 1)
        return kind, value
    if kind is int:
        _spend(budget, 1 + value.bit_length() // 8)
        return kind, value
    if kind is float or kind is complex:
        _spend(budget, 16)
        return kind, repr(value)  # exact, and tells 0.0 from -0.0 (which compare equal)
    if kind is str:
        _spend(budget, len(value))
        return kind, value
    if kind is np.ndarray:
        if value.dtype.hasobject:  # its bytes would be pointers
            raise _NoKey
        _spend(budget, value.nbytes + 16)
        return kind, value.dtype.str, value.shape, value.tobytes()
    if kind is list or kind is tuple:
        _spend(budget, 1 + len(value))
        return kind, tuple(_key(item, budget) for item in value)
    if kind is dict:
        _spend(budget, 1 + len(value))
        return kind, tuple((_key(k, budget), _key(v, budget)) for k, v in value.items())
    raise _NoKey

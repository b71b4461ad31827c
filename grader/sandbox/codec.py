"""Plain-data encoding between the trusted grader and a sandboxed child.

Everything that crosses the pipe is JSON.  Values that JSON cannot say
directly are tagged objects with exactly one ``$`` key:

    {"$float": "nan" | "inf" | "-inf"}          non-finite floats
    {"$complex": [re, im]}                      complex numbers
    {"$tuple": [...]}                           tuples (JSON only has lists)
    {"$dict": [[key, value], ...]}              dicts (keys need not be str)
    {"$array": {"dtype": "<f8", "shape": [...], "data": "<base64>"}}

Two directions, two levels of trust:

* :func:`to_plain` runs **inside the child** on whatever the student's
  function returned.  It accepts only exact, known types (``type(x) is
  float``, a real ``numpy.ndarray`` with a numeric dtype, ...), so a subclass
  with a lying ``__eq__``/``__float__``/``__array__`` is refused with its type
  name instead of being asked what it is.  This is for honest error
  messages; it is *not* the security boundary, because the student controls
  the child process and could bypass it.
* :func:`from_plain` runs **in the trusted parent** on JSON it parsed
  itself.  It only ever builds trusted types (float, int, bool, str, None,
  tuple, list, dict, ``numpy.ndarray`` from raw bytes with a whitelisted
  dtype) and rejects anything else.  That is the boundary: nothing from a
  child is unpickled or evaluated.

Frames on the pipes are a 4-byte big-endian length followed by UTF-8 JSON.
"""
from __future__ import annotations

import base64
import decimal
import fractions
import json
import math
import re
import struct
import sys

import numpy as np

# Captured when this module is imported, i.e. in the zygote before any
# student code runs, so monkeypatching builtins later does not change them.
_type = type
_len = len
_isfinite = math.isfinite
_tuple_getitem = tuple.__getitem__
_tuple_len = tuple.__len__
_str_of = str.__str__  # a str subclass's characters as a plain str, whatever the subclass says
_mro_of = type.__dict__["__mro__"].__get__
_dict_of = type.__dict__["__dict__"].__get__
_Fraction = fractions.Fraction
# Fraction keeps its value in two slots, read here without its (replaceable) methods.
_numerator_of = fractions.Fraction.__dict__["_numerator"].__get__
_denominator_of = fractions.Fraction.__dict__["_denominator"].__get__
# An exact Decimal is read with Decimal's own methods, captured here.
_Decimal = decimal.Decimal
_decimal_is_nan = decimal.Decimal.is_nan
_decimal_is_finite = decimal.Decimal.is_finite
_decimal_float = decimal.Decimal.__float__
_dumps = json.dumps
_b64encode = base64.b64encode

MAX_DEPTH = 32
MAX_STR_CHARS = 100_000
MAX_ELEMENTS = 20_000_000  # array elements in one value
# One message on the result pipe.  Arrays travel as base64 (8 MB of float64 is ~11 MB sent), so a
# value under MAX_ELEMENTS can still be too large: the child checks the size before sending.
MAX_FRAME_BYTES = 64 << 20
# JSON values in one message, counted (commas and brackets) before it is parsed: parsing ten million
# tiny lists holds the grading process for seconds and gigabytes, which would stall every other
# student's run.  An array is one base64 string whatever its size; a returned list of 10,000 numbers
# is 10,000 values.
MAX_FRAME_VALUES = 500_000


def frame_values(body: bytes) -> int:
    """An upper bound on the JSON values in a message (commas in strings count too)."""
    return body.count(b",") + body.count(b"[") + body.count(b"{")
MAX_INT_DIGITS = 4000

# Numeric dtypes an array may have, by their little-endian type string.
ALLOWED_DTYPES = {
    np.dtype(name).str: np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "complex64", "complex128",
    )
}

_NUMPY_FLOATS = frozenset({np.float16, np.float32, np.float64})
_NUMPY_INTS = frozenset({np.int8, np.int16, np.int32, np.int64,
                         np.uint8, np.uint16, np.uint32, np.uint64})
_NUMPY_COMPLEX = frozenset({np.complex64, np.complex128})


def _library_subclasses(base: type) -> frozenset:
    """All subclasses of ``base`` that exist right now (library result types
    such as SciPy's ``TtestResult`` or NumPy's ``EighResult``).  Called at
    import time, before student code, so student-made subclasses are absent."""
    seen: set[type] = set()
    stack = list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.add(cls)
            stack.extend(cls.__subclasses__())
    return frozenset(seen)


_LIBRARY_TUPLES: frozenset = frozenset()
_SYMPY_NUMBERS: frozenset = frozenset()
_SYMPY_EXPRESSIONS: frozenset = frozenset()  # exp(x)/tanh(x) at x = 1/20: a number SymPy has not evaluated


def freeze_library_types() -> None:
    """Record the library tuple and SymPy number types that are trusted.

    The zygote calls this after importing the libraries and before forking."""
    global _LIBRARY_TUPLES, _SYMPY_NUMBERS, _SYMPY_EXPRESSIONS
    _LIBRARY_TUPLES = _library_subclasses(tuple)
    # Only a zygote that preloads SymPy trusts its types; importing it here
    # would put SymPy in every zygote (a tier's point is to be small).
    sympy = sys.modules.get("sympy")
    if sympy is None:
        return
    _SYMPY_NUMBERS = _library_subclasses(sympy.Number) | {sympy.Integer, sympy.Float, sympy.Rational}
    _SYMPY_EXPRESSIONS = _library_subclasses(sympy.Expr) - _SYMPY_NUMBERS


class BadValue(Exception):
    """A returned value that the grader cannot read; the message says why."""


class ReturnedException(BadValue):
    """An exception object returned where the student meant to raise it; the message says what to write."""


# ---------------------------------------------------------------- child side

def _float(x: float) -> object:
    if _isfinite(x):
        return x
    return {"$float": "nan" if x != x else ("inf" if x > 0 else "-inf")}


def _array(a: np.ndarray, _depth: int = 0) -> dict:
    if a.size > MAX_ELEMENTS:
        raise BadValue(f"a NumPy array with {a.size} elements (more than {MAX_ELEMENTS})")
    if a.dtype.kind == "f" and a.dtype.itemsize > 8:  # np.longdouble
        a = _narrowed(a, np.float64)
    elif a.dtype.kind == "c" and a.dtype.itemsize > 16:  # np.clongdouble
        a = _narrowed(a, np.complex128)
    elif a.dtype.kind == "O":
        a = _real_numbers(a, _depth)
    elif a.dtype.kind == "U" and a.ndim == 0:  # np.where(cond, "approx", "true"): one string
        return to_plain(a[()], _depth)
    dtype = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    key = dtype.str
    if key not in ALLOWED_DTYPES:
        raise BadValue(f"a NumPy array of dtype {a.dtype} (the grader reads only numeric arrays)")
    data = np.ascontiguousarray(a, dtype=ALLOWED_DTYPES[key]).tobytes()
    return {"$array": {"dtype": key, "shape": [int(n) for n in a.shape],
                       "data": _b64encode(data).decode("ascii")}}


def _narrowed(a: np.ndarray, dtype: type, what: str = "") -> np.ndarray:
    """An extended-precision array as float64 (complex128): the nearest values, unless one is too large."""
    with np.errstate(over="ignore", invalid="ignore"):
        narrow = a.astype(dtype)
    if np.any(np.isinf(narrow) & np.isfinite(a)):
        raise BadValue(f"{what or f'a NumPy array of dtype {a.dtype} with values'} too large for a float")
    return narrow


def _real_numbers(a: np.ndarray, _depth: int) -> np.ndarray:
    """An object array whose items are all real numbers (Python, NumPy or SymPy numbers, Fractions,
    Decimals), read item by item as :func:`to_plain` reads a list, as a float array.  Any other item
    (a string, a complex number, an array, a symbol) and the array is refused."""
    numbers = []
    for item in a.reshape(-1).tolist():
        try:
            plain = to_plain(item, _depth + 1)
            if _type(plain) is int:
                plain = float(plain)
            elif _type(plain) is dict and _type(plain.get("$float")) is str:
                plain = float(plain["$float"])
        except (BadValue, OverflowError):
            plain = None
        if _type(plain) is not float:
            raise BadValue(f"a NumPy array of dtype {a.dtype} (the grader reads only numeric arrays)")
        numbers.append(plain)
    return np.array(numbers, dtype=np.float64).reshape(a.shape)


def _decimal(value: decimal.Decimal) -> object:
    """An exact ``decimal.Decimal`` as the nearest float."""
    if _decimal_is_nan(value):
        return _float(float("nan"))
    number = _decimal_float(value)
    if _decimal_is_finite(value) and not _isfinite(number):
        raise BadValue("a Decimal too large for a float")
    return _float(number)


def _long_double(value: object) -> object:
    """An extended-precision NumPy scalar as the nearest float (complex)."""
    is_complex = _type(value) is np.clongdouble
    plain = _narrowed(np.asarray(value), np.complex128 if is_complex else np.float64,
                      f"a {_type_name(_type(value))}")[()]
    if is_complex:
        return {"$complex": [_float(float(plain.real)), _float(float(plain.imag))]}
    return _float(float(plain))


def to_plain(value: object, _depth: int = 0) -> object:
    """Convert a student's return value to JSON-able plain data, strictly.

    Raises :class:`BadValue` naming the offending type."""
    if _depth > MAX_DEPTH:
        raise BadValue(f"a value nested more than {MAX_DEPTH} levels deep")
    t = _type(value)
    if value is None or t is bool or t is str and _len(value) <= MAX_STR_CHARS:
        return value
    if t is str:
        raise BadValue(f"a string of {_len(value)} characters (more than {MAX_STR_CHARS})")
    if t is int:
        if value.bit_length() > MAX_INT_DIGITS * 3:
            raise BadValue("an integer too large to read")
        return value
    if t is float:
        return _float(value)
    if t is complex:
        return {"$complex": [_float(value.real), _float(value.imag)]}
    if t is np.ndarray or t is np.matrix:
        return _array(np.asarray(value) if t is np.matrix else value, _depth)
    if t in _NUMPY_FLOATS:
        return _float(float(value))
    if t in _NUMPY_INTS:
        return int(value)
    if t is np.bool_:
        return bool(value)
    if t in _NUMPY_COMPLEX:
        c = complex(value)
        return {"$complex": [_float(c.real), _float(c.imag)]}
    if t is list:
        if _len(value) > MAX_ELEMENTS:
            raise BadValue("a list that is too long")
        return [to_plain(item, _depth + 1) for item in list.copy(value)]
    if t is tuple or t in _LIBRARY_TUPLES or _is_named_tuple(t, value):
        # Read a named tuple through tuple's own slots: its class (the
        # student's, or a library's whose attributes the student may have
        # monkeypatched) may say anything in __getitem__, __iter__ or __eq__.
        items = [_tuple_getitem(value, i) for i in range(_tuple_len(value))]
        return {"$tuple": [to_plain(item, _depth + 1) for item in items]}
    if t is _Fraction:
        return _fraction(value)
    if t is _Decimal:
        return _decimal(value)
    if t is np.longdouble or t is np.clongdouble:
        return _long_double(value)
    if t is dict:
        return {"$dict": [[to_plain(k, _depth + 1), to_plain(v, _depth + 1)]
                          for k, v in dict.items(value)]}
    if t is np.str_:  # an item of a NumPy array of strings
        return to_plain(_str_of(value), _depth)
    if t in _SYMPY_NUMBERS:
        if value.is_Integer:
            return int(value)
        return _float(float(value))
    if t in _SYMPY_EXPRESSIONS:
        return _sympy_expression(value, t)
    if BaseException in _type.__dict__["__mro__"].__get__(t):  # type's own slot: a metaclass may lie
        name = _type_name(t)
        raise ReturnedException(f"a {name} object instead of raising it: write “raise {name}(…)”, "
                                f"not “return {name}(…)”")
    raise BadValue(f"a value of type {_type_name(t)}")


def _sympy_expression(value: object, t: type) -> object:
    """A SymPy expression that is a real number (``exp(-1/20)/4``) as the nearest float; evaluating it
    is the student's own computation, under the call's time limit."""
    if value.free_symbols:
        raise BadValue(f"a SymPy expression with symbols in it ({_type_name(t)}), not a number; "
                       "substitute values for them")
    try:
        return _float(float(value))
    except (TypeError, ValueError, OverflowError):
        raise BadValue(f"a SymPy expression that is not a real number ({_type_name(t)})") from None


def _is_named_tuple(t: type, value: object) -> bool:
    """Whether ``t`` is a class made by ``collections.namedtuple`` or
    ``typing.NamedTuple`` (or a subclass of one): a tuple subclass with a
    ``_fields`` tuple of names, one per item.  Read through the type's own
    descriptors, so a metaclass cannot answer instead.  Other tuple
    subclasses stay refused: a student's class has no reason to be one."""
    mro = _mro_of(t)
    if tuple not in mro:
        return False
    for cls in mro:
        if cls is tuple:
            return False
        fields = _dict_of(cls).get("_fields")
        if fields is not None:
            return (_type(fields) is tuple and all(_type(name) is str for name in fields)
                    and _len(fields) == _tuple_len(value))
    return False


def _fraction(value: fractions.Fraction) -> object:
    """An exact ``fractions.Fraction`` as the nearest float, from its two integers."""
    numerator, denominator = _numerator_of(value), _denominator_of(value)
    if _type(numerator) is not int or _type(denominator) is not int or denominator <= 0:
        raise BadValue("a Fraction that does not hold two integers")
    try:
        return _float(numerator / denominator)
    except OverflowError:
        raise BadValue("a Fraction too large for a float") from None


def _type_name(t: type) -> str:
    module = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", "?")
    text = name if module in ("builtins", "") else f"{module}.{name}"
    return str(text)[:200] if _type(text) is str else "?"


def type_name(value: object) -> str:
    return _type_name(_type(value))


# --------------------------------------------------------------- parent side

class ProtocolError(Exception):
    """The child sent something that is not a well-formed message."""


def from_plain(data: object, _depth: int = 0) -> object:
    """Decode JSON-parsed data from a child into trusted Python/NumPy values."""
    if _depth > MAX_DEPTH + 2:
        raise ProtocolError("value nested too deeply")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [from_plain(item, _depth + 1) for item in data]
    if t is not dict or len(data) != 1:
        raise ProtocolError("unexpected object in value")
    (tag, body), = data.items()
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad $float")
        return float(body)
    if tag == "$complex":
        if type(body) is not list or len(body) != 2:
            raise ProtocolError("bad $complex")
        re, im = (from_plain(part, _depth + 1) for part in body)
        if type(re) not in (int, float) or type(im) not in (int, float):
            raise ProtocolError("bad $complex")
        return complex(re, im)
    if tag == "$tuple":
        if type(body) is not list:
            raise ProtocolError("bad $tuple")
        return tuple(from_plain(item, _depth + 1) for item in body)
    if tag == "$dict":
        if type(body) is not list:
            raise ProtocolError("bad $dict")
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("bad $dict entry")
            key = from_plain(pair[0], _depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("unhashable $dict key") from None
            out[key] = from_plain(pair[1], _depth + 1)
        return out
    if tag == "$array":
        return _decode_array(body)
    raise ProtocolError(f"unknown tag {str(tag)[:20]!r}")


def _decode_array(body: object) -> np.ndarray:
    if type(body) is not dict or set(body) != {"dtype", "shape", "data"}:
        raise ProtocolError("bad $array")
    dtype = ALLOWED_DTYPES.get(body["dtype"]) if type(body["dtype"]) is str else None
    shape = body["shape"]
    if dtype is None or type(shape) is not list or len(shape) > 32 or type(body["data"]) is not str:
        raise ProtocolError("bad $array header")
    if any(type(n) is not int or n < 0 for n in shape):
        raise ProtocolError("bad $array shape")
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise ProtocolError("array too large")
    try:
        raw = base64.b64decode(body["data"].encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProtocolError("bad $array data") from None
    if len(raw) != count * dtype.itemsize:
        raise ProtocolError("$array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# -------------------------------------------------------- trusted encoding

def encode_trusted(value: object) -> object:
    """Encode a trusted spec value (call argument) for the child.

    Spec values come from the instructor, so ordinary duck-typing is fine;
    NumPy scalars become Python numbers."""
    try:
        return to_plain(value)
    except BadValue as exc:
        raise TypeError(f"cannot send {exc} to a sandboxed call") from None


def call_json(function: str, args: tuple, capture_output: bool) -> str:
    """The JSON members of one call message, without the braces and its index."""
    body = _dumps({"f": function, "args": [encode_trusted(a) for a in args], "out": bool(capture_output)},
                  separators=(",", ":"), allow_nan=False)
    return body[1:-1]


def calls_frame(numbered: list[tuple[int, str]]) -> bytes:
    """A ``calls`` message from (index, :func:`call_json` text) pairs."""
    body = '{"calls":[' + ",".join(f'{{"i":{i},{text}}}' for i, text in numbered) + "]}"
    data = body.encode("utf-8")
    return _HEADER.pack(len(data)) + data


# ------------------------------------------------------------------ framing

_HEADER = struct.Struct(">I")


def frame(message: dict) -> bytes:
    body = _dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _HEADER.pack(len(body)) + body


# JSON may spell a lone UTF-16 surrogate ("\ud800"), which becomes a str that
# no UTF-8 file, database or terminal accepts: one such exception message
# would stop every output of a class run.  Escapes of this shape also spell
# the pairs of characters beyond the BMP, which decode whole and are kept.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: object) -> object:
    if type(value) is str:
        return _LONE_SURROGATE.sub("\ufffd", value)
    if type(value) is list:
        return [_without_lone_surrogates(item) for item in value]
    if type(value) is dict:
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class FrameReader:
    """Incremental reader of length-prefixed JSON frames with a size cap.

    Frames that arrived intact before any garbage are still returned; after
    garbage, ``broken`` holds the reason and nothing more is parsed."""

    def __init__(self, max_frame: int) -> None:
        self.max_frame = max_frame
        self.broken: str | None = None
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict]:
        if self.broken:
            return []
        self._buffer += data
        frames = []
        while len(self._buffer) >= 4:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > self.max_frame:
                self.broken = f"message of {size} bytes is over the {self.max_frame}-byte cap"
                break
            if len(self._buffer) < 4 + size:
                break
            body = bytes(self._buffer[4:4 + size])
            del self._buffer[:4 + size]
            if frame_values(body) > MAX_FRAME_VALUES:
                self.broken = f"message of over {MAX_FRAME_VALUES:,} values is too complex to read"
                break
            try:
                message = json.loads(body.decode("utf-8"))
            except (ValueError, RecursionError):
                self.broken = "message is not valid JSON"
                break
            if type(message) is not dict:
                self.broken = "message is not an object"
                break
            if _SURROGATE_ESCAPE.search(body):
                message = _without_lone_surrogates(message)
            frames.append(message)
        if self.broken:
            self._buffer.clear()
        return frames

    @property
    def pending(self) -> int:
        return len(self._buffer)

"""The intrinsic functions AWS Step Functions offers (`States.Format`, `States.ArrayRange`, ...).

Each function takes its evaluated arguments and returns AWS's result, with AWS's types: MathAdd rounds
each argument half-up like Java's Math.round and returns an integer; ArrayRange returns integers;
Format writes numbers, objects and arrays as Java's toString does (1.0, 1.0E7, {a=1, b=[]});
JsonToString writes compact JSON as Jackson does. A wrong argument raises `IntrinsicFailure`
("Invalid arguments in States.ArrayGetItem: ..."); the conformance corpus records no failing call, so
those causes are our wording, kept in one style.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from local.engine.errors import StatesError
from local.engine.intrinsics_parser import ESCAPABLE, Call, Literal, Text
from local.engine.java_compat import JavaRandom, java_round, java_text, json_equal, to_json_text

RUNTIME_ERROR: Final = "States.Runtime"
MAX_STRING_LENGTH: Final = 10_000  # AWS's limit for Base64Encode/Base64Decode/Hash input
MAX_RANGE_LENGTH: Final = 1_000  # AWS's limit for the array ArrayRange builds


class IntrinsicFailure(StatesError):
    """An intrinsic function failed at run time; `.cause` is the part after AWS's state prefix."""

    def __init__(self, cause: str) -> None:
        super().__init__(RUNTIME_ERROR, cause)


# ------------------------------------------------------------------------------------------ values


def _json_type(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _identity(value: Any) -> Any:
    """A hashable key that is equal exactly when two JSON values are (type-strict, key order free)."""
    if isinstance(value, dict):
        return ("object", frozenset((key, _identity(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_identity(item) for item in value))
    return (type(value).__name__, value)


# ------------------------------------------------------------------------------------------ functions


class _Arguments:
    """The evaluated arguments of one call, with checks that raise AWS-style failures."""

    def __init__(self, call: Call, values: list[Any]) -> None:
        self.call = call
        self.values = values

    def fail(self, reason: str) -> IntrinsicFailure:
        return IntrinsicFailure(f"Invalid arguments in {self.call.name}: {reason}")

    def _describe(self, position: int) -> str:
        value = self.values[position]
        return f"argument {position + 1} is the {_json_type(value)} {to_json_text(value)}"

    def string(self, position: int, *, limit: int | None = None) -> str:
        value = self.values[position]
        if not isinstance(value, str):
            raise self.fail(f"expected a string, but {self._describe(position)}")
        if limit is not None and len(value) > limit:
            raise self.fail(f"the string in argument {position + 1} is longer than {limit} characters")
        return value

    def array(self, position: int) -> list[Any]:
        value = self.values[position]
        if not isinstance(value, list):
            raise self.fail(f"expected an array, but {self._describe(position)}")
        return value

    def obj(self, position: int) -> dict[str, Any]:
        value = self.values[position]
        if not isinstance(value, dict):
            raise self.fail(f"expected an object, but {self._describe(position)}")
        return value

    def boolean(self, position: int) -> bool:
        value = self.values[position]
        if not isinstance(value, bool):
            raise self.fail(f"expected a boolean, but {self._describe(position)}")
        return value

    def integer(self, position: int) -> int:
        value = self.values[position]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"expected an integer, but {self._describe(position)}")
        return value

    def rounded(self, position: int) -> int:
        value = self.values[position]
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise self.fail(f"expected a number, but {self._describe(position)}")
        return java_round(value)


def _format(args: _Arguments) -> str:
    template = args.call.arguments[0]
    if isinstance(template, Text):
        pieces = _template_pieces(template.raw, escapes=True)
    else:
        pieces = _template_pieces(args.string(0), escapes=False)
    values = args.values[1:]
    placeholders = pieces.count(None)
    if placeholders != len(values):
        raise args.fail(
            f"the template has {placeholders} placeholder(s) but {len(values)} value(s) were given"
        )
    inserted = iter(values)
    return "".join(java_text(next(inserted)) if piece is None else piece for piece in pieces)


@lru_cache(maxsize=1024)
def _template_pieces(template: str, *, escapes: bool) -> tuple[str | None, ...]:
    """Split a Format template into text and placeholders (None); `\\{` and `\\}` are literal braces."""
    pieces: list[str | None] = []
    text: list[str] = []
    pos = 0
    while pos < len(template):
        if escapes and template[pos] == "\\" and pos + 1 < len(template):
            escaped = template[pos + 1]
            text.append(escaped if escaped in ESCAPABLE else template[pos : pos + 2])
            pos += 2
        elif template.startswith("{}", pos):
            pieces.extend(["".join(text), None])
            text = []
            pos += 2
        else:
            text.append(template[pos])
            pos += 1
    pieces.append("".join(text))
    return tuple(piece for piece in pieces if piece != "")


def _string_to_json(args: _Arguments) -> Any:
    text = args.string(0)
    if not text.strip():
        return None  # AWS answers null for an empty or blank string
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise IntrinsicFailure(f"{args.call.name} failed: the string is not valid JSON: {text}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _array_partition(args: _Arguments) -> list[list[Any]]:
    array, size = args.array(0), args.integer(1)
    if size <= 0:
        raise args.fail(f"the chunk size must be greater than 0, but was {size}")
    return [array[start : start + size] for start in range(0, len(array), size)]


def _array_contains(args: _Arguments) -> bool:
    array, wanted = args.array(0), args.values[1]
    return any(json_equal(item, wanted) for item in array)


def _array_range(args: _Arguments) -> list[int]:
    start, end, step = args.integer(0), args.integer(1), args.integer(2)
    if step == 0:
        raise args.fail("the step must not be 0")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > MAX_RANGE_LENGTH:
        raise args.fail(
            f"the range would have {len(values)} elements; at most {MAX_RANGE_LENGTH} are allowed"
        )
    return list(values)


def _array_get_item(args: _Arguments) -> Any:
    array, index = args.array(0), args.integer(1)
    if not 0 <= index < len(array):
        raise args.fail(f"the index {index} is out of bounds for an array of length {len(array)}")
    return array[index]


def _array_unique(args: _Arguments) -> list[Any]:
    seen: set[Any] = set()
    unique: list[Any] = []
    for item in args.array(0):
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _base64_encode(args: _Arguments) -> str:
    return base64.b64encode(args.string(0, limit=MAX_STRING_LENGTH).encode()).decode("ascii")


def _base64_decode(args: _Arguments) -> str:
    text = args.string(0, limit=MAX_STRING_LENGTH)
    try:  # Java's decoder, like AWS, does not require the trailing padding
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise IntrinsicFailure(f"{args.call.name} failed: the string is not valid Base64: {text}") from None


_HASH_ALGORITHMS: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(args: _Arguments) -> str:
    data, algorithm = args.string(0, limit=MAX_STRING_LENGTH), args.string(1)
    if algorithm not in _HASH_ALGORITHMS:
        raise args.fail(f"the hash algorithm '{algorithm}' is not one of {', '.join(_HASH_ALGORITHMS)}")
    return hashlib.new(_HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


def _json_merge(args: _Arguments) -> dict[str, Any]:
    first, second, deep = args.obj(0), args.obj(1), args.boolean(2)
    if deep:
        raise args.fail("only a shallow merge is supported, so the third argument must be false")
    return {**first, **second}


def _math_random(args: _Arguments) -> int:
    start, end = args.rounded(0), args.rounded(1)
    if end <= start:
        raise args.fail(f"the end ({end}) must be greater than the start ({start})")
    if len(args.values) == 3:
        return start + JavaRandom(args.integer(2)).next_int(end - start)
    return random.randrange(start, end)


def _math_add(args: _Arguments) -> int:
    return args.rounded(0) + args.rounded(1)


def _string_split(args: _Arguments) -> list[str]:
    text, delimiters = args.string(0), args.string(1)
    if not delimiters:
        return [text] if text else []
    # Java's StringTokenizer: every character of the second argument separates; empty tokens vanish.
    return [token for token in re.split("[" + re.escape(delimiters) + "]", text) if token]


@dataclass(frozen=True, slots=True)
class _Function:
    minimum: int
    maximum: int | None  # None: any number
    run: Callable[[_Arguments], Any]


_FUNCTIONS: Final[dict[str, _Function]] = {
    "States.Format": _Function(1, None, _format),
    "States.StringToJson": _Function(1, 1, _string_to_json),
    "States.JsonToString": _Function(1, 1, lambda args: to_json_text(args.values[0])),
    "States.Array": _Function(0, None, lambda args: list(args.values)),
    "States.ArrayPartition": _Function(2, 2, _array_partition),
    "States.ArrayContains": _Function(2, 2, _array_contains),
    "States.ArrayRange": _Function(3, 3, _array_range),
    "States.ArrayGetItem": _Function(2, 2, _array_get_item),
    "States.ArrayLength": _Function(1, 1, lambda args: len(args.array(0))),
    "States.ArrayUnique": _Function(1, 1, _array_unique),
    "States.Base64Encode": _Function(1, 1, _base64_encode),
    "States.Base64Decode": _Function(1, 1, _base64_decode),
    "States.Hash": _Function(2, 2, _hash),
    "States.JsonMerge": _Function(3, 3, _json_merge),
    "States.MathRandom": _Function(2, 3, _math_random),
    "States.MathAdd": _Function(2, 2, _math_add),
    "States.StringSplit": _Function(2, 2, _string_split),
    "States.UUID": _Function(0, 0, lambda args: str(uuid.uuid4())),
}

FUNCTION_NAMES: Final = frozenset(_FUNCTIONS)


def run_call(call: Call, values: list[Any]) -> Any:
    """The result of `call`'s function applied to its evaluated arguments `values`."""
    return _FUNCTIONS[call.name].run(_Arguments(call, values))


def check_call(call: Call) -> None:
    """Raise ValueError for an unknown function or a wrong number of arguments, nested calls included."""
    function = _FUNCTIONS.get(call.name)
    if function is None:
        raise ValueError(f"unknown intrinsic function {call.name}")
    count = len(call.arguments)
    if count < function.minimum or (function.maximum is not None and count > function.maximum):
        raise ValueError(f"{call.name} takes {_arity_text(function)}, but {count} were given")
    if call.name == "States.Format" and isinstance(call.arguments[0], Literal):
        raise ValueError("the first argument of States.Format must be a string")
    for argument in call.arguments:
        if isinstance(argument, Call):
            check_call(argument)


def _arity_text(function: _Function) -> str:
    if function.maximum is None:
        return f"at least {function.minimum} argument(s)"
    if function.minimum == function.maximum:
        return f"{function.minimum} argument(s)"
    return f"{function.minimum} to {function.maximum} arguments"

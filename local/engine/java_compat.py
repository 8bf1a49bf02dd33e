"""How Java and Jackson write, compare and round values, which is what AWS Step Functions shows.

AWS runs on the JVM: it writes JSON with Jackson (no spaces, raw non-ASCII, doubles as Java's
Double.toString writes them: 1.0, 1.5E7), inserts values into States.Format as Java's toString does
({a=1, b=[]}), rounds as Math.round does and seeds random numbers with java.util.Random. Outputs and
error messages in recorded histories follow those rules byte for byte; this module re-implements them.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

JsonValue = Any


class JavaNull:
    """The Java null Jackson returns for an index past the end, distinct from a JSON null."""

    __slots__ = ()


JAVA_NULL: Final = JavaNull()


# ------------------------------------------------------------------------------------------ JSON text


_ESCAPES: Final = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPE_TABLE: Final = {code: _ESCAPES.get(code, f"\\u{code:04X}") for code in [*range(0x20), 0x22, 0x5C]}


def java_double_text(number: float) -> str:
    """A double as Java's Double.toString writes it (1.0, 1.5E7, 1.0E-4), which Jackson and AWS use."""
    if number == 0:
        return "-0.0" if str(number).startswith("-") else "0.0"
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0") or "0"
    scientific = len(digits) - 1 + exponent  # position of the first significant digit
    prefix = "-" if sign else ""
    if -3 <= scientific < 7:
        if scientific >= 0:
            whole, fraction = text[: scientific + 1].ljust(scientific + 1, "0"), text[scientific + 1 :]
        else:
            whole, fraction = "0", "0" * (-scientific - 1) + text
        return f"{prefix}{whole}.{fraction or '0'}"
    return f"{prefix}{text[0]}.{text[1:] or '0'}E{scientific}"


def java_number_text(value: int | float) -> str:
    """A JSON number as Jackson writes it: integers as they are, doubles as Java's Double.toString."""
    return java_double_text(value) if isinstance(value, float) else str(value)


def to_json_text(value: JsonValue) -> str:
    """Compact JSON text as AWS (Jackson) writes it: no spaces, raw non-ASCII, Java number format."""
    parts: list[str] = []
    _write_json(value, parts)
    return "".join(parts)


def _write_json(value: JsonValue, out: list[str]) -> None:
    if isinstance(value, str):
        out.append('"' + value.translate(_ESCAPE_TABLE) + '"')
    elif value is None or isinstance(value, JavaNull):
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(java_double_text(value))
    elif isinstance(value, dict):
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            if position:
                out.append(",")
            out.append('"' + str(key).translate(_ESCAPE_TABLE) + '":')
            _write_json(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write_json(item, out)
        out.append("]")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def java_text(value: JsonValue) -> str:
    """A value as Java's toString writes it, which is what States.Format inserts."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    return to_json_text(value)


# ------------------------------------------------------------------------------------------ Jackson nodes


def jackson_class(value: JsonValue) -> str:
    """The Jackson node class Jayway names in its "found '...'" messages."""
    if isinstance(value, JavaNull):
        return "null"
    if isinstance(value, bool):
        return "com.fasterxml.jackson.databind.node.BooleanNode"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return "com.fasterxml.jackson.databind.node.IntNode"
        return (
            "com.fasterxml.jackson.databind.node.LongNode"
            if -(2**63) <= value < 2**63
            else ("com.fasterxml.jackson.databind.node.BigIntegerNode")
        )
    names = {
        str: "TextNode",
        float: "DoubleNode",
        list: "ArrayNode",
        dict: "ObjectNode",
        type(None): "NullNode",
    }
    return "com.fasterxml.jackson.databind.node." + names.get(type(value), "ObjectNode")


def json_equal(left: JsonValue, right: JsonValue) -> bool:
    """Type-strict JSON equality as Jackson compares nodes: 1, 1.0 and true are all different."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


# ------------------------------------------------------------------------------------------ arithmetic


def java_round(number: int | float) -> int:
    """Java's Math.round: half-up, towards positive infinity (-2.5 -> -2), computed exactly."""
    if isinstance(number, int):
        return number
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return math.floor(Decimal(number) + Decimal("0.5"))


class JavaRandom:
    """java.util.Random, so that a seeded States.MathRandom is repeatable the way a JVM's would be."""

    _MULTIPLIER: Final = 0x5DEECE66D
    _MASK: Final = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        value = self._next(31)
        if bound & (bound - 1) == 0:
            return (bound * value) >> 31
        while True:
            result = value % bound
            if value - result + bound - 1 < 2**31:
                return result
            value = self._next(31)

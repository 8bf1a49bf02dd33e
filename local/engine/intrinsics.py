"""Step Functions intrinsic functions (`States.Format(...)`, ...): parse, validate and evaluate.

Syntax: `States.Name(arg, ...)` where an argument is a string literal in single quotes (escapes `\\'`,
`\\{`, `\\}`, `\\\\`), a number, `true`, `false`, `null`, a JSONPath on the state input (`$.x`), on the
context object (`$$.Execution.Id`), a variable (`$name`, `$name.x[0]`) or a nested call. Expressions are
parsed once and cached.

Errors, and how the interpreter composes them:
- `validate(expression)` raises ValueError (syntax, unknown function, wrong number of arguments).
- `evaluate(...)` raises `IntrinsicFailure`, a StatesError whose `.error` is "States.Runtime" (AWS
  reserves "States.IntrinsicFailure" and reports intrinsic failures as States.Runtime) and whose
  `.cause` is only the text AWS puts after its state prefix. The interpreter prepends
  "An error occurred while executing the state '<State>' (entered at the event id #<n>). " itself.
- A path argument that matches nothing gives `IntrinsicPathNotFound` (also States.Runtime) whose
  cause reads like AWS's payload-template miss: "The JSONPath '$.x' specified for the field 'key.$'
  could not be found in the input '{...}'" when the caller passes `field`, without the field otherwise.
The conformance corpus records no failing intrinsic call, so the other causes ("Invalid arguments in
States.ArrayGetItem: ...") are our wording, kept in one style.

Results follow AWS's types: MathAdd rounds each argument half-up like Java's Math.round and returns an
integer; ArrayRange returns integers; Format writes numbers, objects and arrays as Java's toString
does (1.0, 1.0E7, {a=1, b=[]}); JsonToString writes compact JSON as Jackson does.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from local.engine import jsonpath
from local.engine.errors import StatesError
from local.engine.text_cursor import JSON_NUMBER, TextCursor

RUNTIME_ERROR: Final = "States.Runtime"
MAX_STRING_LENGTH: Final = 10_000  # AWS's limit for Base64Encode/Base64Decode/Hash input
MAX_RANGE_LENGTH: Final = 1_000  # AWS's limit for the array ArrayRange builds


class IntrinsicFailure(StatesError):
    """An intrinsic function failed at run time; `.cause` is the part after AWS's state prefix."""

    def __init__(self, cause: str) -> None:
        super().__init__(RUNTIME_ERROR, cause)


class IntrinsicPathNotFound(IntrinsicFailure):
    """A path argument matched nothing. `.path` is the argument as written, `.document` what it read."""

    def __init__(self, path: str, document: Any, field: str | None) -> None:
        where = f" specified for the field '{field}'" if field else ""
        rendered = jsonpath.to_json_text(document)
        super().__init__(f"The JSONPath '{path}'{where} could not be found in the input '{rendered}'")
        self.path = path
        self.document = document


# ------------------------------------------------------------------------------------------ syntax tree


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class _Text:
    """A string literal; `raw` keeps the escapes, which States.Format needs to tell `\\{` from `{`."""

    value: str
    raw: str


@dataclass(frozen=True, slots=True)
class _Path:
    text: str
    source: str  # "input", "context" or "variable"
    variable: str | None
    path: jsonpath.CompiledPath | None  # None for a bare variable


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    arguments: tuple[_Node, ...]
    text: str


_Node = _Literal | _Text | _Path | _Call

_FUNCTION_NAME: Final = re.compile(r"States\.([A-Za-z0-9]+)")
_VARIABLE: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORDS: Final = {"true": True, "false": False, "null": None}
_ESCAPABLE: Final = "'{}\\"


class _Parser(TextCursor):
    """Recursive-descent parser for one intrinsic function call."""

    def parse(self) -> _Call:
        self._skip()
        call = self._call()
        self._skip()
        if self.pos != len(self.text):
            raise ValueError(f"unexpected '{self.text[self.pos :]}' after {call.name}(...)")
        return call

    def _call(self) -> _Call:
        start = self.pos
        match = _FUNCTION_NAME.match(self.text, self.pos)
        if match is None:
            raise ValueError(
                f"expected an intrinsic function such as States.Format(...) at '{self.text[start:]}'"
            )
        name = match.group(0)
        self.pos = match.end()
        if not self._take("("):
            raise ValueError(f"expected '(' after {name}")
        arguments: list[_Node] = []
        if not self._take(")"):
            while True:
                self._skip()
                arguments.append(self._argument())
                if self._take(")"):
                    break
                if not self._take(","):
                    raise ValueError(f"expected ',' or ')' in the arguments of {name}")
        return _Call(name, tuple(arguments), self.text[start : self.pos])

    def _argument(self) -> _Node:
        if self.pos >= len(self.text):
            raise ValueError("unexpected end of the expression")
        char = self.text[self.pos]
        if char == "'":
            return self._string()
        if self.text.startswith("States.", self.pos):
            return self._call()
        if char == "$":
            return self._path()
        match = JSON_NUMBER.match(self.text, self.pos)
        if match is not None and self._ends_argument(match.end()):
            self.pos = match.end()
            number = match.group(0)
            return _Literal(float(number) if any(mark in number for mark in ".eE") else int(number))
        for word, value in _KEYWORDS.items():
            if self.text.startswith(word, self.pos) and self._ends_argument(self.pos + len(word)):
                self.pos += len(word)
                return _Literal(value)
        raise ValueError(f"invalid argument at '{self.text[self.pos :]}'")

    def _ends_argument(self, pos: int) -> bool:
        return pos == len(self.text) or self.text[pos] in ",)" or self.text[pos].isspace()

    def _string(self) -> _Text:
        value: list[str] = []
        pos = self.pos + 1
        while pos < len(self.text) and self.text[pos] != "'":
            char = self.text[pos]
            if char == "\\" and pos + 1 < len(self.text):
                escaped = self.text[pos + 1]
                value.append(escaped if escaped in _ESCAPABLE else char + escaped)
                pos += 2
                continue
            value.append(char)
            pos += 1
        if pos >= len(self.text):
            raise ValueError("unterminated string literal")
        raw = self.text[self.pos + 1 : pos]
        self.pos = pos + 1
        return _Text("".join(value), raw)

    def _path(self) -> _Path:
        start = self.pos
        depth = 0
        pos = start
        while pos < len(self.text):
            char = self.text[pos]
            if char in "'\"" and depth:
                pos = _after_quoted(self.text, pos)
                continue
            if char in "[(":
                depth += 1
            elif char in "])" and depth:
                depth -= 1
            elif depth == 0 and (char in ",)" or char.isspace()):
                break
            pos += 1
        self.pos = pos
        return _compile_path_argument(self.text[start:pos])


def _after_quoted(text: str, start: int) -> int:
    pos = start + 1
    while pos < len(text) and text[pos] != text[start]:
        pos += 2 if text[pos] == "\\" else 1
    return pos + 1


def _compile_path_argument(text: str) -> _Path:
    if text.startswith("$$"):
        return _Path(text, "context", None, jsonpath.compile_path(text[1:]))
    match = _VARIABLE.match(text)
    if match is not None:
        rest = text[match.end() :]
        compiled = jsonpath.compile_path("$" + rest) if rest else None
        return _Path(text, "variable", match.group(1), compiled)
    return _Path(text, "input", None, jsonpath.compile_path(text))


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


def _java_text(value: Any) -> str:
    """A value as Java's toString writes it, which is what States.Format inserts."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(item) for item in value) + "]"
    return jsonpath.to_json_text(value)


def _java_round(number: int | float) -> int:
    """Java's Math.round: half-up, towards positive infinity (-2.5 -> -2), computed exactly."""
    if isinstance(number, int):
        return number
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return math.floor(Decimal(number) + Decimal("0.5"))


def _identity(value: Any) -> Any:
    """A hashable key that is equal exactly when two JSON values are (type-strict, key order free)."""
    if isinstance(value, dict):
        return ("object", frozenset((key, _identity(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_identity(item) for item in value))
    return (type(value).__name__, value)


class _JavaRandom:
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


# ------------------------------------------------------------------------------------------ functions


class _Arguments:
    """The evaluated arguments of one call, with checks that raise AWS-style failures."""

    def __init__(self, call: _Call, values: list[Any]) -> None:
        self.call = call
        self.values = values

    def fail(self, reason: str) -> IntrinsicFailure:
        return IntrinsicFailure(f"Invalid arguments in {self.call.name}: {reason}")

    def _describe(self, position: int) -> str:
        value = self.values[position]
        return f"argument {position + 1} is the {_json_type(value)} {jsonpath.to_json_text(value)}"

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
        return _java_round(value)


def _format(args: _Arguments) -> str:
    template = args.call.arguments[0]
    if isinstance(template, _Text):
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
    return "".join(_java_text(next(inserted)) if piece is None else piece for piece in pieces)


@lru_cache(maxsize=1024)
def _template_pieces(template: str, *, escapes: bool) -> tuple[str | None, ...]:
    """Split a Format template into text and placeholders (None); `\\{` and `\\}` are literal braces."""
    pieces: list[str | None] = []
    text: list[str] = []
    pos = 0
    while pos < len(template):
        if escapes and template[pos] == "\\" and pos + 1 < len(template):
            escaped = template[pos + 1]
            text.append(escaped if escaped in _ESCAPABLE else template[pos : pos + 2])
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
    return any(jsonpath.json_equal(item, wanted) for item in array)


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
        return start + _JavaRandom(args.integer(2)).next_int(end - start)
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
    "States.JsonToString": _Function(1, 1, lambda args: jsonpath.to_json_text(args.values[0])),
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


def _check(call: _Call) -> None:
    function = _FUNCTIONS.get(call.name)
    if function is None:
        raise ValueError(f"unknown intrinsic function {call.name}")
    count = len(call.arguments)
    if count < function.minimum or (function.maximum is not None and count > function.maximum):
        raise ValueError(f"{call.name} takes {_arity_text(function)}, but {count} were given")
    if call.name == "States.Format" and isinstance(call.arguments[0], _Literal):
        raise ValueError("the first argument of States.Format must be a string")
    for argument in call.arguments:
        if isinstance(argument, _Call):
            _check(argument)


def _arity_text(function: _Function) -> str:
    if function.maximum is None:
        return f"at least {function.minimum} argument(s)"
    if function.minimum == function.maximum:
        return f"{function.minimum} argument(s)"
    return f"{function.minimum} to {function.maximum} arguments"


@lru_cache(maxsize=4096)
def _compiled(expression: str) -> _Call:
    call = _Parser(expression).parse()
    _check(call)
    return call


# ------------------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True, slots=True)
class _Environment:
    input: Any
    context: Any
    variables: Mapping[str, Any]
    field: str | None


def _evaluate(node: _Node, env: _Environment) -> Any:
    if isinstance(node, _Path):
        return _read_path(node, env)
    if isinstance(node, _Call):
        values = [_evaluate(argument, env) for argument in node.arguments]
        return _FUNCTIONS[node.name].run(_Arguments(node, values))
    return node.value


def _read_path(node: _Path, env: _Environment) -> Any:
    if node.source == "variable":
        assert node.variable is not None
        if node.variable not in env.variables:
            raise IntrinsicFailure(f"The variable '${node.variable}' is not defined")
        document = env.variables[node.variable]
    else:
        document = env.context if node.source == "context" else env.input
    if node.path is None:
        return document
    try:
        return node.path.select(document)
    except jsonpath.JsonPathNotFound:
        raise IntrinsicPathNotFound(node.text, document, env.field) from None


def is_intrinsic(text: str) -> bool:
    """Whether a `.$` value is an intrinsic function call (rather than a path)."""
    return isinstance(text, str) and text.lstrip().startswith("States.")


def validate(expression: str) -> None:
    """Raise ValueError with a clear message if `expression` is not a valid intrinsic function call.

    Checks the syntax, every path argument, function names and numbers of arguments (nested calls too).
    """
    try:
        _compiled(expression)
    except ValueError as exc:
        raise ValueError(f"Invalid intrinsic function '{expression}': {exc}") from None


def evaluate(
    expression: str,
    *,
    input: Any,
    context: Any,
    variables: Mapping[str, Any] | None = None,
    field: str | None = None,
) -> Any:
    """Evaluate an intrinsic function call against the state input, context object and variables.

    `field` (e.g. "FunctionResult.$") only words the cause of a path argument that matches nothing.
    Raises IntrinsicFailure (States.Runtime) on a run-time failure.

    Example:
        evaluate("States.Format('Hello {}', $.name)", input={"name": "Ada"}, context={}) -> "Hello Ada"
    """
    try:
        call = _compiled(expression)
    except ValueError as exc:
        raise IntrinsicFailure(f"Invalid intrinsic function '{expression}': {exc}") from None
    return _evaluate(call, _Environment(input, context, variables or {}, field))

"""JSONata query language support: `{% ... %}` templates evaluated with jsonata-python.

Adds what Step Functions adds to JSONata: the `$states` binding (input, context, result, errorOutput),
workflow variables, `$now()`/`$millis()` from the engine clock and the functions $partition, $range,
$hash, $random, $uuid and $parse. Failures become States.QueryEvaluationError with AWS's messages.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

import jsonata
from jsonata import functions as jsonata_functions
from jsonata import jexception
from jsonata import utils as jsonata_utils

from local.engine.errors import StatesError
from local.engine.paths import json_compact

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
_NULL = jsonata_utils.Utils.NULL_VALUE


class QueryEvaluationError(StatesError):
    """A JSONata failure, remembering the field ("Output/result") for the EvaluationFailed event."""

    def __init__(self, cause: str, location: str) -> None:
        super().__init__(QUERY_EVALUATION_ERROR, cause)
        self.location = location


def is_expression(value: Any) -> TypeGuard[str]:
    """Whether a field value is a JSONata expression (`{% ... %}`)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_body(value: str) -> str:
    """The JSONata text between `{%` and `%}`."""
    return value[2:-2].strip()


def compile_problem(text: str) -> str | None:
    """A message when `text` is not a well-formed JSONata expression, else None."""
    if not is_expression(text):
        return "A JSONata expression must start with '{%' and end with '%}'"
    try:
        _compiled(expression_body(text))
    except jexception.JException as exc:
        return f"The JSONata expression is invalid: {exc.error}: {exc}"
    return None


_cache = threading.local()


def _compiled(body: str) -> Any:
    store: dict[str, Any] | None = getattr(_cache, "expressions", None)
    if store is None:
        store = _cache.expressions = {}
    expression = store.get(body)
    if expression is None:
        expression = jsonata.Jsonata(body)
        expression.set_output_convert_nulls(False)
        store[body] = expression
    return expression


@dataclass
class Bindings:
    """Everything an expression can see."""

    states: dict[str, Any]
    variables: Mapping[str, Any]
    now: datetime

    def as_mapping(self) -> dict[str, Any]:
        """Bindings for jsonata-python (JSON null at the top level must be JSONata null)."""
        bound: dict[str, Any] = {name: _null_if_none(value) for name, value in self.variables.items()}
        bound["states"] = self.states
        bound.update(_step_functions_functions(self.now))
        return bound


def _null_if_none(value: Any) -> Any:
    return _NULL if value is None else value


def evaluate(text: str, bindings: Bindings, location: str) -> Any:
    """Evaluate one `{% %}` expression; undefined results and errors are QueryEvaluationError."""
    body = expression_body(text)
    try:
        expression = _compiled(body)
    except jexception.JException as exc:
        raise QueryEvaluationError(_threw(body, location, exc), location) from exc
    jsonata.Jsonata.CURRENT.jsonata = expression
    try:
        result = expression.evaluate(None, bindings.as_mapping())
    except jexception.JException as exc:
        raise QueryEvaluationError(_threw(body, location, exc), location) from exc
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        cause = f"{_subject(body, location)} threw an error during evaluation. {exc}"
        raise QueryEvaluationError(cause, location) from exc
    if result is None:
        raise QueryEvaluationError(f"{_subject(body, location)} returned nothing (undefined).", location)
    return _to_json(result)


def _subject(body: str, location: str) -> str:
    return f"The JSONata expression '{body}' specified for the field '{location}'"


def unexpected_type(text: str, location: str, expected: str, value: Any, kind: str) -> QueryEvaluationError:
    """The error for an expression whose result has the wrong JSON type (`kind` is its type name)."""
    body = expression_body(text) if is_expression(text) else text
    return QueryEvaluationError(
        f"{_subject(body, location)} returned an unexpected result type. "
        f"Expected '{expected}', but was '{kind}' for value: {json_compact(value)}",
        location,
    )


def _threw(body: str, location: str, exc: jexception.JException) -> str:
    return f"{_subject(body, location)} threw an error during evaluation. {exc.error}: {exc}"


def _to_json(value: Any) -> Any:
    """Plain JSON values: JSONata null -> None, sequences -> lists, integral floats stay as produced."""
    if value is _NULL:
        return None
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if callable(value) and not isinstance(value, str | int | float | bool):
        return {}
    return value


def evaluate_template(template: Any, bindings: Bindings, location: str) -> Any:
    """Evaluate a JSONata-language field value: strings `{% %}` are expressions, the rest is literal."""
    if is_expression(template):
        return evaluate(template, bindings, location)
    if isinstance(template, dict):
        return {
            key: evaluate_template(value, bindings, f"{location}/{key}") for key, value in template.items()
        }
    if isinstance(template, list):
        return [evaluate_template(item, bindings, location) for item in template]
    return template


# ------------------------------------------------------------------ Step Functions' additions


def _step_functions_functions(now: datetime) -> dict[str, Any]:
    millis = int(now.timestamp() * 1000)

    def current_time(picture: str | None = None, timezone: str | None = None) -> Any:
        return jsonata_functions.Functions.datetime_from_millis(millis, picture, timezone)

    table: dict[str, Callable[..., Any]] = {
        "now": current_time,
        "millis": lambda: millis,
        "partition": _partition,
        "range": _range,
        "hash": _hash,
        "random": _random,
        "uuid": lambda: str(uuid.uuid4()),
        "parse": _parse,
    }
    return {name: jsonata.Jsonata.JLambda(function) for name, function in table.items()}


def _fail(message: str) -> ValueError:
    return ValueError(message)


def _partition(array: Any, size: Any) -> Any:
    if not isinstance(array, list) or not _is_integral(size) or int(size) <= 0:
        raise _fail("$partition expects an array and a positive chunk size")
    chunk = int(size)
    return [list(array[start : start + chunk]) for start in range(0, len(array), chunk)]


def _range(start: Any, end: Any, step: Any) -> Any:
    if not (_is_integral(start) and _is_integral(end) and _is_integral(step)) or int(step) == 0:
        raise _fail("$range expects integer start, end and a non-zero step")
    values = list(range(int(start), int(end) + (1 if int(step) > 0 else -1), int(step)))
    # JSONata collapses a one-element sequence into its single value.
    return values[0] if len(values) == 1 else values


def _hash(value: Any, algorithm: Any = "SHA-256") -> Any:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if not isinstance(value, str) or algorithm not in names:
        raise _fail("$hash expects a string and one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
    return hashlib.new(names[algorithm], value.encode()).hexdigest()


def _random(seed: Any = None) -> float:
    generator = random.Random(seed) if seed is not None else random
    return generator.random()


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise _fail("$parse expects a string")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _fail(f"$parse could not parse the string: {exc}") from exc


def _is_integral(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and int(value) == value

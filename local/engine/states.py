"""Pass, Choice, Wait, Succeed and Fail states."""

from __future__ import annotations

from typing import Any, cast

from local.engine import dataflow, jsonata_eval, jsonpath, paths
from local.engine.errors import StatesError
from local.engine.frame import Resume, Thread
from local.engine.jsonata_eval import QueryEvaluationError
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import (
    MAX_WAIT_SECONDS,
    ChoiceRule,
    ChoiceSpec,
    FailSpec,
    PassSpec,
    SucceedSpec,
    WaitSpec,
)
from local.engine.timestamps import parse_timestamp, to_epoch

RUNTIME = "States.Runtime"
ISO_8601_OFFSET = "ISO-8601 extended offset date-time"


class PassState:
    """Pass: Result or Parameters (JSONPath), Output (JSONata)."""

    def enter(self, runner: StateRunner, thread: Thread, spec: PassSpec) -> None:
        """Compute the output and leave."""
        if spec.is_jsonata:
            output, assigned = dataflow.finish(runner, thread, spec)
        else:
            effective = dataflow.input_value(runner, thread, spec)
            if spec.result is not None:
                result = spec.result.value
            else:
                result = dataflow.parameters(runner, thread, spec, effective)
            output, assigned = dataflow.finish(runner, thread, spec, result)
        runner.complete(thread, spec, output, assigned)

    def resume(self, runner: StateRunner, thread: Thread, spec: PassSpec, resume: Resume) -> None:
        """Pass states never wait."""
        raise AssertionError("a Pass state never waits")


class SucceedState:
    """Succeed: ends its thread with the (filtered) input."""

    def enter(self, runner: StateRunner, thread: Thread, spec: SucceedSpec) -> None:
        """Leave with the input as output."""
        output, _ = dataflow.finish(runner, thread, spec)
        runner.complete(thread, spec, output, end=True)

    def resume(self, runner: StateRunner, thread: Thread, spec: SucceedSpec, resume: Resume) -> None:
        """Succeed states never wait."""
        raise AssertionError("a Succeed state never waits")


class FailState:
    """Fail: ends its thread with an error and a cause."""

    def enter(self, runner: StateRunner, thread: Thread, spec: FailSpec) -> None:
        """Evaluate Error/Cause and fail the thread."""
        error = self._field(runner, thread, spec, "Error", value=spec.error, path=spec.error_path)
        cause = self._field(runner, thread, spec, "Cause", value=spec.cause, path=spec.cause_path)
        runner.fail_thread(thread, error, cause)

    def _field(
        self,
        runner: StateRunner,
        thread: Thread,
        spec: FailSpec,
        name: str,
        *,
        value: Any,
        path: paths.Evaluator | None,
    ) -> str | None:
        if spec.is_jsonata:
            if value is None:
                return None
            return _as_text(jsonata_eval.evaluate_template(value, runner.bindings(thread, spec), name))
        if path is None:
            return cast(str | None, value)
        return _as_text(path(runner.scope(thread, spec, thread["input"])))

    def resume(self, runner: StateRunner, thread: Thread, spec: FailSpec, resume: Resume) -> None:
        """Fail states never wait."""
        raise AssertionError("a Fail state never waits")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else paths.json_compact(value)


class ChoiceState:
    """Choice: the first matching rule's Next, else Default, else States.NoChoiceMatched."""

    def enter(self, runner: StateRunner, thread: Thread, spec: ChoiceSpec) -> None:
        """Pick the next state."""
        effective = dataflow.input_value(runner, thread, spec)
        for rule in spec.choices:
            if self._matches(runner, thread, spec, rule, effective):
                output, assigned = dataflow.rule_output(runner, thread, spec, rule, effective)
                runner.complete(thread, spec, output, assigned, next_state=rule.next)
                return
        if spec.default is None:
            runner.fail_thread(
                thread,
                "States.NoChoiceMatched",
                f"No Choice Rule matched the input in Choice state '{spec.name}'.",
            )
            return
        output, assigned = dataflow.rule_output(runner, thread, spec, None, effective)
        runner.complete(thread, spec, output, assigned, next_state=spec.default)

    def _matches(
        self, runner: StateRunner, thread: Thread, spec: ChoiceSpec, rule: ChoiceRule, effective: Any
    ) -> bool:
        if rule.matches is not None:
            return rule.matches(runner.scope(thread, spec, effective))
        condition = rule.condition
        if isinstance(condition, bool):
            return condition
        value = jsonata_eval.evaluate(condition, runner.bindings(thread, spec), "Condition")
        if not isinstance(value, bool):
            raise jsonata_eval.unexpected_type(condition, "Condition", "boolean", value, type_name(value))
        return value

    def resume(self, runner: StateRunner, thread: Thread, spec: ChoiceSpec, resume: Resume) -> None:
        """Choice states never wait."""
        raise AssertionError("a Choice state never waits")


def type_name(value: Any) -> str:
    """JSON type name of a value as AWS prints it in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class WaitState:
    """Wait: Seconds, SecondsPath, Timestamp or TimestampPath."""

    def enter(self, runner: StateRunner, thread: Thread, spec: WaitSpec) -> None:
        """Compute when to leave and park the thread until then."""
        due = self._due(runner, thread, spec)
        output, assigned = dataflow.finish(runner, thread, spec)
        thread["data"] = {"output": output, "assigned": assigned}
        runner.wait_until(thread, due, {"kind": "wait_done"})

    def resume(self, runner: StateRunner, thread: Thread, spec: WaitSpec, resume: Resume) -> None:
        """The wait is over: leave."""
        data = thread["data"]
        runner.complete(thread, spec, data["output"], data["assigned"])

    def _due(self, runner: StateRunner, thread: Thread, spec: WaitSpec) -> float:
        now = to_epoch(runner.now())
        if spec.is_jsonata:
            return self._due_jsonata(runner, thread, spec, now)
        if spec.seconds is not None:
            return now + int(spec.seconds.value)
        if spec.timestamp is not None:
            return _timestamp_epoch(spec.timestamp.value, "Timestamp")
        scope = runner.scope(thread, spec, dataflow.input_value(runner, thread, spec))
        if spec.seconds_path is not None:
            return now + _seconds_from_path(spec.seconds_path, scope)
        path = str(spec.timestamp_path)
        value = _read(path, scope, "TimestampPath")
        moment = parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            raise StatesError(
                RUNTIME,
                f"The TimestampPath parameter does not reference a valid {ISO_8601_OFFSET} "
                f"format string: {path} == {_plain(value)}",
            )
        return to_epoch(moment)

    def _due_jsonata(self, runner: StateRunner, thread: Thread, spec: WaitSpec, now: float) -> float:
        if spec.seconds is not None:
            seconds = spec.seconds.value
            if jsonata_eval.is_expression(seconds):
                seconds = jsonata_eval.evaluate(seconds, runner.bindings(thread, spec), "Seconds")
            if not _is_long(seconds) or seconds < 0:
                raise QueryEvaluationError(
                    f"The Seconds field must be a non-negative integer: {paths.json_compact(seconds)}",
                    "Seconds",
                )
            if seconds > MAX_WAIT_SECONDS:  # the documented range; AWS's wording here is not documented
                raise QueryEvaluationError(
                    f"The Seconds field must be at most {MAX_WAIT_SECONDS}: {seconds}", "Seconds"
                )
            return now + int(seconds)
        timestamp = spec.timestamp.value if spec.timestamp is not None else None
        if jsonata_eval.is_expression(timestamp):
            timestamp = jsonata_eval.evaluate(timestamp, runner.bindings(thread, spec), "Timestamp")
        moment = parse_timestamp(timestamp) if isinstance(timestamp, str) else None
        if moment is None:
            message = f"The Timestamp field cannot be parsed as an {ISO_8601_OFFSET} format string"
            raise QueryEvaluationError(f"{message}: {_plain(timestamp)}", "Timestamp")
        return to_epoch(moment)


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else paths.json_compact(value)


def _read(path: str, scope: paths.Scope, field_name: str) -> Any:
    try:
        return paths.resolve(path, scope)
    except jsonpath.JsonPathNotFound as exc:
        raise StatesError(
            RUNTIME, f"The {field_name} parameter does not reference an input value: {path}"
        ) from exc


def _seconds_from_path(path: str, scope: paths.Scope) -> int:
    value = _read(path, scope, "SecondsPath")
    if not _is_long(value):
        raise StatesError(
            RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: {path} == {_plain(value)}"
        )
    if value < 0:
        raise StatesError(
            RUNTIME, f"The SecondsPath parameter references a negative value: {path} == {value}"
        )
    return int(value)


def _timestamp_epoch(text: str, field_name: str) -> float:
    moment = parse_timestamp(text)
    if moment is None:
        raise StatesError(RUNTIME, f"The {field_name} value is not a valid ISO-8601 timestamp: {text}")
    return to_epoch(moment)

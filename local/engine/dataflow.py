"""Input and output processing shared by all state types, for both query languages.

JSONPath: InputPath -> Parameters -> (work) -> ResultSelector -> Assign -> ResultPath -> OutputPath.
JSONata: Arguments -> (work) -> Assign and Output with `$states.input` / `$states.result`.
Assign never sees its own state's new values, and Output/OutputPath never see them either.
"""

from __future__ import annotations

from typing import Any

from local.engine import jsonata_eval, paths
from local.engine.definition import StateSpec
from local.engine.frame import Thread
from local.engine.state_protocol import StateRunner

_DEFAULT = object()


def compiled(spec: StateSpec, field_name: str, template: Any) -> paths.Evaluator:
    """A JSONPath payload template of a state, compiled once and cached on the spec."""
    key = f"template:{field_name}"
    evaluator = spec.cache.get(key)
    if evaluator is None:
        evaluator = paths.compile_template(template)
        spec.cache[key] = evaluator
    return evaluator


def input_value(runner: StateRunner, thread: Thread, spec: StateSpec) -> Any:
    """The state input after InputPath (JSONPath); the raw input for JSONata."""
    if spec.is_jsonata:
        return thread["input"]
    return _filter_path(runner, thread, spec, "InputPath", thread["input"])


def parameters(
    runner: StateRunner,
    thread: Thread,
    spec: StateSpec,
    value: Any,
    *,
    field_name: str = "Parameters",
    extra_context: dict[str, Any] | None = None,
) -> Any:
    """Apply a JSONPath payload template field (Parameters, ItemSelector) to `value`."""
    if not spec.has(field_name):
        return value
    evaluator = compiled(spec, field_name, spec.get(field_name))
    return evaluator(runner.scope(thread, spec, value, extra_context))


def arguments(runner: StateRunner, thread: Thread, spec: StateSpec) -> Any:
    """JSONata `Arguments` (the state input when absent)."""
    if not spec.has("Arguments"):
        return thread["input"]
    return jsonata_eval.evaluate_template(spec.get("Arguments"), runner.bindings(thread, spec), "Arguments")


def finish(
    runner: StateRunner, thread: Thread, spec: StateSpec, result: Any = _DEFAULT, effective: Any = _DEFAULT
) -> tuple[Any, dict[str, Any] | None]:
    """State output and assigned variables from a state's result (or, without one, its input)."""
    if spec.is_jsonata:
        return _finish_jsonata(runner, thread, spec, result)
    return _finish_jsonpath(runner, thread, spec, result, effective)


def _finish_jsonpath(
    runner: StateRunner, thread: Thread, spec: StateSpec, result: Any, effective: Any
) -> tuple[Any, dict[str, Any] | None]:
    raw_input = thread["input"]
    if result is _DEFAULT:
        # States without a result (Choice, Wait, Succeed) pass their (InputPath-filtered) input on.
        value = input_value(runner, thread, spec) if effective is _DEFAULT else effective
        assigned = _assign_jsonpath(runner, thread, spec, spec.get("Assign"), value)
        return _filter_path(runner, thread, spec, "OutputPath", value), assigned
    if spec.has("ResultSelector"):
        result = compiled(spec, "ResultSelector", spec.get("ResultSelector"))(
            runner.scope(thread, spec, result)
        )
    assigned = _assign_jsonpath(runner, thread, spec, spec.get("Assign"), result)
    combined = result_path(spec.has("ResultPath"), spec.get("ResultPath"), raw_input, result)
    return _filter_path(runner, thread, spec, "OutputPath", combined), assigned


def result_path(has_field: bool, path: str | None, raw_input: Any, result: Any) -> Any:
    """ResultPath semantics (absent or "$": the result; null: the input; else merge a copy)."""
    if not has_field or path == "$":
        return result
    if path is None:
        return raw_input
    return paths.apply_result_path(path, raw_input, result, has_field)


def _filter_path(runner: StateRunner, thread: Thread, spec: StateSpec, field: str, value: Any) -> Any:
    # InputPath / OutputPath: absent or "$" keeps the value, null gives {}, a path selects from it.
    if not spec.has(field):
        return value
    path = spec.get(field)
    if path is None:
        return {}
    if path == "$":
        return value
    return paths.resolve_field_path(path, runner.scope(thread, spec, value))


def _assign_jsonpath(
    runner: StateRunner, thread: Thread, spec: StateSpec, template: Any, value: Any, *, key: str = "Assign"
) -> dict[str, Any] | None:
    if not template:
        return None
    evaluator = compiled(spec, key, template)
    assigned = evaluator(runner.scope(thread, spec, value))
    return assigned if isinstance(assigned, dict) else None


def _finish_jsonata(
    runner: StateRunner, thread: Thread, spec: StateSpec, result: Any
) -> tuple[Any, dict[str, Any] | None]:
    extra = {} if result is _DEFAULT else {"result": result}
    bindings = runner.bindings(thread, spec, **extra)
    assigned = _assign_jsonata(spec.get("Assign"), bindings, "Assign")
    if spec.has("Output"):
        output = jsonata_eval.evaluate_template(spec.get("Output"), bindings, "Output")
    else:
        output = thread["input"] if result is _DEFAULT else result
    return output, assigned


def _assign_jsonata(template: Any, bindings: jsonata_eval.Bindings, location: str) -> dict[str, Any] | None:
    if not template or not isinstance(template, dict):
        return None
    return {
        name: jsonata_eval.evaluate_template(value, bindings, f"{location}/{name}")
        for name, value in template.items()
    }


def rule_output(
    runner: StateRunner, thread: Thread, spec: StateSpec, rule: dict[str, Any], effective: Any
) -> tuple[Any, dict[str, Any] | None]:
    """Output and assignments of a Choice state leaving through `rule` (or the Default when rule is empty)."""
    if spec.is_jsonata:
        bindings = runner.bindings(thread, spec)
        assigned = _merge(
            _assign_jsonata(spec.get("Assign"), bindings, "Assign"),
            _assign_jsonata(rule.get("Assign"), bindings, "Assign"),
        )
        template = rule["Output"] if "Output" in rule else spec.get("Output", _DEFAULT)
        output = (
            thread["input"]
            if template is _DEFAULT
            else jsonata_eval.evaluate_template(template, bindings, "Output")
        )
        return output, assigned
    assigned = _merge(
        _assign_jsonpath(runner, thread, spec, spec.get("Assign"), effective),
        _assign_jsonpath(runner, thread, spec, rule.get("Assign"), effective, key=f"Assign:{id(rule)}"),
    )
    return _filter_path(runner, thread, spec, "OutputPath", effective), assigned


def _merge(first: dict[str, Any] | None, second: dict[str, Any] | None) -> dict[str, Any] | None:
    if not first:
        return second
    if not second:
        return first
    return {**first, **second}


def catch_output(
    runner: StateRunner,
    thread: Thread,
    spec: StateSpec,
    catcher: dict[str, Any],
    error_output: dict[str, Any],
) -> tuple[Any, dict[str, Any] | None]:
    """The output and assignments of a state leaving through a Catch."""
    if spec.is_jsonata:
        bindings = runner.bindings(thread, spec, errorOutput=error_output)
        assigned = _assign_jsonata(catcher.get("Assign"), bindings, "Catch/Assign")
        if "Output" in catcher:
            return jsonata_eval.evaluate_template(catcher["Output"], bindings, "Catch/Output"), assigned
        return error_output, assigned
    assigned = _assign_jsonpath(
        runner, thread, spec, catcher.get("Assign"), error_output, key=f"CatchAssign:{id(catcher)}"
    )
    output = result_path("ResultPath" in catcher, catcher.get("ResultPath"), thread["input"], error_output)
    return output, assigned

"""Input and output processing shared by all state types, for both query languages.

JSONPath: InputPath -> Parameters -> (work) -> ResultSelector -> Assign -> ResultPath -> OutputPath.
JSONata: Arguments -> (work) -> Assign and Output with `$states.input` / `$states.result`.
Assign never sees its own state's new values, and Output/OutputPath never see them either.
"""

from __future__ import annotations

from typing import Any

from local.engine import jsonata_eval, paths
from local.engine.frame import Thread
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import Assignment, Catcher, ChoiceRule, Given, StateSpec

_DEFAULT = object()


def input_value(runner: StateRunner, thread: Thread, spec: StateSpec) -> Any:
    """The state input after InputPath (JSONPath); the raw input for JSONata."""
    if spec.is_jsonata:
        return thread["input"]
    value = _filter_path(runner, thread, spec, spec.input_path, thread["input"])
    runner.inspect(thread, "afterInputPath", value)
    return value


def apply_template(
    runner: StateRunner,
    thread: Thread,
    spec: StateSpec,
    template: paths.Evaluator | None,
    value: Any,
    *,
    extra_context: dict[str, Any] | None = None,
) -> Any:
    """Apply a compiled JSONPath payload template (Parameters, ItemSelector) to `value`; none keeps it."""
    if template is None:
        return value
    return template(runner.scope(thread, spec, value, extra_context))


def parameters(runner: StateRunner, thread: Thread, spec: StateSpec, value: Any) -> Any:
    """JSONPath `Parameters` applied to `value` (the value itself when absent)."""
    applied = apply_template(runner, thread, spec, spec.parameters, value)
    runner.inspect(thread, "afterParameters", applied)
    return applied


def arguments(runner: StateRunner, thread: Thread, spec: StateSpec) -> Any:
    """JSONata `Arguments` (the state input when absent)."""
    if spec.arguments is None:
        value = thread["input"]
    else:
        value = jsonata_eval.evaluate_template(
            spec.arguments.value, runner.bindings(thread, spec), "Arguments"
        )
    runner.inspect(thread, "afterArguments", value)
    return value


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
        assigned = _assign_jsonpath(runner, thread, spec, spec.assign, value)
        return _filter_path(runner, thread, spec, spec.output_path, value), assigned
    runner.inspect(thread, "result", result)
    if spec.result_selector is not None:
        result = spec.result_selector(runner.scope(thread, spec, result))
        runner.inspect(thread, "afterResultSelector", result)
    assigned = _assign_jsonpath(runner, thread, spec, spec.assign, result)
    combined = result_path(spec.result_path, raw_input, result)
    runner.inspect(thread, "afterResultPath", combined)
    return _filter_path(runner, thread, spec, spec.output_path, combined), assigned


def result_path(path: str | None, raw_input: Any, result: Any) -> Any:
    """ResultPath semantics ("$", as when absent: the result; null: the input; else merge a copy)."""
    if path == "$":
        return result
    if path is None:
        return raw_input
    return paths.apply_result_path(path, raw_input, result, True)


def _filter_path(runner: StateRunner, thread: Thread, spec: StateSpec, path: str | None, value: Any) -> Any:
    # InputPath / OutputPath: "$" (as when absent) keeps the value, null gives {}, a path selects from it.
    if path is None:
        return {}
    if path == "$":
        return value
    return paths.resolve_field_path(path, runner.scope(thread, spec, value))


def _assign_jsonpath(
    runner: StateRunner, thread: Thread, spec: StateSpec, assign: Assignment, value: Any
) -> dict[str, Any] | None:
    if assign.jsonpath is None:
        return None
    assigned = assign.jsonpath(runner.scope(thread, spec, value))
    return assigned if isinstance(assigned, dict) else None


def _finish_jsonata(
    runner: StateRunner, thread: Thread, spec: StateSpec, result: Any
) -> tuple[Any, dict[str, Any] | None]:
    extra = {} if result is _DEFAULT else {"result": result}
    if extra:
        runner.inspect(thread, "result", result)
    bindings = runner.bindings(thread, spec, **extra)
    assigned = _assign_jsonata(spec.assign, bindings, "Assign")
    if spec.output is not None:
        output = jsonata_eval.evaluate_template(spec.output.value, bindings, "Output")
    else:
        output = thread["input"] if result is _DEFAULT else result
    return output, assigned


def _assign_jsonata(
    assign: Assignment, bindings: jsonata_eval.Bindings, location: str
) -> dict[str, Any] | None:
    if assign.jsonata is None:
        return None
    return {
        name: jsonata_eval.evaluate_template(value, bindings, f"{location}/{name}")
        for name, value in assign.jsonata.items()
    }


def rule_output(
    runner: StateRunner, thread: Thread, spec: StateSpec, rule: ChoiceRule | None, effective: Any
) -> tuple[Any, dict[str, Any] | None]:
    """Output and assignments of a Choice state leaving through `rule` (or, when None, its Default)."""
    rule_assign = rule.assign if rule is not None else Assignment()
    if spec.is_jsonata:
        bindings = runner.bindings(thread, spec)
        assigned = _merge(
            _assign_jsonata(spec.assign, bindings, "Assign"),
            _assign_jsonata(rule_assign, bindings, "Assign"),
        )
        template: Given | None = rule.output if rule is not None and rule.output is not None else spec.output
        output = (
            thread["input"]
            if template is None
            else jsonata_eval.evaluate_template(template.value, bindings, "Output")
        )
        return output, assigned
    assigned = _merge(
        _assign_jsonpath(runner, thread, spec, spec.assign, effective),
        _assign_jsonpath(runner, thread, spec, rule_assign, effective),
    )
    return _filter_path(runner, thread, spec, spec.output_path, effective), assigned


def _merge(first: dict[str, Any] | None, second: dict[str, Any] | None) -> dict[str, Any] | None:
    if not first:
        return second
    if not second:
        return first
    return {**first, **second}


def catch_output(
    runner: StateRunner, thread: Thread, spec: StateSpec, catcher: Catcher, error_output: dict[str, Any]
) -> tuple[Any, dict[str, Any] | None]:
    """The output and assignments of a state leaving through a Catch."""
    if spec.is_jsonata:
        bindings = runner.bindings(thread, spec, errorOutput=error_output)
        assigned = _assign_jsonata(catcher.assign, bindings, "Catch/Assign")
        if catcher.output is not None:
            return jsonata_eval.evaluate_template(catcher.output.value, bindings, "Catch/Output"), assigned
        return error_output, assigned
    assigned = _assign_jsonpath(runner, thread, spec, catcher.assign, error_output)
    return result_path(catcher.result_path, thread["input"], error_output), assigned

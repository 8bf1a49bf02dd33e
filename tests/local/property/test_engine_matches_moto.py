"""Random state machines behave the same in the local engine and in moto's Step Functions executor.

Each generated machine (asl_machines) runs once on the local engine (skip clock, memory store) and
once on moto in-process (`execute_state_machine`), under the same machine and execution names.
Compared: the status; the output (parsed, type-strict: 1, 1.0 and true differ); the error; the
cause when the error is one the definition names (moto words `States.*` causes its own way); and the
history as event types in order, each state's exit with the state's output, where only the order
*between* concurrent Parallel branches or Map iterations is dropped (each branch keeps its own
order; see history_outline). moto is a second implementation, not the reference: where the two
disagree, AWS's documented behaviour and the conformance corpus decide, and features moto gets
wrong are not generated.

Generated: Pass (Result, Parameters with `.$` paths, context paths, nested templates and templates
inside arrays, InputPath (also from `$$.Execution.Input`), ResultPath, OutputPath), Choice (numeric,
string, StringMatches, boolean and timestamp operators, the `...Path` forms, Is* tests, And / Or /
Not, Default, InputPath / OutputPath), inline Map (ItemsPath, also from the context object,
ItemSelector or Parameters, ItemProcessor or Iterator, ProcessorConfig, MaxConcurrency 0-2,
ResultSelector), Parallel (2-3 branches, Parameters, ResultSelector), Succeed, Fail (Error / Cause,
ErrorPath / CausePath), JSONPath wildcards, slices and filters, and every deterministic intrinsic
function, nested calls included.

Left out (feature — why excluded: what moto 5.2.5 does instead of what AWS does):

- JSONata expressions `{% %}`, Assign, `$variables` — moto's JSONata evaluator is a stub (None), so
  every evaluation fails with States.Runtime "'NoneType' object is not callable". Only JSONata Pass
  states with a constant Output are generated.
- Choice that can match nothing (no Default) — moto fails with States.Runtime "No branching option
  reached", not States.NoChoiceMatched.
- `States.*` errors inside Parallel / Map — moto turns any error whose name starts with `States.` that
  leaves a branch or iteration into States.Runtime ("Custom Error Names MUST NOT begin with the
  prefix 'States.'").
- Different Fail errors in concurrent branches — not moto's fault: which branch fails first is
  timing, in AWS too, so every Fail inside a Parallel / Map fails as `Branch.Failed`.
- Fail with an empty Cause (or an ErrorPath / CausePath giving "") — moto reports no cause at all.
- Negative numbers in Parameters / ItemSelector / ResultSelector literals — moto parses them as
  floats (-3 becomes -3.0). Result and Choice literals are fine.
- An array index followed by a field (`$.a[0].b`), a negative index (`$.a[-1]`) — moto wraps the
  value in a list (`[x]`).
- A slice of the root (`$[0:2]`) that selects nothing — moto fails with States.Runtime (path not
  found); AWS answers [] (corpus: base/test_json_path_array_wildcard_or_slice_with_no_input).
- A filter `[?(...)]` that selects nothing — moto fails with States.Runtime (path not found); only
  filters that keep every element are generated.
- Timestamps other than `YYYY-MM-DDThh:mm:ssZ`, the `Timestamp...Path` operators — moto reads only that
  one form (an offset or a fraction compares as "not a timestamp") and its `...Path` forms fail with
  a TypeError.
- StringMatches with an escaped star (`\\*`) — moto's matcher takes the backslash literally.
- Non-ASCII text in intrinsic literals or reaching States.JsonToString — moto turns `é` in a literal
  into `u00e9`, and JsonToString escapes it as `\\u00e9`.
- States.ArrayRange with a negative step — moto rejects it.
- States.ArrayContains / ArrayUnique across types — moto compares with Python's ==, where
  true == 1 == 1.0 (ArrayContains([1], true) is true); needles have the elements' type and arrays
  are homogeneous.
- `...Path` comparands of another type — NumericEqualsPath against true is true in moto (Python's
  == again) and BooleanEqualsPath against a number fails with a TypeError.
- An Is* test other than IsPresent on a path that is missing — moto evaluates it (IsNull: false);
  AWS documents that a Variable missing from the input fails the execution, as the engine does.
- Numbers from 1e7 up or below 1e-3 in States.Format / JsonToString — moto writes Python's form
  (10000000.0), the engine Java's (1.0E7) as AWS does; generated floats have two decimals and
  stay within ±100.
- States.Base64Encode of non-ASCII text — moto fails with a UnicodeEncodeError.
- `$$.Execution.RedriveCount` — missing from moto's context object.
- `$$.Execution.StartTime`, `$$.State.EnteredTime`, States.UUID, States.MathRandom — differ between
  any two runs by design.
- Wait, Task, Retry, Catch — out of scope here: moto waits in real time and runs no Python handlers
  (the conformance corpus covers them).

Also worked around, not excluded: moto's DescribeExecution returns a top-level string output without
its JSON quotes, so moto's output is read from its ExecutionSucceeded event (engines.py); moto's
threads for aborted branches raise after the execution ended (the thread-exception warning is
filtered below).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings

from local.engine import Engine

from .asl_machines import GeneratedMachine, machines
from .engines import MotoStepFunctions, Outcome, moto_step_functions, new_local_engine, run_on_local_engine
from .history_outline import outline

# moto runs about ten generated machines a second here (two cores, nothing else running).
PROPERTY_EXAMPLES = 180

_names = itertools.count()


@pytest.fixture(scope="module")
def moto_sfn() -> Iterator[MotoStepFunctions]:
    with moto_step_functions() as moto:
        yield moto


@pytest.fixture(scope="module")
def engine() -> Engine:
    return new_local_engine()


def _canonical(value: Any) -> str:
    """Type-strict JSON text (Python's 1 == 1.0 == True would hide differences)."""
    return json.dumps(value, sort_keys=True)


def assert_same_behaviour(ours: Outcome, moto: Outcome) -> None:
    """Status, error, cause (for errors the definition names), output and history outline agree."""
    assert ours.status == moto.status
    assert ours.error == moto.error
    if ours.error is not None and not ours.error.startswith("States."):
        assert ours.cause == moto.cause
    assert _canonical(ours.output) == _canonical(moto.output)
    assert outline(ours.events) == outline(moto.events)


def _run_both(
    engine: Engine, moto: MotoStepFunctions, definition: dict[str, Any], execution_input: Any
) -> tuple[Outcome, Outcome]:
    name = f"property-{next(_names)}"
    return (
        run_on_local_engine(engine, name, definition, execution_input),
        moto.run(name, definition, execution_input),
    )


SMOKE_DEFINITION: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {
                "greeting.$": "States.Format('hello {}', $.name)",
                "total.$": "States.MathAdd($.base, 2)",
                "orders.$": "$.orders",
            },
            "ResultPath": "$.prepared",
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.prepared.total", "NumericGreaterThan": 3},
                        {"Not": {"Variable": "$.name", "StringEquals": "nobody"}},
                    ],
                    "Next": "EachOrder",
                }
            ],
            "Default": "Skipped",
        },
        "EachOrder": {
            "Type": "Map",
            "ItemsPath": "$.prepared.orders",
            "ItemSelector": {"order.$": "$$.Map.Item.Value", "position.$": "$$.Map.Item.Index"},
            "ItemProcessor": {
                "StartAt": "Describe",
                "States": {
                    "Describe": {
                        "Type": "Pass",
                        "Parameters": {"line.$": "States.Format('{}: {}', $.position, $.order.sku)"},
                        "End": True,
                    }
                },
            },
            "ResultPath": "$.lines",
            "Next": "Summarise",
        },
        "Summarise": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Count",
                    "States": {
                        "Count": {
                            "Type": "Pass",
                            "Parameters": {"count.$": "States.ArrayLength($.lines)"},
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "AsText",
                    "States": {
                        "AsText": {
                            "Type": "Pass",
                            "Parameters": {"text.$": "States.JsonToString($.lines[*].line)"},
                            "End": True,
                        }
                    },
                },
            ],
            "ResultPath": "$.summary",
            "OutputPath": "$.summary",
            "End": True,
        },
        "Skipped": {"Type": "Succeed"},
    },
}
SMOKE_INPUT = {"name": "Ada", "base": 5, "orders": [{"sku": "A-1"}, {"sku": "B-2"}, {"sku": "C-3"}]}


def test_a_fixed_machine_behaves_the_same(engine: Engine, moto_sfn: MotoStepFunctions) -> None:
    # Given a machine with intrinsics, a Choice, a Map and a Parallel, and an input that takes the Map path
    # When it runs on both engines
    ours, moto = _run_both(engine, moto_sfn, SMOKE_DEFINITION, SMOKE_INPUT)
    # Then both succeed through the Map and the Parallel, with the same output and history outline
    assert (ours.status, moto.status) == ("SUCCEEDED", "SUCCEEDED")
    assert "MapIterationStarted" in ours.event_types and "ParallelStateStarted" in ours.event_types
    assert_same_behaviour(ours, moto)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same machines on every run, so CI is reproducible
    database=None,
    report_multiple_bugs=False,  # shrinking runs moto hundreds of times; one minimal example is enough
    # Generating a whole machine with its input draws a lot of data; that is intended.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(machine=machines())
def test_random_machines_behave_the_same(
    engine: Engine, moto_sfn: MotoStepFunctions, machine: GeneratedMachine
) -> None:
    # Given a random machine and an input whose paths it reads
    note(f"definition: {json.dumps(machine.definition)}")
    note(f"input: {json.dumps(machine.execution_input)}")
    for feature in sorted(machine.features):
        event(feature)
    # When it runs on the local engine and on moto
    ours, moto = _run_both(engine, moto_sfn, machine.definition, machine.execution_input)
    event(f"status {ours.status}")
    # Then both end the same way, with the same output and the same history outline
    assert_same_behaviour(ours, moto)

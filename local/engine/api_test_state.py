"""TestState: run one state once, without a state machine, and answer what it did.

The state (or the state `stateName` names in a whole definition) runs through the interpreter as the only
state of a machine; states it may go to are stand-ins that never run. A Task calls its integration for
real (or answers with `mock`), a Wait is not waited out, and a Retry that applies is reported as
RETRIABLE instead of being waited for. As on AWS, Map and Parallel states run only with a mock, which
stands for their result: a Map still reads its items and limits (`trial_map`), a Parallel runs as a task
the mock answers. DEBUG and TRACE add the data-flow steps as `inspectionData`. An HTTP Task runs only with
a mock, and AWS shows no request or response for a mocked one, so TRACE shows what DEBUG shows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any, NotRequired, TypedDict

from local.engine import (
    arns,
    map_item_reader,
    mock_result_schema,
    paths,
    trial_map,
    trial_request,
    validation,
)
from local.engine import definition as asl
from local.engine.api_base import ApiBase
from local.engine.api_state_machines import check_definition_size
from local.engine.driver import HANDLERS
from local.engine.errors import ApiError
from local.engine.execution import ExecutionInfo
from local.engine.one_state_run import Invoke, TrialOutcome, run_state
from local.engine.tasks import TaskResult
from local.engine.trial_map import MockedMapState

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
# The name the state runs under when `definition` is one state (`$$.State.Name` is AWS's "StateName").
STATE_NAME = "TestState"
MACHINE_NAME = "TestStateMachine"
NEEDS_TRANSITION = frozenset({"Task", "Pass", "Wait", "Map", "Parallel"})
# Stages in the order AWS lists them in InspectionData.
STAGES = (
    "afterInputPath",
    "afterParameters",
    "afterArguments",
    "result",
    "afterResultSelector",
    "afterResultPath",
)
# What a mocked Parallel state keeps: the fields around its result, its branches' input included (not
# the branches).
COMPOSITE_KEPT_FIELDS = frozenset(
    {
        "Comment",
        "QueryLanguage",
        "InputPath",
        "Parameters",
        "Arguments",
        "OutputPath",
        "ResultPath",
        "ResultSelector",
        "Retry",
        "Catch",
        "Next",
        "End",
        "Assign",
        "Output",
    }
)
# The stand-in task a mocked Parallel state runs as; the mock answers it, nothing calls it.
MOCKED_RESOURCE = "arn:aws:lambda:us-east-1:000000000000:function:TestStateMock"


class InspectionErrorDetails(TypedDict, total=False):
    """InspectionData.errorDetails."""

    catchIndex: int
    retryIndex: int
    retryBackoffIntervalSeconds: int


class TestStateOutput(TypedDict):
    """TestState."""

    status: str
    output: NotRequired[str]
    error: NotRequired[str]
    cause: NotRequired[str]
    nextState: NotRequired[str]
    inspectionData: NotRequired[dict[str, Any]]


class TestStateOperations(ApiBase):
    """TestState."""

    def test_state(
        self,
        definition: str,
        *,
        role_arn: str | None = None,
        input: str | None = None,
        inspection_level: str = "INFO",
        reveal_secrets: bool = False,
        variables: str | None = None,
        state_name: str | None = None,
        mock: dict[str, Any] | None = None,
        context: str | None = None,
        state_configuration: dict[str, Any] | None = None,
    ) -> TestStateOutput:
        """TestState: run one state with `input` and answer its output, error, next state and status."""
        if inspection_level not in INSPECTION_LEVELS:
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value '{inspection_level}' at 'inspectionLevel' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{', '.join(INSPECTION_LEVELS)}]",
            )
        check_definition_size(definition)
        if role_arn is not None:
            arns.check_role_arn(role_arn)
        value = _json_argument(input, "input", "InvalidExecutionInput", default={})
        seeded = _json_argument(variables, "variables", "ValidationException", default={})
        if not isinstance(seeded, dict):
            raise ApiError("ValidationException", "The variables must be a JSON object")
        given_context = _json_argument(context, "context", "ValidationException", default=None)
        if given_context is not None and not isinstance(given_context, dict):
            raise ApiError("ValidationException", "The context must be a JSON object")
        raw, machine, name = self._machine_for(definition, state_name)
        # An integration the engine cannot call is accepted when a mock answers for it, as at create
        # time with a MockConfigFile.
        mocked = mock is not None or self.dispatcher.mock_config is not None
        state = machine["States"][name]
        if not isinstance(state, dict):
            _check_valid(raw, single_state=state_name is None, mocked=mocked)  # says what is wrong with it
        configuration = state_configuration or {}
        trial_request.check_reveal_secrets(reveal_secrets, inspection_level)
        trial_request.check_mock(state, mock, reveal_secrets=reveal_secrets)
        _check_valid(raw, single_state=state_name is None, mocked=mocked)
        trial_request.check_role(state, mock, role_arn)
        if given_context is not None:
            trial_request.check_context(given_context, state)
        trial_request.check_configuration(configuration, state, mock)
        answer = _mocked_result(state, mock) if mock is not None else None
        handlers = HANDLERS
        invoke = self._invoker(answer)
        if state.get("Type") == "Map" and answer is not None:
            failures = configuration.get("mapIterationFailureCount")
            handlers = {**HANDLERS, "Map": MockedMapState(answer, failures)}
            invoke = self._item_reader(_read_items(state, configuration.get("mapItemReaderData")))
        elif state.get("Type") == "Parallel":
            state = _mocked_parallel(state)
        parsed = asl.build({**machine, "StartAt": name, "States": {**machine["States"], name: state}})
        outcome = run_state(
            definition=parsed,
            state_name=name,
            info=self._trial_info(role_arn, value),
            handlers=handlers,
            invoke=invoke,
            variables=seeded,
            retry_count=int(configuration.get("retrierRetryCount") or 0),
            mocked=mock is not None,
            context=given_context,
        )
        jsonata = state.get("QueryLanguage", machine.get("QueryLanguage")) == "JSONata"
        return _answer(outcome, value, inspection_level, _shown_steps(outcome.stages, state, jsonata=jsonata))

    def _machine_for(
        self, definition: str, state_name: str | None
    ) -> tuple[dict[str, Any], dict[str, Any], str]:
        """The machine to validate as CreateStateMachine would, the (sub-)machine the state runs in, and
        the state's name there."""
        raw = asl.load_json(definition)
        if state_name is not None:
            machine = _machine_holding(raw, state_name)
            if machine is None:
                raise ApiError("ValidationException", "State not found in definition")
            return raw, machine, state_name
        if isinstance(raw.get("States"), dict) and "StartAt" in raw:
            raise ApiError(
                "ValidationException",
                "The definition is a state machine: give the state to test in stateName",
            )
        state = dict(raw)
        if state.get("Type") in NEEDS_TRANSITION and "Next" not in state and "End" not in state:
            state["End"] = True
        stand_ins = {target: {"Type": "Succeed"} for target in _targets(state) if target != STATE_NAME}
        single = {"StartAt": STATE_NAME, "States": {STATE_NAME: state, **stand_ins}}
        return single, single, STATE_NAME

    def _trial_info(self, role_arn: str | None, value: Any) -> ExecutionInfo:
        machine_arn = arns.state_machine_arn(self.region, self.account_id, MACHINE_NAME)
        name = str(uuid.uuid4())
        return ExecutionInfo(
            # AWS runs the state as an Express execution (its ARN says so in `$$.Execution.Id`).
            arn=f"arn:aws:states:{self.region}:{self.account_id}:express:{MACHINE_NAME}:{name}",
            name=name,
            state_machine_arn=machine_arn,
            state_machine_name=MACHINE_NAME,
            role_arn=role_arn or "",
            start_time=self.clock.now(),
            input=value,
        )

    def _invoker(self, answer: TaskResult | None) -> Invoke:
        if answer is None:
            return self.dispatcher.dispatch
        return lambda _call: answer

    def _item_reader(self, items: Any) -> Invoke:
        """What a mocked Map calls: only its ItemReader, which reads `mapItemReaderData` when given."""
        if items is None:
            return self.dispatcher.dispatch
        read = TaskResult(ok=True, output=items)
        return lambda _call: read


def _check_valid(raw: dict[str, Any], *, single_state: bool, mocked: bool) -> None:
    """Refuse an invalid state as CreateStateMachine refuses a machine, placing findings in the state."""
    problems = validation.validate_definition(raw, mocked=mocked)
    if single_state:
        # The machine around one state is ours: what it lacks as a machine is no finding about the state.
        prefix = f"/States/{STATE_NAME}"
        problems = [
            replace(p, location=p.location.removeprefix(prefix) or "/")
            for p in problems
            if p.location.startswith(prefix)
        ]
    if problems:
        listed = ", ".join(f"'{p.render()}'" for p in problems)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {listed}")


def _mocked_result(state: dict[str, Any], mock: dict[str, Any]) -> TaskResult:
    """What `mock` answers for `state`, its result checked as its fieldValidationMode says."""
    resource = state.get("Resource") if state.get("Type") == "Task" else None
    mode = mock.get("fieldValidationMode")
    failure = mock.get("errorOutput")
    if failure is not None:
        mock_result_schema.check(resource, None, mode)
        return TaskResult(ok=False, error=failure.get("error"), cause=failure.get("cause"))
    text = mock.get("result")
    if text is None:
        raise ApiError("ValidationException", "A mock gives either a result or an errorOutput")
    try:
        result = json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError("ValidationException", "Mocked result must be valid JSON") from error
    mock_result_schema.check(resource, result, mode)
    return TaskResult(ok=True, output=result)


def _json_argument(text: str | None, member: str, code: str, *, default: Any) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError(
            code, f"Invalid {member}: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error


def _machine_holding(machine: Any, name: str, query_language: str = "JSONPath") -> dict[str, Any] | None:
    """The machine whose States hold `name`: `machine` itself, else (as on AWS) a Map's iterations or a
    Parallel's branch at any depth, with the query language its states inherit."""
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return None
    query_language = machine.get("QueryLanguage", query_language)
    if name in states:
        return {"QueryLanguage": query_language, "StartAt": name, "States": states}
    for state in states.values():
        if not isinstance(state, dict):
            continue
        inherited = state.get("QueryLanguage", query_language)
        for inner in (state.get("ItemProcessor") or state.get("Iterator"), *(state.get("Branches") or [])):
            found = _machine_holding(inner, name, inherited)
            if found is not None:
                return found
    return None


def _targets(state: dict[str, Any]) -> list[str]:
    """The states `state` may go to."""
    found = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        blocks = state.get(key)
        if isinstance(blocks, list):
            found += [block.get("Next") for block in blocks if isinstance(block, dict)]
    return [target for target in found if isinstance(target, str)]


def _mocked_parallel(state: dict[str, Any]) -> dict[str, Any]:
    """A Parallel state as TestState runs it: its branches do not run, the mock is its result; input and
    output processing, Retry and Catch apply as to any result."""
    kept = {key: value for key, value in state.items() if key in COMPOSITE_KEPT_FIELDS}
    return {**kept, "Type": "Task", "Resource": MOCKED_RESOURCE}


def _read_items(state: dict[str, Any], data: str | None) -> Any:
    """What the Map's ItemReader reads from `data`: the object's text, or the objects a listing gives."""
    resource = (state.get("ItemReader") or {}).get("Resource", "")
    if data is None or not resource.endswith(f":{map_item_reader.LIST_OBJECTS}"):
        return data
    return _json_argument(data, "stateConfiguration.mapItemReaderData", "ValidationException", default=None)


def _answer(
    outcome: TrialOutcome, value: Any, inspection_level: str, steps: dict[str, Any]
) -> TestStateOutput:
    answer: TestStateOutput = {"status": outcome.status}
    if outcome.has_output:
        answer["output"] = paths.json_compact(outcome.output)
    if outcome.status != "SUCCEEDED":
        if outcome.error is not None:
            answer["error"] = outcome.error
        if outcome.cause is not None:
            answer["cause"] = outcome.cause
    if outcome.next_state is not None:
        answer["nextState"] = outcome.next_state
    if inspection_level != "INFO":
        answer["inspectionData"] = _inspection(outcome, value, steps)
    return answer


def _shown_steps(stages: dict[str, Any], state: dict[str, Any], *, jsonata: bool) -> dict[str, Any]:
    """The data-flow steps AWS shows for `state`. A JSONPath result is shown after ResultSelector too,
    when there is none. A Pass's Result is its result, and nothing it read from its input is shown; a
    Pass without one (or a Map, whose result is its mock) shows no result step."""
    steps = dict(stages)
    if not jsonata and "result" in steps:
        steps.setdefault("afterResultSelector", steps["result"])
    hidden: tuple[str, ...] = ()
    if state.get("Type") == "Pass":
        hidden = ("afterInputPath", "afterParameters") if "Result" in state else ("result",)
    elif state.get("Type") == "Map":
        hidden = ("result",)
    return {stage: value for stage, value in steps.items() if stage not in hidden}


def _inspection(outcome: TrialOutcome, value: Any, steps: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"input": paths.json_compact(value)}
    for stage in STAGES:
        if stage in steps:
            data[stage] = paths.json_compact(steps[stage])
    if outcome.has_output and outcome.variables:
        data["variables"] = paths.json_compact(outcome.variables)
    data.update(trial_map.inspection(steps))
    details: InspectionErrorDetails = {}
    if outcome.catch_index is not None:
        details["catchIndex"] = outcome.catch_index
    if outcome.retry_index is not None:
        details["retryIndex"] = outcome.retry_index
    if outcome.retry_backoff_seconds is not None:
        details["retryBackoffIntervalSeconds"] = outcome.retry_backoff_seconds
    if details:
        data["errorDetails"] = details
    return data

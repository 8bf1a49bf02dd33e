"""What TestState refuses before it runs a state, with AWS's messages where AWS's are known.

A mock where AWS takes none, or none where AWS needs one; a mock a Map or Parallel state cannot stand
behind; revealSecrets where nothing may be revealed; a Context object AWS would not build; a
stateConfiguration member the tested state has no use for.
"""

from __future__ import annotations

import json
from typing import Any

from local.engine.errors import ApiError

NEEDS_MOCK = frozenset({"Map", "Parallel"})
TAKES_NO_MOCK = frozenset({"Pass", "Fail", "Succeed"})
CALLBACK_SUFFIXES = (".sync", ".sync:2", ".waitForTaskToken")
HTTP_INVOKE = "arn:aws:states:::http:invoke"
# The members a given Context object may hold, and which of them must be text or whole numbers.
CONTEXT_MEMBERS: dict[str, frozenset[str]] = {
    "Execution": frozenset({"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"}),
    "State": frozenset({"EnteredTime", "Name", "RetryCount"}),
    "StateMachine": frozenset({"Id", "Name"}),
    "Task": frozenset({"Token"}),
}
CONTEXT_NUMBERS = frozenset({"RetryCount", "RedriveCount"})
INVALID_CONTEXT = "Invalid Context object provided: "


def _invalid(message: str) -> ApiError:
    """TestState's ValidationException."""
    return ApiError("ValidationException", message)


def check_mock(state: dict[str, Any], mock: dict[str, Any] | None, *, reveal_secrets: bool) -> None:
    """Refuse a state that needs a mock and has none, or a mock AWS does not take for it."""
    kind = state.get("Type")
    if mock is None:
        _check_runs_unmocked(state)
        return
    if reveal_secrets:
        raise _invalid("TestState does not support RevealSecrets when a mock is specified.")
    if kind in TAKES_NO_MOCK:
        raise _invalid(f"State type '{kind}' is not supported when a mock is specified")
    if "result" in mock and "errorOutput" in mock:
        raise _invalid("A test mock should have only one of the following fields: [result, errorOutput].")
    if "result" in mock and kind in NEEDS_MOCK:
        _check_composite_result(state, mock["result"])


def _check_runs_unmocked(state: dict[str, Any]) -> None:
    kind = state.get("Type")
    if kind in NEEDS_MOCK:
        raise ApiError(
            "InvalidDefinition",
            "TestState API does not support Map or Parallel states. "
            "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        )
    resource = state.get("Resource") if kind == "Task" else None
    if not isinstance(resource, str):
        return
    if ":activity:" in resource or resource.endswith(CALLBACK_SUFFIXES):
        raise _invalid(
            "TestState runs an activity task, or a .sync or .waitForTaskToken integration, only with a mock"
        )
    if resource == HTTP_INVOKE:
        # AWS sends the request; this engine sends none (it has no EventBridge connection to sign it with).
        raise ApiError(
            "InvalidDefinition",
            f"The local engine does not send HTTP Task requests ({HTTP_INVOKE}): test the state with a mock",
        )


def _check_composite_result(state: dict[str, Any], text: Any) -> None:
    """A Map's mocked result is its results (an object when a ResultWriter writes them), a Parallel's
    one result per branch."""
    try:
        result = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        return  # reported where the mock is read
    if state.get("Type") == "Map" and "ResultWriter" in state:
        if not isinstance(result, dict):
            raise _invalid("Mocked result must be a JSON object.")
        return
    if not isinstance(result, list):
        raise _invalid("Mocked result must be an array.")
    branches = state.get("Branches")
    if state.get("Type") == "Parallel" and isinstance(branches, list) and len(result) != len(branches):
        raise _invalid("Mocked result must contain the same number of items as number of Parallel branches.")


def check_role(state: dict[str, Any], mock: dict[str, Any] | None, role_arn: str | None) -> None:
    """A Task calls its integration with the role, so it needs one unless a mock answers for it."""
    if role_arn is None and mock is None and state.get("Type") == "Task":
        raise _invalid("RoleArn must be specified when testing a Task state")


def check_reveal_secrets(reveal_secrets: bool, inspection_level: str) -> None:
    """Secrets show in an HTTP Task's request, which only TRACE shows."""
    if reveal_secrets and inspection_level != "TRACE":
        raise _invalid("revealSecrets can be set only when inspectionLevel is TRACE")


def check_context(context: dict[str, Any], state: dict[str, Any]) -> None:
    """Refuse a Context object AWS would not give the state."""
    for member, value in context.items():
        if member == "Map":
            raise _invalid(f"{INVALID_CONTEXT}'Map' field is not supported when mocking a Context object")
        if member not in CONTEXT_MEMBERS:
            raise _invalid(f"{INVALID_CONTEXT}Field '{member}' is not allowed")
        if not isinstance(value, dict):
            raise _invalid(f"{INVALID_CONTEXT}{member} must be an object")
        for field, field_value in value.items():
            _check_context_field(member, field, field_value)
    if "Task" in context and not _takes_token(state):
        raise _invalid(
            f"{INVALID_CONTEXT}Context object contains 'Task' when state is not a Task state with a "
            "'.sync' or '.waitForTaskToken' service integration pattern"
        )


def _check_context_field(member: str, field: str, value: Any) -> None:
    if field not in CONTEXT_MEMBERS[member]:
        raise _invalid(f"{INVALID_CONTEXT}Field '{field}' is not allowed")
    if field == "Input":
        return
    if field in CONTEXT_NUMBERS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _invalid(f"{INVALID_CONTEXT}{member}.{field} must be an integer")
    elif not isinstance(value, str):
        raise _invalid(f"{INVALID_CONTEXT}{member}.{field} must be a string")


def _takes_token(state: dict[str, Any]) -> bool:
    resource = state.get("Resource")
    return state.get("Type") == "Task" and isinstance(resource, str) and resource.endswith(CALLBACK_SUFFIXES)


def check_configuration(
    configuration: dict[str, Any], state: dict[str, Any], mock: dict[str, Any] | None
) -> None:
    """Refuse a stateConfiguration member the tested state has no use for."""
    for count in ("retrierRetryCount", "mapIterationFailureCount"):
        value = configuration.get(count, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _invalid(
                f"1 validation error detected: Value '{value}' at 'stateConfiguration.{count}' failed to "
                "satisfy constraint: Member must have value greater than or equal to 0"
            )
    for text in ("errorCausedByState", "mapItemReaderData"):
        if not isinstance(configuration.get(text, ""), str):
            raise _invalid(f"stateConfiguration.{text} must be a string")
    kind = state.get("Type")
    for member in ("mapIterationFailureCount", "mapItemReaderData"):
        if member in configuration and kind != "Map":
            raise _invalid(f"stateConfiguration.{member} applies to a Map state only")
    if "mapItemReaderData" in configuration and "ItemReader" not in state:
        raise _invalid("stateConfiguration.mapItemReaderData applies to a Map state with an ItemReader only")
    caused_by = configuration.get("errorCausedByState")
    if caused_by is None:
        return
    if kind not in NEEDS_MOCK or mock is None or "errorOutput" not in mock:
        raise _invalid(
            "stateConfiguration.errorCausedByState applies to a Map or Parallel state "
            "with a mocked errorOutput only"
        )
    if caused_by not in _inner_states(state):
        raise _invalid(
            f"stateConfiguration.errorCausedByState: the state '{caused_by}' is not in the {kind} state"
        )


def _inner_states(state: dict[str, Any]) -> set[str]:
    """The names of the states a Map's iterations or a Parallel's branches run (at any depth)."""
    machines = [state.get("ItemProcessor") or state.get("Iterator"), *(state.get("Branches") or [])]
    names: set[str] = set()
    for machine in machines:
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            continue
        for name, inner in states.items():
            names.add(name)
            if isinstance(inner, dict):
                names |= _inner_states(inner)
    return names

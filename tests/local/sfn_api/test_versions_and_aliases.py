"""State machine versions and aliases through boto3: publish, list, describe, delete, route executions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api.helpers import ROLE_ARN, make_client, wait_for_status
from tests.local.sfn_api.sfn_process import SfnProcess

Names = Callable[[str], str]


def _returns(value: str) -> str:
    """A machine whose output is `value`: which revision ran is visible in the output."""
    return json.dumps(
        {"StartAt": "Answer", "States": {"Answer": {"Type": "Pass", "Result": value, "End": True}}}
    )


def _error(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _output(sfn: Any, execution_arn: str) -> Any:
    return json.loads(wait_for_status(sfn, execution_arn)["output"])


def _machine_with_two_versions(sfn: Any, name: str) -> tuple[str, str, str]:
    created = sfn.create_state_machine(
        name=name, definition=_returns("v1"), roleArn=ROLE_ARN, publish=True, versionDescription="first"
    )
    updated = sfn.update_state_machine(
        stateMachineArn=created["stateMachineArn"], definition=_returns("v2"), publish=True
    )
    return created["stateMachineArn"], created["stateMachineVersionArn"], updated["stateMachineVersionArn"]


def test_create_and_update_publish_numbered_versions(sfn: Any, unique_name: Names) -> None:
    # Given a state machine created and updated with publish=True
    machine_arn, first, second = _machine_with_two_versions(sfn, unique_name("Versions"))
    # Then each publish made the next numbered version
    assert (first, second) == (f"{machine_arn}:1", f"{machine_arn}:2")
    listed = sfn.list_state_machine_versions(stateMachineArn=machine_arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [second, first]
    # And describing a version describes that snapshot, not the state machine as it is now
    described = sfn.describe_state_machine(stateMachineArn=first)
    assert described["stateMachineArn"] == first
    assert json.loads(described["definition"])["States"]["Answer"]["Result"] == "v1"
    assert described["description"] == "first"
    assert described["name"] == machine_arn.rsplit(":", 1)[1]
    # And an update without publish makes no version
    plain = sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("v3"))
    assert "stateMachineVersionArn" not in plain
    assert len(sfn.list_state_machine_versions(stateMachineArn=machine_arn)["stateMachineVersions"]) == 2


def test_publishing_an_unchanged_revision_returns_the_latest_version(sfn: Any, unique_name: Names) -> None:
    # Given a state machine whose current revision is published as version 2
    machine_arn, _, second = _machine_with_two_versions(sfn, unique_name("Idempotent"))
    # When it is published again without a change
    again = sfn.publish_state_machine_version(stateMachineArn=machine_arn, description="again")
    # Then the existing version is returned and none is added
    assert again["stateMachineVersionArn"] == second
    assert len(sfn.list_state_machine_versions(stateMachineArn=machine_arn)["stateMachineVersions"]) == 2


def test_publish_with_a_stale_revision_id_is_a_conflict(sfn: Any, unique_name: Names) -> None:
    # Given a revision id read before the state machine changed
    machine_arn = sfn.create_state_machine(
        name=unique_name("Stale"), definition=_returns("a"), roleArn=ROLE_ARN
    )["stateMachineArn"]
    stale = sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("b"))["revisionId"]
    current = sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("c"))["revisionId"]
    # When a version is published for it; Then AWS's ConflictException
    code, _ = _error(lambda: sfn.publish_state_machine_version(stateMachineArn=machine_arn, revisionId=stale))
    assert code == "ConflictException"
    # And the current revision id publishes version 1
    published = sfn.publish_state_machine_version(stateMachineArn=machine_arn, revisionId=current)
    assert published["stateMachineVersionArn"] == f"{machine_arn}:1"


def test_version_numbers_are_not_reused_after_a_delete(sfn: Any, unique_name: Names) -> None:
    # Given versions 1 and 2, and version 2 deleted
    machine_arn, _, second = _machine_with_two_versions(sfn, unique_name("NoReuse"))
    sfn.delete_state_machine_version(stateMachineVersionArn=second)
    sfn.delete_state_machine_version(stateMachineVersionArn=second)  # deleting again is harmless
    # When the state machine changes and is published
    sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("v3"))
    published = sfn.publish_state_machine_version(stateMachineArn=machine_arn)
    # Then it is version 3, and the deleted version neither starts nor describes
    assert published["stateMachineVersionArn"] == f"{machine_arn}:3"
    assert _error(lambda: sfn.start_execution(stateMachineArn=second))[0] == "StateMachineDoesNotExist"
    assert _error(lambda: sfn.describe_state_machine(stateMachineArn=second))[0] == "StateMachineDoesNotExist"


def test_version_description_needs_publish(sfn: Any, unique_name: Names) -> None:
    error = _error(
        lambda: sfn.create_state_machine(
            name=unique_name("NoPublish"), definition=_returns("a"), roleArn=ROLE_ARN, versionDescription="x"
        )
    )
    assert error == ("ValidationException", "Version description can only be set when publish is true")


def test_a_machine_has_no_revision_until_an_update_changes_it(sfn: Any, unique_name: Names) -> None:
    # Given a state machine created with publish=True and no description
    created = sfn.create_state_machine(
        name=unique_name("Revisions"), definition=_returns("a"), roleArn=ROLE_ARN, publish=True
    )
    machine_arn, first = created["stateMachineArn"], created["stateMachineVersionArn"]
    # Then neither it nor its version has a revision or a description yet
    for described in (sfn.describe_state_machine(stateMachineArn=arn) for arn in (machine_arn, first)):
        assert "revisionId" not in described
        assert "description" not in described

    # When it is updated to the same definition with publish=True
    unchanged = sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("a"), publish=True)
    # Then that makes no revision, and the version is the first one
    assert "revisionId" not in unchanged
    assert unchanged["stateMachineVersionArn"] == first

    # When an update changes the definition
    changed = sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("b"), publish=True)
    # Then it makes a revision, the machine and its new version hold it
    second = changed["stateMachineVersionArn"]
    assert second == f"{machine_arn}:2"
    assert sfn.describe_state_machine(stateMachineArn=machine_arn)["revisionId"] == changed["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=second)["revisionId"] == changed["revisionId"]
    # And DescribeStateMachineForExecution names the revision each execution runs
    of_first = sfn.start_execution(stateMachineArn=first)["executionArn"]
    of_second = sfn.start_execution(stateMachineArn=second)["executionArn"]
    assert "revisionId" not in sfn.describe_state_machine_for_execution(executionArn=of_first)
    ran = sfn.describe_state_machine_for_execution(executionArn=of_second)
    assert ran["revisionId"] == changed["revisionId"]
    assert ran["stateMachineArn"] == machine_arn


def test_an_execution_of_a_version_runs_that_version(sfn: Any, unique_name: Names) -> None:
    # Given versions 1 and 2 and a later unpublished change
    machine_arn, first, _ = _machine_with_two_versions(sfn, unique_name("RunVersion"))
    sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("latest"))
    # When version 1 and the state machine itself are started
    of_version = sfn.start_execution(stateMachineArn=first, name="of-version")["executionArn"]
    of_machine = sfn.start_execution(stateMachineArn=machine_arn, name="of-machine")["executionArn"]
    # Then each runs its own definition, under the state machine's execution ARN
    assert of_version == machine_arn.replace(":stateMachine:", ":execution:") + ":of-version"
    assert _output(sfn, of_version) == "v1"
    assert _output(sfn, of_machine) == "latest"
    # And DescribeExecution reports the version only for the execution started through it
    described = sfn.describe_execution(executionArn=of_version)
    assert described["stateMachineArn"] == machine_arn
    assert described["stateMachineVersionArn"] == first
    assert "stateMachineAliasArn" not in described
    assert "stateMachineVersionArn" not in sfn.describe_execution(executionArn=of_machine)
    # And ListExecutions of the version lists only its executions
    listed = sfn.list_executions(stateMachineArn=first)["executions"]
    assert [e["name"] for e in listed] == ["of-version"]
    assert listed[0]["stateMachineVersionArn"] == first
    # And, as AWS lists executions now, with their redrive count even when never redriven
    assert listed[0]["redriveCount"] == 0


def test_an_alias_routes_to_its_version_and_is_reported(sfn: Any, unique_name: Names) -> None:
    # Given an alias that routes everything to version 1
    machine_arn, first, second = _machine_with_two_versions(sfn, unique_name("Alias"))
    alias_arn = sfn.create_state_machine_alias(
        name="PROD",
        description="live",
        routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}],
    )["stateMachineAliasArn"]
    assert alias_arn == f"{machine_arn}:PROD"
    # When an execution starts through it
    execution_arn = sfn.start_execution(stateMachineArn=alias_arn, name="through-alias")["executionArn"]
    # Then it runs version 1 and reports both the alias and the version
    assert _output(sfn, execution_arn) == "v1"
    described = sfn.describe_execution(executionArn=execution_arn)
    assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (alias_arn, first)
    started = sfn.get_execution_history(executionArn=execution_arn)["events"][0]
    assert started["executionStartedEventDetails"]["stateMachineAliasArn"] == alias_arn
    assert started["executionStartedEventDetails"]["stateMachineVersionArn"] == first
    # And after the alias moves to version 2 the next execution runs version 2
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias_arn,
        routingConfiguration=[{"stateMachineVersionArn": second, "weight": 100}],
    )
    moved = sfn.start_execution(stateMachineArn=alias_arn)["executionArn"]
    assert _output(sfn, moved) == "v2"
    described_alias = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert described_alias["name"] == "PROD"
    assert described_alias["description"] == "live"
    assert described_alias["routingConfiguration"] == [{"stateMachineVersionArn": second, "weight": 100}]
    assert described_alias["updateDate"] >= described_alias["creationDate"]
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=alias_arn)["executions"]][
        -1
    ] == "through-alias"


def test_an_alias_splits_executions_by_weight(sfn: Any, unique_name: Names) -> None:
    # Given an alias routing half of the executions to each version
    _, first, second = _machine_with_two_versions(sfn, unique_name("Split"))
    alias_arn = sfn.create_state_machine_alias(
        name="canary",
        routingConfiguration=[
            {"stateMachineVersionArn": first, "weight": 50},
            {"stateMachineVersionArn": second, "weight": 50},
        ],
    )["stateMachineAliasArn"]
    # When 40 executions start through it
    runs = [sfn.start_execution(stateMachineArn=alias_arn)["executionArn"] for _ in range(40)]
    # Then both versions ran (a miss has odds of 2 in 2**40)
    versions = {sfn.describe_execution(executionArn=arn)["stateMachineVersionArn"] for arn in runs}
    assert versions == {first, second}


@pytest.mark.parametrize(
    ("routing", "code", "message"),
    [
        (
            [{"weight": 60}, {"weight": 30}],
            "ValidationException",
            "Sum of routing configuration weights must equal 100. Received: [60, 30]",
        ),
        (
            [{"weight": 100}, {"weight": 0, "same": True}],
            "ValidationException",
            "Routing configuration must contain distinct state machine version ARNs. Received: [{1}, {1}]",
        ),
        (
            [{"weight": 50, "unqualified": True}, {"weight": 50}],
            "ValidationException",
            "Routing configuration must contain state machine version ARNs. Received: [{machine}, {2}]",
        ),
        (
            [{"weight": 101}],
            "ValidationException",
            "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to "
            "satisfy constraint: Member must have value less than or equal to 100",
        ),
        (
            [{"weight": 50}, {"weight": 30}, {"weight": 20, "same": True}],
            "ValidationException",
            "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn={1}, "
            "weight=50), RoutingConfigurationListItem(stateMachineVersionArn={2}, weight=30), "
            "RoutingConfigurationListItem(stateMachineVersionArn={1}, weight=20)]' at 'routingConfiguration' "
            "failed to satisfy constraint: Member must have length less than or equal to 2",
        ),
        ([{"weight": 100, "version": 9}], "ResourceNotFound", "Resource not found: '{machine}:9'"),
    ],
)
def test_an_alias_routing_is_checked_and_refused_in_aws_words(
    sfn: Any, unique_name: Names, routing: list[dict[str, Any]], code: str, message: str
) -> None:
    machine_arn, first, second = _machine_with_two_versions(sfn, unique_name("Routing"))

    def target(index: int, route: dict[str, Any]) -> str:
        if "version" in route:
            return f"{machine_arn}:{route['version']}"
        if route.get("unqualified"):
            return machine_arn
        return first if route.get("same") or index == 0 else second

    configuration = [
        {"stateMachineVersionArn": target(index, route), "weight": route["weight"]}
        for index, route in enumerate(routing)
    ]
    expected = message.replace("{machine}", machine_arn).replace("{1}", first).replace("{2}", second)
    assert _error(
        lambda: sfn.create_state_machine_alias(name="live", routingConfiguration=configuration)
    ) == (
        code,
        expected,
    )


def test_alias_names_and_idempotent_create(sfn: Any, unique_name: Names) -> None:
    _, first, second = _machine_with_two_versions(sfn, unique_name("Names"))
    routing = [{"stateMachineVersionArn": first, "weight": 100}]
    # An alias name of digits alone would read as a version number
    assert _error(lambda: sfn.create_state_machine_alias(name="123", routingConfiguration=routing))[0] == (
        "ValidationException"
    )
    # Creating the same alias twice returns it; with another routing it is a conflict
    created = sfn.create_state_machine_alias(name="beta", routingConfiguration=routing)
    again = sfn.create_state_machine_alias(name="beta", routingConfiguration=routing)
    assert again["stateMachineAliasArn"] == created["stateMachineAliasArn"]
    other = [{"stateMachineVersionArn": second, "weight": 100}]
    assert _error(lambda: sfn.create_state_machine_alias(name="beta", routingConfiguration=other)) == (
        "ConflictException",
        "Failed to create alias because an alias with the same name and a different routing configuration "
        "already exists.",
    )
    # And an alias never updated reports its creation as its last update, as AWS does
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=created["stateMachineAliasArn"])
    assert described["updateDate"] == described["creationDate"]


def test_a_version_an_alias_routes_to_cannot_be_deleted(sfn: Any, unique_name: Names) -> None:
    # Given an alias routing to version 1
    machine_arn, first, second = _machine_with_two_versions(sfn, unique_name("InUse"))
    alias_arn = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
    )["stateMachineAliasArn"]
    # When version 1 is deleted; Then it is refused while the alias routes to it
    assert _error(lambda: sfn.delete_state_machine_version(stateMachineVersionArn=first)) == (
        "ConflictException",
        "Version to be deleted must not be referenced by an alias. "
        "Current list of aliases referencing this version: [live]",
    )
    # And ListStateMachineAliases of a version lists the aliases routing to it
    of_first = sfn.list_state_machine_aliases(stateMachineArn=first)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in of_first] == [alias_arn]
    assert sfn.list_state_machine_aliases(stateMachineArn=second)["stateMachineAliases"] == []
    # And once the alias is deleted, so can the version be
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    missing = ("ResourceNotFound", "Request references a resource that does not exist.")
    assert _error(lambda: sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)) == missing
    assert _error(
        lambda: sfn.update_state_machine_alias(stateMachineAliasArn=alias_arn, description="x")
    ) == (missing)
    # And deleting it again succeeds, as on AWS
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    sfn.delete_state_machine_version(stateMachineVersionArn=first)
    versions = sfn.list_state_machine_versions(stateMachineArn=machine_arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [second]


def test_deleting_a_state_machine_removes_its_versions_and_aliases(sfn: Any, unique_name: Names) -> None:
    # Given a state machine with versions and an alias
    name = unique_name("Gone")
    machine_arn, first, _ = _machine_with_two_versions(sfn, name)
    alias_arn = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
    )["stateMachineAliasArn"]
    # When it is deleted
    sfn.delete_state_machine(stateMachineArn=machine_arn)
    # Then its versions and alias are gone too, and a new state machine of that name starts again at 1
    assert _error(lambda: sfn.describe_state_machine(stateMachineArn=first))[0] == "StateMachineDoesNotExist"
    assert (
        _error(lambda: sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn))[0]
        == "ResourceNotFound"
    )
    recreated = sfn.create_state_machine(
        name=name, definition=_returns("new"), roleArn=ROLE_ARN, publish=True
    )
    assert recreated["stateMachineVersionArn"] == f"{machine_arn}:1"
    assert sfn.list_state_machine_aliases(stateMachineArn=machine_arn)["stateMachineAliases"] == []


def test_operations_on_the_state_machine_refuse_a_version_arn(sfn: Any, unique_name: Names) -> None:
    _, first, _ = _machine_with_two_versions(sfn, unique_name("Qualified"))
    assert _error(lambda: sfn.update_state_machine(stateMachineArn=first, definition=_returns("x")))[0] == (
        "ValidationException"
    )
    assert _error(lambda: sfn.delete_state_machine(stateMachineArn=first))[0] == "ValidationException"
    assert (
        _error(lambda: sfn.delete_state_machine_version(stateMachineVersionArn=first + "x"))[0]
        == "InvalidArn"
    )


def test_versions_and_aliases_page(sfn: Any, unique_name: Names) -> None:
    # Given three versions and three aliases
    machine_arn, first, second = _machine_with_two_versions(sfn, unique_name("Pages"))
    sfn.update_state_machine(stateMachineArn=machine_arn, definition=_returns("v3"), publish=True)
    for name in ("a", "b", "c"):
        sfn.create_state_machine_alias(
            name=name, routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
        )
    # When they are listed one per page
    versions = _all_pages(
        sfn.list_state_machine_versions, "stateMachineVersions", stateMachineArn=machine_arn
    )
    aliases = _all_pages(sfn.list_state_machine_aliases, "stateMachineAliases", stateMachineArn=machine_arn)
    # Then each appears once, versions newest first
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{machine_arn}:3", second, first]
    assert sorted(a["stateMachineAliasArn"] for a in aliases) == [f"{machine_arn}:{name}" for name in "abc"]


def _all_pages(operation: Callable[..., Any], member: str, **arguments: Any) -> list[Any]:
    items: list[Any] = []
    page = operation(maxResults=1, **arguments)
    items += page[member]
    while "nextToken" in page:
        page = operation(maxResults=1, nextToken=page["nextToken"], **arguments)
        items += page[member]
    return items


def test_a_sync_execution_through_an_alias_runs_its_version(endpoint_url: str, unique_name: Names) -> None:
    sfn = make_client(endpoint_url, inject_host_prefix=False)  # boto3 would send it to host sync-127.0.0.1
    # Given an Express state machine whose alias routes to version 1, and a later unpublished change
    created = sfn.create_state_machine(
        name=unique_name("Express"), definition=_returns("v1"), roleArn=ROLE_ARN, type="EXPRESS", publish=True
    )
    sfn.update_state_machine(stateMachineArn=created["stateMachineArn"], definition=_returns("latest"))
    alias_arn = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[{"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}],
    )["stateMachineAliasArn"]
    # When it runs synchronously through the alias; Then version 1 answered
    finished = sfn.start_sync_execution(stateMachineArn=alias_arn)
    assert (finished["status"], json.loads(finished["output"])) == ("SUCCEEDED", "v1")


def test_versions_and_aliases_survive_a_crash_of_the_sfn_command(tmp_path: Path) -> None:
    # Given `python -m local sfn` with durable state, a machine with two versions and an alias on the first
    options = ("--clock", "virtual", "--state-dir", str(tmp_path / "state"))
    first = SfnProcess(*options, log_path=tmp_path / "first.log")
    sfn = make_client(first.start())
    try:
        machine_arn, version_1, version_2 = _machine_with_two_versions(sfn, "Durable")
        alias_arn = sfn.create_state_machine_alias(
            name="live", routingConfiguration=[{"stateMachineVersionArn": version_1, "weight": 100}]
        )["stateMachineAliasArn"]
    finally:
        # When the process is killed without warning and started again on the same state directory
        first.kill()
    with SfnProcess(*options, log_path=tmp_path / "second.log") as second:
        sfn = make_client(second.endpoint_url)
        versions = sfn.list_state_machine_versions(stateMachineArn=machine_arn)["stateMachineVersions"]
        routing = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)["routingConfiguration"]
        execution_arn = sfn.start_execution(stateMachineArn=alias_arn)["executionArn"]
        output = _output(sfn, execution_arn)
    # Then the versions and the alias are as they were, and the alias still runs version 1
    assert [v["stateMachineVersionArn"] for v in versions] == [version_2, version_1]
    assert routing == [{"stateMachineVersionArn": version_1, "weight": 100}]
    assert output == "v1"

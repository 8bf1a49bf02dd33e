"""State machine operations: create, describe, update, list, delete and validate definitions.

Create and update publish a version when asked (`publish`); describing a version ARN describes that version.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TypeVar

from local.engine import arns, jackson_errors, pagination, validation
from local.engine import definition as asl
from local.engine.api_tags import merge_tags
from local.engine.api_types import (
    CreateStateMachineOutput,
    DescribeStateMachineForExecutionOutput,
    DescribeStateMachineOutput,
    EmptyOutput,
    ListStateMachinesOutput,
    StateMachineListItem,
    UpdateStateMachineOutput,
    ValidateStateMachineDefinitionOutput,
    ValidationDiagnostic,
)
from local.engine.api_versions import VersionOperations, check_description
from local.engine.driver import definition_digest
from local.engine.errors import ApiError
from local.engine.json_nesting import exceeds_depth
from local.engine.store import ExecutionRecord, StateMachineRecord, VersionRecord
from local.engine.timestamps import from_epoch
from local.engine.variable_references import variable_references

Described = TypeVar("Described", DescribeStateMachineOutput, DescribeStateMachineForExecutionOutput)

MAX_DEFINITION_BYTES = 1_048_576  # AWS's limit, in UTF-8 bytes
DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}
NOT_A_JSON_OBJECT = "Definition must be a valid JSON object"
DEFAULT_ENCRYPTION = {"type": "AWS_OWNED_KEY"}  # the engine keeps no data encrypted with a customer's key


class StateMachineOperations(VersionOperations):
    """The operations on state machines."""

    def create_state_machine(
        self,
        name: str,
        definition: str,
        role_arn: str,
        *,
        type: str = "STANDARD",
        tags: list[dict[str, str]] | None = None,
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        publish: bool = False,
        version_description: str | None = None,
    ) -> CreateStateMachineOutput:
        """CreateStateMachine (and its first version, with `publish`)."""
        check_definition_size(definition)
        _check_version_description(publish, version_description)
        arns.check_name(name)
        arns.check_role_arn(role_arn)
        logging = shaped_logging(logging_configuration)
        if type not in ("STANDARD", "EXPRESS"):
            raise ApiError("ValidationException", f"Value '{type}' at 'type' failed to satisfy constraint")
        self._driver.definition(definition)
        if type == "EXPRESS":
            validation.raise_if_not_express(asl.load_json(definition))
        arn = arns.state_machine_arn(self.region, self.account_id, name)
        existing = self.store.get_state_machine(arn)
        if existing is not None:
            if existing.definition == definition and existing.role_arn == role_arn and existing.type == type:
                return self._created(existing, publish=publish, version_description=version_description)
            raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
        record = StateMachineRecord(
            arn=arn,
            name=name,
            type=type,
            definition=definition,
            role_arn=role_arn,
            creation_date=self._now_epoch(),
            logging_configuration=logging,
            tracing_configuration=tracing_configuration or dict(DEFAULT_TRACING),
        )
        self._driver.save_clock()  # the creation date must not be later than the saved clock
        self.store.put_definition(definition_digest(definition), definition)
        self.store.put_state_machine(record)
        if tags:
            merge_tags(self.store, arn, {}, tags)
        return self._created(record, publish=publish, version_description=version_description)

    def _created(
        self, record: StateMachineRecord, *, publish: bool, version_description: str | None
    ) -> CreateStateMachineOutput:
        """CreateStateMachine's answer for `record` (new, or the same one created again), published first
        when asked."""
        created: CreateStateMachineOutput = {
            "stateMachineArn": record.arn,
            "creationDate": from_epoch(record.creation_date),
        }
        if publish:
            created["stateMachineVersionArn"] = self._publish(record, version_description).arn
        return created

    def describe_state_machine(self, state_machine_arn: str) -> DescribeStateMachineOutput:
        """DescribeStateMachine (of a version, given a version ARN)."""
        parsed = self._qualified(state_machine_arn)
        if parsed.version is not None:
            version = self._version(parsed.arn)
            return _describe_version(self._machine_named(parsed.state_machine_arn), version)
        record = self._machine(state_machine_arn)
        described: DescribeStateMachineOutput = {
            "stateMachineArn": record.arn,
            "name": record.name,
            "status": record.status,
            "definition": record.definition,
            "roleArn": record.role_arn,
            "type": record.type,
            "creationDate": from_epoch(record.creation_date),
            "loggingConfiguration": record.logging_configuration,
            "tracingConfiguration": record.tracing_configuration,
            "encryptionConfiguration": dict(DEFAULT_ENCRYPTION),
        }
        return _with_revision_and_description(described, record.revision_id, record.description)

    def update_state_machine(
        self,
        state_machine_arn: str,
        definition: str | None = None,
        role_arn: str | None = None,
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        *,
        publish: bool = False,
        version_description: str | None = None,
    ) -> UpdateStateMachineOutput:
        """UpdateStateMachine (running executions keep the definition they started with); with `publish`,
        the updated state machine is published as a version."""
        if definition is not None:
            check_definition_size(definition)
        _check_version_description(publish, version_description)
        if logging_configuration is not None:
            logging_configuration = shaped_logging(logging_configuration)
        with self._catalog_lock:
            return self._update(
                self._machine(state_machine_arn),
                definition=definition,
                role_arn=role_arn,
                logging_configuration=logging_configuration,
                tracing_configuration=tracing_configuration,
                publish=publish,
                version_description=version_description,
            )

    def _update(
        self,
        record: StateMachineRecord,
        *,
        definition: str | None,
        role_arn: str | None,
        logging_configuration: dict[str, Any] | None,
        tracing_configuration: dict[str, Any] | None,
        publish: bool,
        version_description: str | None,
    ) -> UpdateStateMachineOutput:
        if (
            definition is None
            and role_arn is None
            and logging_configuration is None
            and tracing_configuration is None
        ):
            raise ApiError(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, "
                "or the TracingConfiguration must be specified",
            )
        before = _revision_contents(record)
        if definition is not None:
            self._driver.definition(definition)
            if record.type == "EXPRESS":
                validation.raise_if_not_express(asl.load_json(definition))
            self.store.put_definition(definition_digest(definition), definition)
            record.definition = definition
        if role_arn is not None:
            arns.check_role_arn(role_arn)
            record.role_arn = role_arn
        if logging_configuration is not None:
            record.logging_configuration = logging_configuration
        if tracing_configuration is not None:
            record.tracing_configuration = tracing_configuration
        record.update_date = self._now_epoch()
        if _revision_contents(record) != before:  # an update that changes nothing makes no revision
            record.revision_id = str(uuid.uuid4())
        self._driver.save_clock()
        self.store.put_state_machine(record)
        response: UpdateStateMachineOutput = {"updateDate": from_epoch(record.update_date)}
        if record.revision_id:
            response["revisionId"] = record.revision_id
        if publish:
            response["stateMachineVersionArn"] = self._publish(record, version_description).arn
        return response

    def list_state_machines(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> ListStateMachinesOutput:
        """ListStateMachines."""
        machines = sorted(self.store.list_state_machine_entries(), key=_creation_order)
        page, token = pagination.page(
            machines, _creation_order, max_results, next_token, scope="state-machines"
        )
        items: list[StateMachineListItem] = [
            {
                "stateMachineArn": r.arn,
                "name": r.name,
                "type": r.type,
                "creationDate": from_epoch(r.creation_date),
            }
            for _, r in page
        ]
        response: ListStateMachinesOutput = {"stateMachines": items}
        if token is not None:
            response["nextToken"] = token
        return response

    def delete_state_machine(self, state_machine_arn: str) -> EmptyOutput:
        """DeleteStateMachine with its versions and aliases (idempotent; running executions continue)."""
        if self._qualified(state_machine_arn).is_qualified:
            raise ApiError(
                "ValidationException",
                f"Invalid Arn: 'A qualified state machine ARN is not allowed here: {state_machine_arn}'",
            )
        parsed = arns.parse_state_machine_arn(state_machine_arn)
        with self._catalog_lock:
            self.store.delete_state_machine(parsed.arn)
        return {}

    def validate_state_machine_definition(
        self, definition: str, type: str | None = None
    ) -> ValidateStateMachineDefinitionOutput:
        """ValidateStateMachineDefinition."""
        check_definition_size(definition)
        try:
            raw = asl.load_json(definition)
        except ApiError as exc:
            return {"result": "FAIL", "diagnostics": [_not_json(definition, exc)], "truncated": False}
        problems = validation.validate_definition(raw, mocked=self._driver.dispatcher.mock_config is not None)
        if type == "EXPRESS":
            problems += validation.express_problems(raw)
        diagnostics: list[ValidationDiagnostic] = [
            {"severity": "ERROR", "code": p.kind, "message": p.message, "location": p.location}
            for p in problems
        ]
        return {"result": "FAIL" if problems else "OK", "diagnostics": diagnostics, "truncated": False}

    def describe_state_machine_for_execution(
        self, execution_arn: str
    ) -> DescribeStateMachineForExecutionOutput:
        """DescribeStateMachineForExecution."""
        record = self._execution(execution_arn)
        machine = self.store.get_state_machine(record.state_machine_arn)
        definition = self.store.get_definition(record.definition_hash) or ""
        if machine is None:  # deleted since, or a Map Run's child: the execution still knows what it ran
            described: DescribeStateMachineForExecutionOutput = {
                "stateMachineArn": record.state_machine_arn,
                "name": record.state_machine_arn.split(":")[-1],
                "definition": definition,
                "roleArn": record.role_arn,
                "updateDate": from_epoch(record.start_date),
                "loggingConfiguration": dict(DEFAULT_LOGGING),
                "tracingConfiguration": dict(DEFAULT_TRACING),
                "encryptionConfiguration": dict(DEFAULT_ENCRYPTION),
            }
            if record.map_run_arn is not None:
                described["mapRunArn"] = record.map_run_arn
                described["label"] = record.state_machine_arn.rsplit("/", 1)[-1]
            return _with_variable_references(described, definition)
        current: DescribeStateMachineForExecutionOutput = {
            "stateMachineArn": record.state_machine_arn,
            "name": record.state_machine_arn.split(":")[-1],
            "definition": definition,
            "roleArn": record.role_arn,
            "updateDate": from_epoch(machine.update_date or machine.creation_date),
            "loggingConfiguration": machine.logging_configuration,
            "tracingConfiguration": machine.tracing_configuration,
            "encryptionConfiguration": dict(DEFAULT_ENCRYPTION),
        }
        revision_id = self._revision_run_by(record, machine)
        if revision_id:
            current["revisionId"] = revision_id
        return _with_variable_references(current, definition)

    def _revision_run_by(self, execution: ExecutionRecord, machine: StateMachineRecord) -> str:
        """The revision an execution runs: its version's, or the machine's if it still holds what the
        execution runs ("" when that has no revision, or the machine was updated since)."""
        if execution.state_machine_version_arn is not None:
            version = self.store.get_version(execution.state_machine_version_arn)
            return version.revision_id if version is not None else ""
        unchanged = (
            execution.definition_hash == definition_digest(machine.definition)
            and execution.role_arn == machine.role_arn
        )
        return machine.revision_id if unchanged else ""


def _not_json(definition: str, refusal: ApiError) -> ValidationDiagnostic:
    """ValidateStateMachineDefinition's finding on a definition that is no JSON object, as AWS answers:
    Jackson's words and location for a text that is no JSON, "must be a valid JSON object" for one that is
    empty or another JSON value (`refusal`'s words for a mistake Jackson's are not modelled for)."""
    jackson = jackson_errors.describe(definition)
    if jackson is not None:
        return {
            "severity": "ERROR",
            "code": "INVALID_JSON_DESCRIPTION",
            "message": jackson.located_message,
            "location": jackson.location,
        }
    if definition.strip() and (exceeds_depth(definition) or not _is_json(definition)):
        return {"severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": refusal.message}
    return {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": NOT_A_JSON_OBJECT}


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _creation_order(entry: tuple[int, StateMachineRecord]) -> tuple[float, int]:
    """Oldest first: by creation date, then by the order the store took them in (unique, never changes)."""
    sequence, record = entry
    return (record.creation_date, sequence)


def _check_version_description(publish: bool, version_description: str | None) -> None:
    check_description(version_description, "versionDescription")
    if version_description is not None and not publish:
        raise ApiError("ValidationException", "Version description can only be set when publish is true")


def _describe_version(machine: StateMachineRecord, version: VersionRecord) -> DescribeStateMachineOutput:
    described: DescribeStateMachineOutput = {
        "stateMachineArn": version.arn,
        "name": machine.name,
        "status": machine.status,
        "definition": version.definition,
        "roleArn": version.role_arn,
        "type": machine.type,
        "creationDate": from_epoch(version.creation_date),
        "loggingConfiguration": version.logging_configuration,
        "tracingConfiguration": version.tracing_configuration,
        "encryptionConfiguration": dict(DEFAULT_ENCRYPTION),
    }
    return _with_revision_and_description(described, version.revision_id, version.description)


def _with_revision_and_description(
    described: DescribeStateMachineOutput, revision_id: str, description: str
) -> DescribeStateMachineOutput:
    """As AWS answers: no revisionId before the first update that changed something, no empty description."""
    if revision_id:
        described["revisionId"] = revision_id
    if description:
        described["description"] = description
    return _with_variable_references(described, described["definition"])


def _with_variable_references(described: Described, definition: str) -> Described:
    """As AWS answers: the variables each state reads, when any state reads one."""
    references = variable_references(json.loads(definition)) if definition else {}
    if references:
        described["variableReferences"] = references
    return described


def _revision_contents(record: StateMachineRecord) -> tuple[object, ...]:
    """What an update must change to make a new revision."""
    return (record.definition, record.role_arn, record.logging_configuration, record.tracing_configuration)


def shaped_logging(given: dict[str, Any] | None) -> dict[str, Any]:
    """A logging configuration as AWS keeps it: level OFF and no execution data unless given, destinations
    as given; InvalidLoggingConfiguration unless a level other than OFF has exactly one destination."""
    if given is None:
        return dict(DEFAULT_LOGGING)
    shaped = {**DEFAULT_LOGGING, **given}
    destinations = shaped.get("destinations") or []
    if len(destinations) > 1 or (shaped["level"] != "OFF" and len(destinations) != 1):
        raise ApiError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    return shaped


def check_definition_size(definition: str) -> None:
    """Refuse a definition over AWS's limit before anything parses or stores it."""
    if len(definition.encode()) > MAX_DEFINITION_BYTES:
        raise ApiError(
            "ValidationException",
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DEFINITION_BYTES}",
        )

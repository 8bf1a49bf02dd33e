"""State machine versions: publish (also through Create/UpdateStateMachine's `publish`), list and delete.

A version is an immutable, numbered snapshot of a state machine's definition and configuration. Numbers
start at 1 and are never given twice for a state machine, even after a version is deleted. Publishing a
revision that the latest version already holds returns that version, as AWS does.
"""

from __future__ import annotations

from local.engine import pagination, qualified_arns
from local.engine.api_base import ApiBase
from local.engine.api_types import (
    EmptyOutput,
    ListStateMachineVersionsOutput,
    PublishStateMachineVersionOutput,
    StateMachineVersionListItem,
)
from local.engine.errors import ApiError
from local.engine.store import StateMachineRecord, VersionRecord
from local.engine.timestamps import from_epoch

MAX_VERSIONS = 1000  # per state machine, AWS's quota
MAX_DESCRIPTION = 256
INITIAL_REVISION = "INITIAL"  # the revisionId that matches a state machine never updated


class VersionOperations(ApiBase):
    """The operations on state machine versions."""

    def publish_state_machine_version(
        self, state_machine_arn: str, revision_id: str | None = None, description: str | None = None
    ) -> PublishStateMachineVersionOutput:
        """PublishStateMachineVersion (idempotent for a revision already published as the latest version)."""
        check_description(description, "description")
        with self._catalog_lock:
            machine = self._machine(state_machine_arn)
            if revision_id is not None and not _is_current_revision(machine, revision_id):
                raise ApiError(
                    "ConflictException",
                    f"Failed to publish the State Machine version for revision {revision_id}. "
                    f"The current State Machine revision is {machine.revision_id}.",
                )
            version = self._publish(machine, description)
        return {"creationDate": from_epoch(version.creation_date), "stateMachineVersionArn": version.arn}

    def list_state_machine_versions(
        self, state_machine_arn: str, next_token: str | None = None, max_results: int | None = None
    ) -> ListStateMachineVersionsOutput:
        """ListStateMachineVersions: newest first."""
        machine = self._machine(state_machine_arn)
        versions = self.store.list_versions(machine.arn)
        page, token = pagination.page(
            versions,
            lambda v: (v.number,),
            max_results,
            next_token,
            scope=f"versions:{machine.arn}",
            descending=True,
        )
        items: list[StateMachineVersionListItem] = [
            {"stateMachineVersionArn": v.arn, "creationDate": from_epoch(v.creation_date)} for v in page
        ]
        response: ListStateMachineVersionsOutput = {"stateMachineVersions": items}
        if token is not None:
            response["nextToken"] = token
        return response

    def delete_state_machine_version(self, state_machine_version_arn: str) -> EmptyOutput:
        """DeleteStateMachineVersion (idempotent; refused while an alias routes to the version; executions
        running it continue)."""
        parsed = qualified_arns.parse_version(state_machine_version_arn)
        with self._catalog_lock:
            referencing = [
                alias.name
                for alias in self.store.list_aliases(parsed.state_machine_arn)
                if any(route["stateMachineVersionArn"] == parsed.arn for route in alias.routing_configuration)
            ]
            if referencing:
                raise ApiError(
                    "ConflictException",
                    "Version to be deleted must not be referenced by an alias. "
                    f"Current list of aliases referencing this version: [{', '.join(referencing)}]",
                )
            self.store.delete_version(parsed.arn)
        return {}

    def _publish(self, machine: StateMachineRecord, description: str | None) -> VersionRecord:
        """A new version of `machine` as it stands, or its latest version if that holds the same revision."""
        with self._catalog_lock:
            versions = self.store.list_versions(machine.arn)
            if versions and _same_revision(versions[0], machine):
                return versions[0]
            if len(versions) >= MAX_VERSIONS:
                raise ApiError(
                    "ServiceQuotaExceededException",
                    f"A state machine can have at most {MAX_VERSIONS} versions: delete unused versions first",
                )
            number = max(machine.latest_version_number, versions[0].number if versions else 0) + 1
            self._driver.save_clock()  # the creation date must not be later than the saved clock
            version = VersionRecord(
                arn=qualified_arns.version_arn(machine.arn, number),
                state_machine_arn=machine.arn,
                number=number,
                definition=machine.definition,
                role_arn=machine.role_arn,
                creation_date=self._now_epoch(),
                revision_id=machine.revision_id,
                description=description or "",
                logging_configuration=dict(machine.logging_configuration),
                tracing_configuration=dict(machine.tracing_configuration),
            )
            self.store.put_version(version)
            machine.latest_version_number = number
            self.store.put_state_machine(machine)
        return version


def check_description(description: str | None, member: str) -> None:
    """Refuse a version or alias description longer than AWS's limit."""
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DESCRIPTION}",
        )


def _is_current_revision(machine: StateMachineRecord, revision_id: str) -> bool:
    if revision_id == INITIAL_REVISION:
        return not machine.revision_id
    return revision_id == machine.revision_id


def _same_revision(version: VersionRecord, machine: StateMachineRecord) -> bool:
    """Whether publishing `machine` now would snapshot what `version` already holds."""
    return version.revision_id == machine.revision_id or (
        version.definition == machine.definition
        and version.role_arn == machine.role_arn
        and version.logging_configuration == machine.logging_configuration
        and version.tracing_configuration == machine.tracing_configuration
    )

"""The vocabulary of the state machine catalog: what a state machine needs, said without CDK or boto3.

A declaration names resources, functions, permissions and values abstractly. The CDK constructs
(``workflows/``) and the local runtime (``local/``) each decide what a reference becomes in their world:
a CloudFormation token in one, a local endpoint or an in-process object in the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")
"""A definition substitution in an ASL file, as CloudFormation's DefinitionSubstitutions expects it."""

_Item = TypeVar("_Item")


class CatalogError(ValueError):
    """A declaration is inconsistent, or a value does not fit the declaration."""


# --- Resources a workflow owns ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Queue:
    """A message queue the workflow owns."""

    logical_id: str
    purpose: str
    dead_letter: bool = False
    """True when the queue is where failed work ends up (nothing consumes it automatically)."""


@dataclass(frozen=True, kw_only=True)
class Topic:
    """A notification topic the workflow owns."""

    logical_id: str
    purpose: str


@dataclass(frozen=True, kw_only=True)
class Table:
    """A key-value table the workflow owns (string partition key)."""

    logical_id: str
    purpose: str
    partition_key: str
    time_to_live_attribute: str | None = None
    change_stream: bool = False
    """True when the table publishes every item change, with the old and the new item, to a stream."""
    customer_managed_key: bool = False
    """True when the workflow's customer-managed key encrypts the table (its use is audited and revocable)."""


@dataclass(frozen=True, kw_only=True)
class Secret:
    """A secret the workflow owns; an operator stores its value after the first deployment."""

    logical_id: str
    purpose: str


@dataclass(frozen=True, kw_only=True)
class Database:
    """A relational database the workflow owns: PostgreSQL in AWS, SQLite locally.

    Functions that connect to it read ``<settings_prefix>DB_HOST``, ``DB_PORT``, ``DB_NAME``, ``DB_USER``
    and ``DB_CA_BUNDLE`` in AWS, where they authenticate as ``application_user`` with IAM tokens, and
    ``<settings_prefix>DATABASE_URL`` locally. Its schema comes from migrations run on every deployment.
    """

    logical_id: str
    purpose: str
    database_name: str
    application_user: str
    settings_prefix: str


@dataclass(frozen=True, kw_only=True)
class Setting:
    """A value each deployment must supply (no default fits every deployment), such as an e-mail address."""

    name: str
    description: str


# --- Values: what a definition substitution or an environment variable stands for ----------------


@dataclass(frozen=True)
class FunctionArn:
    """The ARN of a function declared in the same state machine entry."""

    function: str


@dataclass(frozen=True)
class QueueUrl:
    """The URL of a queue declared in the same state machine entry."""

    queue: str


@dataclass(frozen=True)
class TopicArn:
    """The ARN of a topic declared in the same state machine entry."""

    topic: str


@dataclass(frozen=True)
class TableName:
    """The name of a table declared in the same state machine entry."""

    table: str


@dataclass(frozen=True)
class StateMachineArn:
    """The ARN of the state machine this entry declares."""


@dataclass(frozen=True)
class TargetFunctions:
    """JSON object mapping each configured target name to its function ARN."""


@dataclass(frozen=True)
class DefaultTarget:
    """The name of the target used when a request names none."""


@dataclass(frozen=True)
class TunableValue:
    """The configured value of a tunable of the same entry (its default unless overridden)."""

    tunable: str


@dataclass(frozen=True)
class Constant:
    """A fixed text."""

    value: str


@dataclass(frozen=True)
class SecretArn:
    """The ARN of a secret declared in the same state machine entry."""

    secret: str


@dataclass(frozen=True)
class SettingValue:
    """The value a deployment supplies for a setting declared in the same entry."""

    setting: str


Value = (
    FunctionArn
    | QueueUrl
    | TopicArn
    | TableName
    | StateMachineArn
    | TargetFunctions
    | DefaultTarget
    | TunableValue
    | Constant
    | SecretArn
    | SettingValue
)


# --- Permissions, said as intentions rather than IAM actions ---------------------------------------


class ExecutionAction(StrEnum):
    """What a function may do with executions of the state machine it belongs to."""

    START = "start"
    DESCRIBE = "describe"
    STOP = "stop"
    READ_HISTORY = "read-history"


@dataclass(frozen=True)
class ControlExecutions:
    """Act on executions of this entry's state machine, and of no other."""

    actions: frozenset[ExecutionAction]


@dataclass(frozen=True)
class ReadWriteItems:
    """Get, put, update and delete single items of a declared table."""

    table: str


@dataclass(frozen=True)
class SendMessages:
    """Send messages to a declared queue (encrypting them with its key)."""

    queue: str


@dataclass(frozen=True)
class PublishMessages:
    """Publish to a declared topic (encrypting with its key)."""

    topic: str


@dataclass(frozen=True)
class InvokeFunction:
    """Invoke a declared function."""

    function: str


@dataclass(frozen=True)
class InvokeTargets:
    """Invoke exactly the functions of the configured target registry."""


@dataclass(frozen=True)
class ReadSecret:
    """Read the value of a declared secret (decrypting it with its key)."""

    secret: str


@dataclass(frozen=True)
class ConnectToDatabase:
    """Open connections to a declared database as its application user.

    Implies the network path to the database and the connection settings in the environment.
    """

    database: str


@dataclass(frozen=True)
class SendEmail:
    """Send e-mail from the sender identity the deployment configures, and from no other."""


Permission = (
    ControlExecutions
    | ReadWriteItems
    | SendMessages
    | PublishMessages
    | InvokeFunction
    | InvokeTargets
    | ReadSecret
    | ConnectToDatabase
    | SendEmail
)


# --- Tunables, functions, API, targets ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Tunable:
    """A value an operator may change without editing code; its default works out of the box."""

    name: str
    default: int | str
    description: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    def validate(self, value: object) -> int | str:
        """Return ``value`` if it fits this tunable, else raise ``CatalogError``."""
        if isinstance(self.default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise CatalogError(f"tunable {self.name} must be an integer, got {value!r}")
            if self.minimum is not None and value < self.minimum:
                raise CatalogError(f"tunable {self.name} must be >= {self.minimum}, got {value}")
            if self.maximum is not None and value > self.maximum:
                raise CatalogError(f"tunable {self.name} must be <= {self.maximum}, got {value}")
            return value
        if not isinstance(value, str):
            raise CatalogError(f"tunable {self.name} must be a string, got {value!r}")
        if self.choices and value not in self.choices:
            raise CatalogError(f"tunable {self.name} must be one of {', '.join(self.choices)}, got {value!r}")
        return value


@dataclass(frozen=True, kw_only=True)
class Function:
    """A Lambda function behind a state machine: its code entry point, environment and permissions."""

    logical_id: str
    description: str
    handler: str
    environment: Mapping[str, Value]
    permissions: tuple[Permission, ...] = ()
    timeout_seconds: int = 30
    memory_mb: int = 256
    reserved_concurrency: TunableValue | None = None
    """At most this many concurrent invocations (for example, to bound database connections)."""

    @property
    def databases(self) -> tuple[str, ...]:
        """The declared databases this function connects to."""
        return tuple(
            permission.database
            for permission in self.permissions
            if isinstance(permission, ConnectToDatabase)
        )

    @property
    def module(self) -> str:
        """The importable module of the handler, e.g. ``functions.x.handler``."""
        return self.handler.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        """The handler's callable name inside ``module``."""
        return self.handler.rpartition(".")[2]


@dataclass(frozen=True)
class Route:
    """One HTTP method on one path of an API served by a function."""

    method: str
    path: str


@dataclass(frozen=True, kw_only=True)
class Api:
    """An HTTP API whose every route is served by one function."""

    function: str
    routes: tuple[Route, ...]


@dataclass(frozen=True, kw_only=True)
class Targets:
    """The machine invokes a function chosen per execution from a registry of named targets.

    ``bundled`` is the registry an operator gets without configuring anything: target name -> logical
    id of a function declared in the same entry.
    """

    bundled: Mapping[str, str]
    default: str


@dataclass(frozen=True, kw_only=True)
class StreamSource:
    """A function consumes a declared table's change stream: only the records a filter pattern matches.

    Records are retried (the batch split in half on each failure) until they succeed, are retried
    ``maximum_retry_attempts`` times or are older than ``maximum_record_age_seconds``; then a note of the
    failed batch goes to ``failure_queue``.
    """

    table: str
    function: str
    filter_patterns: tuple[Mapping[str, Any], ...]
    failure_queue: str
    batch_size: int = 10
    maximum_retry_attempts: int = 10
    maximum_record_age_seconds: int = 3_600


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A function receives every message published to a declared topic.

    A message that cannot be delivered, or whose every attempt failed, ends up in ``failure_queue``.
    """

    topic: str
    function: str
    failure_queue: str


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """A function invoked at a fixed rate, every ``every_minutes`` (a tunable of the entry)."""

    function: str
    every_minutes: TunableValue


@dataclass(frozen=True, kw_only=True)
class Substitution:
    """A ``${Name}`` in the ASL file and what it stands for."""

    name: str
    value: FunctionArn | QueueUrl | TopicArn | TunableValue
    description: str


# --- The entry ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StateMachine:
    """One state machine: its ASL file, substitutions, and everything it needs to run."""

    name: str
    description: str
    asl_file: Path
    substitutions: tuple[Substitution, ...]
    functions: tuple[Function, ...] = ()
    tunables: tuple[Tunable, ...] = ()
    queues: tuple[Queue, ...] = ()
    topics: tuple[Topic, ...] = ()
    tables: tuple[Table, ...] = ()
    permissions: tuple[Permission, ...] = ()
    """What the state machine itself may do (its execution role)."""
    targets: Targets | None = None
    api: Api | None = None
    secrets: tuple[Secret, ...] = ()
    databases: tuple[Database, ...] = ()
    settings: tuple[Setting, ...] = ()
    stream_sources: tuple[StreamSource, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    alarm_topic: str | None = None
    """The declared topic alarms notify: failed or timed-out executions, messages in dead-letter queues."""
    requirements: Path | None = None
    """Pinned third-party packages the functions import beyond the Lambda runtime and Powertools."""

    def definition_text(self) -> str:
        """The ASL file as written, with its ``${...}`` placeholders."""
        return self.asl_file.read_text(encoding="utf-8")

    def placeholders(self) -> frozenset[str]:
        """Every ``${Name}`` used in the ASL file."""
        return frozenset(PLACEHOLDER.findall(self.definition_text()))

    def render(self, values: Mapping[str, str | int]) -> str:
        """The ASL text with every placeholder replaced by ``values[name]``.

        Raises ``CatalogError`` unless ``values`` has exactly one value per declared substitution.

        Example:
            ``SCHEDULED_REQUEST.render(SCHEDULED_REQUEST.substitution_values(resolve))``, where
            ``resolve`` turns each declared value (a queue URL, a tunable...) into text.
        """
        declared = {substitution.name for substitution in self.substitutions}
        if missing := declared - values.keys():
            raise CatalogError(f"{self.name}: no value for substitution(s) {', '.join(sorted(missing))}")
        if unknown := values.keys() - declared:
            raise CatalogError(f"{self.name}: unknown substitution(s) {', '.join(sorted(unknown))}")
        # Values land inside JSON strings; escape them so any text keeps the document valid JSON.
        return PLACEHOLDER.sub(
            lambda match: json.dumps(str(values[match.group(1)]))[1:-1], self.definition_text()
        )

    def render_definition(self, values: Mapping[str, str | int]) -> dict[str, Any]:
        """``render`` parsed into a dictionary."""
        definition: dict[str, Any] = json.loads(self.render(values))
        return definition

    def substitution_values(self, resolve: Callable[[Value], str]) -> dict[str, str]:
        """Map each substitution name to what ``resolve`` makes of its declared value."""
        return {substitution.name: resolve(substitution.value) for substitution in self.substitutions}

    def function(self, logical_id: str) -> Function:
        """The declared function with this logical id."""
        return _find(self.functions, "logical_id", logical_id, f"{self.name}: function")

    def tunable(self, name: str) -> Tunable:
        """The declared tunable with this name."""
        return _find(self.tunables, "name", name, f"{self.name}: tunable")

    def database(self, logical_id: str) -> Database:
        """The declared database with this logical id."""
        return _find(self.databases, "logical_id", logical_id, f"{self.name}: database")

    def tunable_values(self, overrides: Mapping[str, object] | None = None) -> dict[str, int | str]:
        """Every tunable's value: its default, or the validated override."""
        overrides = overrides or {}
        declared = {tunable.name for tunable in self.tunables}
        if unknown := overrides.keys() - declared:
            raise CatalogError(f"{self.name}: unknown tunable(s) {', '.join(sorted(unknown))}")
        return {
            tunable.name: tunable.validate(overrides[tunable.name])
            if tunable.name in overrides
            else tunable.default
            for tunable in self.tunables
        }

    def reference_problems(self) -> list[str]:
        """Every reference in this entry that points at nothing it declares (empty when consistent)."""
        known = _KnownNames.of(self)
        problems = [
            f"substitution {substitution.name}: {problem}"
            for substitution in self.substitutions
            for problem in known.problems(substitution.value)
        ]
        for function in self.functions:
            problems += [
                f"function {function.logical_id} env {name}: {problem}"
                for name, value in function.environment.items()
                for problem in known.problems(value)
            ]
            problems += [
                f"function {function.logical_id}: {problem}"
                for permission in function.permissions
                for problem in known.problems(permission)
            ]
        problems += [
            f"state machine: {problem}"
            for permission in self.permissions
            for problem in known.problems(permission)
        ]
        if self.targets is not None:
            problems += [
                f"target {name}: unknown function {logical_id}"
                for name, logical_id in self.targets.bundled.items()
                if logical_id not in known.functions
            ]
            if self.targets.default not in self.targets.bundled:
                problems.append(f"default target {self.targets.default} is not a bundled target")
        if self.api is not None and self.api.function not in known.functions:
            problems.append(f"api: unknown function {self.api.function}")
        problems += [
            f"{what}: {problem}"
            for what, references in self._wiring_references()
            for problem in known.problems_with(references)
        ]
        return problems

    def _wiring_references(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(description, [(kind, name)]) for every stream source, subscription, schedule and alarm topic."""
        wiring: list[tuple[str, list[tuple[str, str]]]] = [
            (
                f"stream source {source.table}",
                [("table", source.table), ("function", source.function), ("queue", source.failure_queue)],
            )
            for source in self.stream_sources
        ]
        wiring += [
            (
                f"subscription {subscription.topic}",
                [
                    ("topic", subscription.topic),
                    ("function", subscription.function),
                    ("queue", subscription.failure_queue),
                ],
            )
            for subscription in self.subscriptions
        ]
        wiring += [
            (
                f"schedule {schedule.function}",
                [("function", schedule.function), ("tunable", schedule.every_minutes.tunable)],
            )
            for schedule in self.schedules
        ]
        wiring += [
            (f"function {function.logical_id} reserved concurrency", [("tunable", reserved.tunable)])
            for function in self.functions
            if (reserved := function.reserved_concurrency) is not None
        ]
        if self.alarm_topic is not None:
            wiring.append(("alarm topic", [("topic", self.alarm_topic)]))
        return wiring


def _find(items: tuple[_Item, ...], attribute: str, key: str, what: str) -> _Item:
    for item in items:
        if getattr(item, attribute) == key:
            return item
    raise CatalogError(f"{what} {key} is not declared")


# The kind of declaration each reference points at; the field holding the name is named after the kind.
_REFERENCE_KINDS: Mapping[type, str] = {
    FunctionArn: "function",
    InvokeFunction: "function",
    QueueUrl: "queue",
    SendMessages: "queue",
    TopicArn: "topic",
    PublishMessages: "topic",
    TableName: "table",
    ReadWriteItems: "table",
    TunableValue: "tunable",
    SecretArn: "secret",
    ReadSecret: "secret",
    ConnectToDatabase: "database",
    SettingValue: "setting",
}
_TARGET_REFERENCES = (TargetFunctions, DefaultTarget, InvokeTargets)


def _reference(item: Value | Permission) -> tuple[str, str] | None:
    """The (kind, name) a value or permission points at inside its entry, if any."""
    if isinstance(item, _TARGET_REFERENCES):
        return "targets", "registry"
    kind = _REFERENCE_KINDS.get(type(item))
    return None if kind is None else (kind, getattr(item, kind))


@dataclass(frozen=True)
class _KnownNames:
    names: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, machine: StateMachine) -> _KnownNames:
        return cls(
            {
                "function": frozenset(function.logical_id for function in machine.functions),
                "queue": frozenset(queue.logical_id for queue in machine.queues),
                "topic": frozenset(topic.logical_id for topic in machine.topics),
                "table": frozenset(table.logical_id for table in machine.tables),
                "tunable": frozenset(tunable.name for tunable in machine.tunables),
                "targets": frozenset({"registry"} if machine.targets is not None else ()),
                "secret": frozenset(secret.logical_id for secret in machine.secrets),
                "database": frozenset(database.logical_id for database in machine.databases),
                "setting": frozenset(setting.name for setting in machine.settings),
            }
        )

    @property
    def functions(self) -> frozenset[str]:
        return self.names["function"]

    def problems(self, item: Value | Permission) -> list[str]:
        reference = _reference(item)
        if reference is None or reference[1] in self.names[reference[0]]:
            return []
        kind, name = reference
        return [f"unknown {kind} {name}" if kind != "targets" else "the state machine declares no targets"]

    def problems_with(self, references: list[tuple[str, str]]) -> list[str]:
        return [f"unknown {kind} {name}" for kind, name in references if name not in self.names[kind]]

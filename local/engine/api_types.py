"""What the Engine's API methods return: AWS's Step Functions response shapes as TypedDicts.

Keys are AWS's member names, timestamps are timezone-aware UTC datetimes (as boto3 returns them), and a
member AWS leaves out of a response when it has no value is `NotRequired` here. Configuration documents
the engine stores without interpreting (logging, tracing) stay plain JSON objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict

JsonObject = dict[str, Any]

HistoryEvent = dict[str, Any]
"""One event of GetExecutionHistory: `id`, `previousEventId`, `timestamp`, `type` and the one
`<type>EventDetails` member its type has (e.g. `taskScheduledEventDetails`), as AWS names them."""


class EmptyOutput(TypedDict):
    """The answer of an operation AWS answers with an empty object (DeleteStateMachine, TagResource, ...)."""


class CreateStateMachineOutput(TypedDict):
    """CreateStateMachine."""

    stateMachineArn: str
    creationDate: datetime
    stateMachineVersionArn: NotRequired[str]


class DescribeStateMachineOutput(TypedDict):
    """DescribeStateMachine."""

    stateMachineArn: str
    name: str
    status: str
    definition: str
    roleArn: str
    type: str
    creationDate: datetime
    loggingConfiguration: JsonObject
    tracingConfiguration: JsonObject
    encryptionConfiguration: JsonObject
    revisionId: NotRequired[str]  # none before the first update that changed something
    description: NotRequired[str]
    variableReferences: NotRequired[dict[str, list[str]]]  # by state, the variables it reads


class UpdateStateMachineOutput(TypedDict):
    """UpdateStateMachine."""

    updateDate: datetime
    revisionId: NotRequired[str]
    stateMachineVersionArn: NotRequired[str]


class StateMachineListItem(TypedDict):
    """One state machine in ListStateMachines."""

    stateMachineArn: str
    name: str
    type: str
    creationDate: datetime


class ListStateMachinesOutput(TypedDict):
    """ListStateMachines."""

    stateMachines: list[StateMachineListItem]
    nextToken: NotRequired[str]


class PublishStateMachineVersionOutput(TypedDict):
    """PublishStateMachineVersion."""

    creationDate: datetime
    stateMachineVersionArn: str


class StateMachineVersionListItem(TypedDict):
    """One version in ListStateMachineVersions."""

    stateMachineVersionArn: str
    creationDate: datetime


class ListStateMachineVersionsOutput(TypedDict):
    """ListStateMachineVersions."""

    stateMachineVersions: list[StateMachineVersionListItem]
    nextToken: NotRequired[str]


class RoutingConfigurationListItem(TypedDict):
    """One version an alias routes to, with the percentage of executions it gets."""

    stateMachineVersionArn: str
    weight: int


class CreateStateMachineAliasOutput(TypedDict):
    """CreateStateMachineAlias."""

    stateMachineAliasArn: str
    creationDate: datetime


class DescribeStateMachineAliasOutput(TypedDict):
    """DescribeStateMachineAlias."""

    stateMachineAliasArn: str
    name: str
    routingConfiguration: list[RoutingConfigurationListItem]
    creationDate: datetime
    description: NotRequired[str]
    updateDate: NotRequired[datetime]


class UpdateStateMachineAliasOutput(TypedDict):
    """UpdateStateMachineAlias."""

    updateDate: datetime


class StateMachineAliasListItem(TypedDict):
    """One alias in ListStateMachineAliases."""

    stateMachineAliasArn: str
    creationDate: datetime


class ListStateMachineAliasesOutput(TypedDict):
    """ListStateMachineAliases."""

    stateMachineAliases: list[StateMachineAliasListItem]
    nextToken: NotRequired[str]


class ValidationDiagnostic(TypedDict):
    """One finding of ValidateStateMachineDefinition."""

    severity: str
    code: str
    message: str
    location: NotRequired[str]


class ValidateStateMachineDefinitionOutput(TypedDict):
    """ValidateStateMachineDefinition."""

    result: str
    diagnostics: list[ValidationDiagnostic]
    truncated: bool


class DescribeStateMachineForExecutionOutput(TypedDict):
    """DescribeStateMachineForExecution."""

    stateMachineArn: str
    name: str
    definition: str
    roleArn: str
    updateDate: datetime
    loggingConfiguration: JsonObject
    tracingConfiguration: JsonObject
    encryptionConfiguration: JsonObject
    revisionId: NotRequired[str]  # of the revision the execution runs, when it has one
    mapRunArn: NotRequired[str]  # of a Map Run's child: its run, and the Map state's label
    label: NotRequired[str]
    variableReferences: NotRequired[dict[str, list[str]]]


class DataDetails(TypedDict):
    """`inputDetails` / `outputDetails`: whether the data is included in the answer."""

    included: bool


class BillingDetails(TypedDict):
    """StartSyncExecution's `billingDetails`."""

    billedMemoryUsedInMB: int
    billedDurationInMilliseconds: int


class StartExecutionOutput(TypedDict):
    """StartExecution."""

    executionArn: str
    startDate: datetime


class StartSyncExecutionOutput(TypedDict):
    """StartSyncExecution."""

    executionArn: str
    stateMachineArn: str
    name: str
    startDate: datetime
    stopDate: datetime
    status: str
    input: str
    inputDetails: DataDetails
    billingDetails: BillingDetails
    output: NotRequired[str]
    outputDetails: NotRequired[DataDetails]
    error: NotRequired[str]
    cause: NotRequired[str]


class DescribeExecutionOutput(TypedDict):
    """DescribeExecution."""

    executionArn: str
    stateMachineArn: str
    name: str
    status: str
    startDate: datetime
    input: str
    inputDetails: DataDetails
    redriveCount: int
    redriveStatus: str
    redriveStatusReason: NotRequired[str]  # why not, when it cannot be redriven for its status
    stopDate: NotRequired[datetime]
    output: NotRequired[str]
    outputDetails: NotRequired[DataDetails]
    error: NotRequired[str]
    cause: NotRequired[str]
    redriveDate: NotRequired[datetime]
    stateMachineVersionArn: NotRequired[str]
    stateMachineAliasArn: NotRequired[str]
    mapRunArn: NotRequired[str]


class ExecutionListItem(TypedDict):
    """One execution in ListExecutions."""

    executionArn: str
    stateMachineArn: str
    name: str
    status: str
    startDate: datetime
    stopDate: NotRequired[datetime]
    redriveCount: int
    redriveDate: NotRequired[datetime]
    stateMachineVersionArn: NotRequired[str]
    stateMachineAliasArn: NotRequired[str]
    mapRunArn: NotRequired[str]
    itemCount: NotRequired[int]


class ListExecutionsOutput(TypedDict):
    """ListExecutions."""

    executions: list[ExecutionListItem]
    nextToken: NotRequired[str]


class GetExecutionHistoryOutput(TypedDict):
    """GetExecutionHistory."""

    events: list[HistoryEvent]
    nextToken: NotRequired[str]


class DescribeMapRunOutput(TypedDict):
    """DescribeMapRun (itemCounts and executionCounts: MapRunItemCounts, MapRunExecutionCounts)."""

    mapRunArn: str
    executionArn: str
    status: str
    startDate: datetime
    maxConcurrency: int
    toleratedFailurePercentage: float
    toleratedFailureCount: int
    itemCounts: dict[str, int]
    executionCounts: dict[str, int]
    redriveCount: int
    stopDate: NotRequired[datetime]
    redriveDate: NotRequired[datetime]


class MapRunListItem(TypedDict):
    """One Map Run in ListMapRuns."""

    executionArn: str
    mapRunArn: str
    stateMachineArn: str
    startDate: datetime
    stopDate: NotRequired[datetime]


class ListMapRunsOutput(TypedDict):
    """ListMapRuns."""

    mapRuns: list[MapRunListItem]
    nextToken: NotRequired[str]


class StopExecutionOutput(TypedDict):
    """StopExecution."""

    stopDate: datetime


class RedriveExecutionOutput(TypedDict):
    """RedriveExecution."""

    redriveDate: datetime


class Tag(TypedDict):
    """A resource tag."""

    key: str
    value: str


class ListTagsForResourceOutput(TypedDict):
    """ListTagsForResource."""

    tags: list[Tag]


class CreateActivityOutput(TypedDict):
    """CreateActivity."""

    activityArn: str
    creationDate: datetime


class DescribeActivityOutput(TypedDict):
    """DescribeActivity."""

    activityArn: str
    name: str
    creationDate: datetime


class ActivityListItem(TypedDict):
    """One activity in ListActivities."""

    activityArn: str
    name: str
    creationDate: datetime


class ListActivitiesOutput(TypedDict):
    """ListActivities."""

    activities: list[ActivityListItem]
    nextToken: NotRequired[str]


class GetActivityTaskOutput(TypedDict):
    """GetActivityTask: both members, or neither when no task came within the poll."""

    taskToken: NotRequired[str]
    input: NotRequired[str]

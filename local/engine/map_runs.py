"""Map Runs: what a Distributed Map starts, named as Step Functions names it, and counted as it reports it.

A Distributed Map (`ItemProcessor.ProcessorConfig.Mode` DISTRIBUTED) runs its iterations (or batches) as
child executions of the item processor, a state machine of its own named `MACHINE/LABEL` (the Label, else
the state's name). The run, `mapRun:MACHINE/LABEL:RUN_ID`, is a resource with its own API (DescribeMapRun,
ListMapRuns, UpdateMapRun); each child is `execution:MACHINE/LABEL:NAME` (`express:...:NAME:ID` when the
processor's ExecutionType is EXPRESS).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from local.engine.store import ChildCount, ExecutionRecord, MapRunRecord

DISTRIBUTED = "DISTRIBUTED"
EXECUTION_TYPES = ("STANDARD", "EXPRESS")
# Counted by DescribeMapRun's itemCounts and executionCounts, by the children's status.
_COUNTED_STATUSES = {
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timedOut",
    "ABORTED": "aborted",
}


@dataclass(frozen=True)
class MapRun:
    """Names of one run of a Distributed Map: its ARN, its id, its children's state machine and ARNs."""

    arn: str
    run_id: str
    children_machine_arn: str  # `stateMachine:MACHINE/LABEL`
    child_prefix: str  # a Standard child's execution ARN is this followed by its name

    @classmethod
    def of(cls, state_machine_arn: str, map_name: str, run_id: str) -> MapRun:
        """The run of the Map state `map_name` of an execution of `state_machine_arn`."""
        head, _, machine = state_machine_arn.rpartition(":stateMachine:")
        return cls(
            arn=f"{head}:mapRun:{machine}/{map_name}:{run_id}",
            run_id=run_id,
            children_machine_arn=f"{state_machine_arn}/{map_name}",
            child_prefix=f"{head}:execution:{machine}/{map_name}:",
        )

    def child_machine_arn(self, state_machine_arn: str, map_name: str) -> str:
        """The state machine ARN a ResultWriter's records give the children."""
        return f"{state_machine_arn}/{map_name}:{self.run_id}"

    def child_name(self, index: int) -> str:
        """The name of the child that processes item (or batch) `index`: the same every time it is asked,
        so an execution continued after a crash finds the children it started."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.arn}/{index}"))

    def child_arn(self, name: str, execution_type: str, redrive_count: int) -> str:
        """The execution ARN of the child called `name` (an Express child is started anew by each redrive of
        the run, a Standard one is redriven)."""
        if execution_type == "EXPRESS":
            express_prefix = self.child_prefix.replace(":execution:", ":express:", 1)
            execution_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.arn}/{name}/{redrive_count}")
            return f"{express_prefix}{name}:{execution_id}"
        return self.child_prefix + name


@dataclass(frozen=True)
class ChildWorkflowSpec:
    """A Distributed Map's item processor as the state machine its children run."""

    execution_type: str  # STANDARD or EXPRESS
    definition: str  # the processor as a definition of its own

    @classmethod
    def parse(cls, processor: Any, query_language: str) -> ChildWorkflowSpec | None:
        """The children's workflow of a (validated) ItemProcessor field; None for an inline Map."""
        if not isinstance(processor, dict):
            return None
        config = processor.get("ProcessorConfig") or {}
        if config.get("Mode") != DISTRIBUTED:
            return None
        machine = {key: value for key, value in processor.items() if key != "ProcessorConfig"}
        machine.setdefault("QueryLanguage", query_language)
        execution_type = config.get("ExecutionType", "STANDARD")
        return cls(execution_type=execution_type, definition=json.dumps(machine, separators=(",", ":")))


@dataclass(frozen=True)
class ChildStart:
    """A child execution for a Map Run to start."""

    arn: str
    name: str
    state_machine_arn: str
    execution_type: str
    definition: str
    input: Any
    map_run_arn: str
    item_count: int
    mock_test_case: str | None  # the parent's MockConfigFile test case, which answers the child's tasks too
    redriven: bool  # the run is being redriven: a child that did not succeed is redriven


class MapRunServices(Protocol):
    """What a Distributed Map state asks of the engine: keeping its Map Run and starting its children."""

    def save(self, record: MapRunRecord) -> None:
        """Insert or replace a Map Run."""
        ...

    def get(self, arn: str) -> MapRunRecord | None:
        """A Map Run by ARN."""
        ...

    def start_child(self, start: ChildStart, role_arn: str) -> ExecutionRecord:
        """Start a child execution (one already started under that ARN is returned as it stands, or redriven
        when the run is redriven)."""
        ...


def counts(run: MapRunRecord, children: dict[str, ChildCount]) -> tuple[dict[str, int], dict[str, int]]:
    """DescribeMapRun's itemCounts and executionCounts from the run's children counted by status (as the
    store's `count_map_run_children` counts them), the ones not started yet pending; a child's result counts
    as written once it has ended (succeeded, failed or timed out)."""
    items = dict.fromkeys((*_COUNTED_STATUSES.values(), "pending"), 0)
    executions = dict(items)
    for status, counted in children.items():
        member = _COUNTED_STATUSES.get(status, "running")
        items[member] += counted.items
        executions[member] += counted.executions
    for tally, total in ((items, run.item_count), (executions, run.execution_count)):
        tally["pending"] = max(0, total - sum(tally.values()))
        written = tally["succeeded"] + tally["failed"] + tally["timedOut"]
        tally.update(total=total, resultsWritten=written, failuresNotRedrivable=0, pendingRedrive=0)
    return items, executions

"""Execution operations: start (asynchronously or to the end), describe, list and stop.

An execution starts from a state machine's ARN (its current definition), a version ARN (that version's) or
an alias ARN (the version the alias picks by weight); it reports the version and alias it started through.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from local.engine import arns, jackson_errors, pagination
from local.engine.api_aliases import choose_version
from local.engine.api_base import ApiBase
from local.engine.api_types import (
    DescribeExecutionOutput,
    ExecutionListItem,
    ListExecutionsOutput,
    StartExecutionOutput,
    StartSyncExecutionOutput,
    StopExecutionOutput,
)
from local.engine.clock import ManualClock
from local.engine.driver import TERMINAL_STATUSES, definition_digest
from local.engine.errors import ApiError
from local.engine.execution import REDRIVABLE_STATUSES
from local.engine.frame import Frame
from local.engine.interpreter import Runner
from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth
from local.engine.map_run_children import children_of
from local.engine.store import ExecutionRecord, StateMachineRecord
from local.engine.timestamps import at_or_after, from_epoch

MAX_INPUT_BYTES = 262_144
MAX_LIST_TOKEN_LENGTH = 3096  # ListExecutions' nextToken may be longer than other lists'
# The statuses ListExecutions filters by, in the order AWS lists them when refusing another.
STATUS_FILTERS = ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING")
TOO_DEEP = f"objects and arrays nest more than {MAX_JSON_DEPTH} levels deep"
_ROUTING = random.SystemRandom()


@dataclass(frozen=True)
class StartTarget:
    """What an execution runs: the state machine, the definition and role of the revision it starts from,
    and the version and alias ARNs it started through (None when not through one)."""

    machine: StateMachineRecord
    definition: str
    role_arn: str
    test_case: str | None
    version_arn: str | None = None
    alias_arn: str | None = None


class ExecutionOperations(ApiBase):
    """The operations that start, read and stop executions."""

    def start_execution(
        self, state_machine_arn: str, input: str | None = None, name: str | None = None
    ) -> StartExecutionOutput:
        """StartExecution: a Standard execution is idempotent for the same name and input while RUNNING; an
        Express one gets an ARN of its own (`express:MACHINE:NAME:ID`) each time, names may repeat."""
        record = self._new_execution(state_machine_arn, input, name)
        return {"executionArn": record.arn, "startDate": from_epoch(record.start_date)}

    def start_sync_execution(
        self, state_machine_arn: str, input: str | None = None, name: str | None = None
    ) -> StartSyncExecutionOutput:
        """StartSyncExecution (EXPRESS state machines only): runs the execution to its end."""
        if self._start_target(state_machine_arn).machine.type != "EXPRESS":
            raise type_not_supported()
        record = self._new_execution(state_machine_arn, input, name)
        try:
            self._run_to_end(record.arn)
        finally:
            self._driver.save_clock()
        final = self.store.get_execution(record.arn) or record
        response: StartSyncExecutionOutput = {
            "executionArn": final.arn,
            "stateMachineArn": final.state_machine_arn,
            "name": final.name,
            "startDate": from_epoch(final.start_date),
            "stopDate": from_epoch(final.stop_date or self._now_epoch()),
            "status": final.status,
            "input": final.input,
            "inputDetails": {"included": True},
            "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
        }
        if final.output is not None:
            response["output"] = final.output
            response["outputDetails"] = {"included": True}
        if final.error is not None:
            response["error"] = final.error
        if final.cause is not None:
            response["cause"] = final.cause
        return response

    def _run_to_end(self, arn: str) -> None:
        for _ in range(1_000_000):
            self._driver.process(arn)
            record = self.store.get_execution(arn)
            if record is None or record.status in TERMINAL_STATUSES:
                return
            due = self.store.next_due(skippable=False)
            frame_text = self.store.load_frame(arn)
            frame_due = Frame.from_json(frame_text).next_due() if frame_text else due
            if frame_due is None:
                return
            if self.clock.mode == "real":
                time.sleep(max(0.0, min(1.0, frame_due - self._now_epoch())))
            elif isinstance(self.clock, ManualClock) and at_or_after(frame_due) > self.clock.now():
                self.clock.set(at_or_after(frame_due))

    def _new_execution(self, state_machine_arn: str, input: str | None, name: str | None) -> ExecutionRecord:
        """Start an execution; a Standard one already RUNNING with the same name and input is returned
        as it is (StartExecution is idempotent), anything else of that name is refused."""
        target = self._start_target(state_machine_arn)
        machine = target.machine
        text = "{}" if input is None else input
        value = parse_input(text)
        name = name if name is not None else str(uuid.uuid4())
        arns.check_name(name)
        if machine.type == "EXPRESS":
            run_id = str(uuid.uuid4())
            arn = arns.express_execution_arn(self.region, self.account_id, machine.name, name, run_id)
        else:
            arn = arns.execution_arn(self.region, self.account_id, machine.name, name)
        if target.test_case is not None:
            config = self.dispatcher.mock_config
            if config is None or not config.has_test_case(machine.name, target.test_case):
                raise ApiError(
                    "ValidationException", f"Test case '{target.test_case}' is not in the mock configuration"
                )
        with self._driver.claim(arn):
            existing = self.store.get_execution(arn)
            if existing is not None:
                if existing.status == "RUNNING" and existing.input == text:
                    return existing
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            record = ExecutionRecord(
                arn=arn,
                state_machine_arn=machine.arn,
                name=name,
                status="RUNNING",
                start_date=self._now_epoch(),
                input=text,
                role_arn=target.role_arn,
                type=machine.type,
                mock_test_case=target.test_case,
                definition_hash=definition_digest(target.definition),
                state_machine_version_arn=target.version_arn,
                state_machine_alias_arn=target.alias_arn,
            )
            runner = self._driver.runner(record, Frame())
            runner.info.input = value
            runner.start(target.role_arn)
            _record_start_target(runner, target)
            self._driver.commit(runner, record, new=True)
        return record

    def _start_target(self, state_machine_arn: str) -> StartTarget:
        """What StartExecution on `state_machine_arn` runs: the state machine as it stands, a version, or the
        version an alias picks by weight."""
        parsed = self._qualified(state_machine_arn)
        if parsed.alias is not None:
            alias = self.store.get_alias(parsed.arn)
            if alias is None:
                raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{parsed.arn}'")
            version_arn = choose_version(alias, _ROUTING)
        elif parsed.version is not None:
            version_arn = parsed.arn
        else:
            machine = self._machine_named(parsed.state_machine_arn)
            return StartTarget(machine, machine.definition, machine.role_arn, parsed.test_case)
        machine = self._machine_named(parsed.state_machine_arn)
        version = self.store.get_version(version_arn)
        if version is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{version_arn}'")
        alias_arn = parsed.arn if parsed.alias is not None else None
        return StartTarget(
            machine, version.definition, version.role_arn, parsed.test_case, version.arn, alias_arn
        )

    def describe_execution(self, execution_arn: str) -> DescribeExecutionOutput:
        """DescribeExecution."""
        record = self._execution(execution_arn)
        response: DescribeExecutionOutput = {
            "executionArn": record.arn,
            "stateMachineArn": record.state_machine_arn,
            "name": record.name,
            "status": record.status,
            "startDate": from_epoch(record.start_date),
            "input": record.input,
            "inputDetails": {"included": True},
            "redriveCount": record.redrive_count,
            "redriveStatus": redrive_status(record),
        }
        if record.status not in REDRIVABLE_STATUSES:
            response["redriveStatusReason"] = status_not_redrivable(record.status)
        if record.stop_date is not None:
            response["stopDate"] = from_epoch(record.stop_date)
        if record.output is not None:
            response["output"] = record.output
            response["outputDetails"] = {"included": True}
        if record.error is not None:
            response["error"] = record.error
        if record.cause is not None:
            response["cause"] = record.cause
        if record.redrive_date is not None:
            response["redriveDate"] = from_epoch(record.redrive_date)
        if record.state_machine_version_arn is not None:
            response["stateMachineVersionArn"] = record.state_machine_version_arn
        if record.state_machine_alias_arn is not None:
            response["stateMachineAliasArn"] = record.state_machine_alias_arn
        if record.map_run_arn is not None:
            response["mapRunArn"] = record.map_run_arn
        return response

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        redrive_filter: str | None = None,
        *,
        map_run_arn: str | None = None,
    ) -> ListExecutionsOutput:
        """ListExecutions: newest first; of a version or alias ARN, those started through it; of a Map Run
        ARN, the run's child executions."""
        if status_filter is not None and status_filter not in STATUS_FILTERS:
            constraint = f"satisfy enum value set: [{', '.join(STATUS_FILTERS)}]"
            raise pagination.member_constraint_error(status_filter, "statusFilter", constraint)
        if (state_machine_arn is None) == (map_run_arn is None):
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        if map_run_arn is not None:
            run = self._map_run(map_run_arn)
            children = [
                (sequence, r)
                for sequence, r in children_of(self.store, run)
                if status_filter is None or r.status == status_filter
            ]
            return self._execution_page(
                children, f"map_run:{map_run_arn}:{status_filter}", max_results, next_token
            )
        assert state_machine_arn is not None
        parsed = self._qualified(state_machine_arn)
        if parsed.version is not None:
            self._version(parsed.arn)
        elif parsed.alias is not None:
            self._alias(parsed.arn)
        machine = self._machine_named(arns.parse_state_machine_arn(parsed.state_machine_arn).arn)
        if machine.type == "EXPRESS":  # AWS keeps no record of Express executions to list
            raise type_not_supported()
        entries = [
            (sequence, r)
            for sequence, r in self.store.list_execution_entries(machine.arn, status_filter)
            if r.type == "STANDARD"
            and (parsed.version is None or r.state_machine_version_arn == parsed.arn)
            and (parsed.alias is None or r.state_machine_alias_arn == parsed.arn)
        ]
        if redrive_filter is not None:
            redriven = redrive_filter == "REDRIVEN"
            entries = [(sequence, r) for sequence, r in entries if (r.redrive_count > 0) == redriven]
        scope = f"executions:{parsed.arn}:{status_filter}:{redrive_filter}"
        return self._execution_page(entries, scope, max_results, next_token)

    def _execution_page(
        self,
        entries: list[tuple[int, ExecutionRecord]],
        scope: str,
        max_results: int | None,
        next_token: str | None,
    ) -> ListExecutionsOutput:
        entries.sort(key=_execution_order, reverse=True)
        page, token = pagination.page(
            entries,
            _execution_order,
            max_results,
            next_token,
            scope=scope,
            descending=True,
            max_token_length=MAX_LIST_TOKEN_LENGTH,
        )
        response: ListExecutionsOutput = {"executions": [_execution_item(r) for _, r in page]}
        if token is not None:
            response["nextToken"] = token
        return response

    def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> StopExecutionOutput:
        """StopExecution."""
        record = self._execution(execution_arn)
        if record.status != "RUNNING":
            return {"stopDate": from_epoch(record.stop_date or self._now_epoch())}

        def stop(runner: Runner, current: ExecutionRecord) -> None:
            if current.status == "RUNNING":
                runner.abort(error, cause)

        try:
            stopped = self._driver.apply(execution_arn, stop)
        except LookupError as exc:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{execution_arn}'") from exc
        return {"stopDate": from_epoch(stopped.stop_date or self._now_epoch())}


def type_not_supported() -> ApiError:
    """What AWS answers an operation the state machine's type does not offer (StartSyncExecution of a
    Standard machine, ListExecutions of an Express one)."""
    message = "This operation is not supported by this type of state machine"
    return ApiError("StateMachineTypeNotSupported", message)


def redrive_status(record: ExecutionRecord) -> str:
    """DescribeExecution's `redriveStatus`: only a Standard execution that ended badly can be redriven (a Map
    Run's child, by redriving its parent)."""
    if record.status in REDRIVABLE_STATUSES and record.type == "STANDARD":
        return "REDRIVABLE_BY_MAP_RUN" if record.map_run_arn is not None else "REDRIVABLE"
    return "NOT_REDRIVABLE"


def status_not_redrivable(status: str) -> str:
    """Why an execution in `status` (RUNNING, SUCCEEDED) cannot be redriven, in AWS's words."""
    return f"Execution is {status} and cannot be redriven"


def parse_input(text: str) -> Any:
    """The execution input as JSON, refused as AWS refuses it when too large, too deep or not JSON."""
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise ApiError("InvalidExecutionInput", "Invalid execution input: the input exceeds 262144 bytes")
    if exceeds_depth(text):
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{TOO_DEEP}'")
    if not text.strip():
        raise ApiError(
            "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Invalid execution input.'"
        )
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        jackson = jackson_errors.describe(text)
        reason = jackson.message if jackson is not None else str(exc)
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{reason}'") from exc


def _execution_order(entry: tuple[int, ExecutionRecord]) -> tuple[float, int]:
    """Newest first: by start date, then by the order the store took them in (unique, never changes)."""
    sequence, record = entry
    return (record.start_date, sequence)


def _record_start_target(runner: Runner, target: StartTarget) -> None:
    """ExecutionStarted names the version and alias the execution started through, as on AWS."""
    details = runner.log.pending[0]["executionStartedEventDetails"]
    if target.alias_arn is not None:
        details["stateMachineAliasArn"] = target.alias_arn
    if target.version_arn is not None:
        details["stateMachineVersionArn"] = target.version_arn


def _execution_item(record: ExecutionRecord) -> ExecutionListItem:
    item: ExecutionListItem = {
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": from_epoch(record.start_date),
        "redriveCount": record.redrive_count,
    }
    if record.stop_date is not None:
        item["stopDate"] = from_epoch(record.stop_date)
    if record.redrive_date is not None:
        item["redriveDate"] = from_epoch(record.redrive_date)
    if record.state_machine_version_arn is not None:
        item["stateMachineVersionArn"] = record.state_machine_version_arn
    if record.state_machine_alias_arn is not None:
        item["stateMachineAliasArn"] = record.state_machine_alias_arn
    if record.map_run_arn is not None:
        item["mapRunArn"] = record.map_run_arn
        item["itemCount"] = record.item_count or 1
    return item

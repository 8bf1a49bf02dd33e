"""The Engine: the Step Functions API (boto3 operation names in snake_case, boto3 response shapes).

engine = Engine(clock=SkipClock(), store=MemoryStore())
engine.register_lambda("my-fn", handler)
sm = engine.create_state_machine(name="M", definition=text, role_arn=ROLE)
run = engine.start_execution(sm["stateMachineArn"], input='{"a": 1}')
engine.run_until_idle()
engine.describe_execution(run["executionArn"])["status"]
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from local.engine import arns, pagination, validation
from local.engine import definition as asl
from local.engine.clock import Clock, ManualClock, RealClock
from local.engine.driver import TERMINAL_STATUSES, ExecutionDriver, definition_digest
from local.engine.errors import ApiError
from local.engine.frame import Frame
from local.engine.interpreter import Runner
from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth
from local.engine.lambda_runtime import Handler, LambdaInvoker
from local.engine.mock_config import MockConfig
from local.engine.state_task import schedule_heartbeat
from local.engine.store import ExecutionRecord, StateMachineRecord, Store
from local.engine.store_memory import MemoryStore
from local.engine.tasks import TaskDispatcher
from local.engine.timestamps import at_or_after, from_epoch, to_epoch

MAX_INPUT_BYTES = 262_144
MAX_DEFINITION_BYTES = 1_048_576  # AWS's limit, in UTF-8 bytes
MAX_TAGS = 50
REDRIVE_WINDOW_SECONDS = 14 * 24 * 3600
DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}
_TOO_DEEP = f"objects and arrays nest more than {MAX_JSON_DEPTH} levels deep"


class Engine:
    """A local Step Functions service."""

    def __init__(
        self,
        clock: Clock | None = None,
        store: Store | None = None,
        *,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        mock_config: str | Path | dict[str, Any] | None = None,
        aws_endpoint_url: str | None = None,
    ) -> None:
        self.clock: Clock = clock or RealClock()
        self.store: Store = store if store is not None else MemoryStore()
        self.account_id = account_id
        self.region = region
        self.dispatcher = TaskDispatcher(
            account_id=account_id,
            region=region,
            mock_config=MockConfig.load(mock_config),
            aws_endpoint_url=aws_endpoint_url,
        )
        self._driver = ExecutionDriver(self.clock, self.store, self.dispatcher)
        self._resume_clock()

    def _resume_clock(self) -> None:
        """A virtual or skip clock continues from the position saved in the store and saves every move."""
        if not isinstance(self.clock, ManualClock):
            return  # the wall clock needs no memory
        recorded = self.store.load_clock_position()
        if recorded is not None:
            self.clock.resume_from(recorded)
        self.store.save_clock_position(self.clock.now())
        self.clock.record_with(self._driver.clock_moved)

    # ------------------------------------------------------------------ running

    def register_lambda(self, name_or_arn: str, handler: Handler) -> None:
        """Answer invocations of a Lambda function (by name or ARN) with an in-process handler."""
        self.dispatcher.register_lambda(name_or_arn, handler)

    def use_lambda_invoker(self, invoker: LambdaInvoker | None) -> None:
        """Answer invocations of functions without an in-process handler through a Lambda service."""
        self.dispatcher.use_lambda_invoker(invoker)

    def run_until_idle(self) -> None:
        """Run all runnable work in this thread; a skip clock also jumps over timers."""
        self._driver.run_until_idle()

    def advance(self, seconds: float) -> datetime:
        """Move a virtual clock forward, running everything that falls due on the way."""
        self._check_movable()
        if seconds < 0:
            raise ApiError("ValidationException", "A clock cannot move backwards")
        return self._driver.advance(seconds)

    def advance_to(self, moment: datetime) -> datetime:
        """Move a virtual clock to `moment`, running everything that falls due on the way."""
        self._check_movable()
        self._driver.run_until_due(max(to_epoch(moment), to_epoch(self.clock.now())))
        return self.clock.now()

    def next_timer(self) -> datetime | None:
        """When the earliest timer of a running execution falls due (a Wait, a retry's backoff, a task or
        execution timeout), or None when no execution waits on one."""
        due = self.store.next_due(skippable=False)
        return None if due is None else at_or_after(due)

    def _check_movable(self) -> None:
        if not isinstance(self.clock, ManualClock):
            raise ApiError("ValidationException", f"The {self.clock.mode} clock cannot be moved")

    def start(self) -> None:
        """Start the background worker (servers)."""
        self._driver.start()

    def close(self) -> None:
        """Stop the background worker and close the store."""
        self._driver.close()
        if isinstance(self.clock, ManualClock):
            self.clock.stop_recording(self._driver.clock_moved)
            self._driver.save_clock()
        self.store.close()

    # ------------------------------------------------------------------ state machines

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
        **_: Any,
    ) -> dict[str, Any]:
        """CreateStateMachine."""
        _check_definition_size(definition)
        arns.check_name(name)
        arns.check_role_arn(role_arn)
        if type not in ("STANDARD", "EXPRESS"):
            raise ApiError("ValidationException", f"Value '{type}' at 'type' failed to satisfy constraint")
        self._driver.definition(definition)
        arn = arns.state_machine_arn(self.region, self.account_id, name)
        existing = self.store.get_state_machine(arn)
        if existing is not None:
            if existing.definition == definition and existing.role_arn == role_arn and existing.type == type:
                return {"stateMachineArn": arn, "creationDate": from_epoch(existing.creation_date)}
            raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
        record = StateMachineRecord(
            arn=arn,
            name=name,
            type=type,
            definition=definition,
            role_arn=role_arn,
            creation_date=to_epoch(self.clock.now()),
            logging_configuration=logging_configuration or dict(DEFAULT_LOGGING),
            tracing_configuration=tracing_configuration or dict(DEFAULT_TRACING),
            revision_id=str(uuid.uuid4()),
        )
        self._driver.save_clock()  # the creation date must not be later than the saved clock
        self.store.put_definition(definition_digest(definition), definition)
        self.store.put_state_machine(record)
        if tags:
            self._set_tags(arn, {}, tags)
        return {"stateMachineArn": arn, "creationDate": from_epoch(record.creation_date)}

    def _machine(self, arn: str) -> StateMachineRecord:
        parsed = arns.parse_state_machine_arn(arn)
        record = self.store.get_state_machine(parsed.arn)
        if record is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{parsed.arn}'")
        return record

    def describe_state_machine(self, state_machine_arn: str, **_: Any) -> dict[str, Any]:
        """DescribeStateMachine."""
        record = self._machine(state_machine_arn)
        return {
            "stateMachineArn": record.arn,
            "name": record.name,
            "status": record.status,
            "definition": record.definition,
            "roleArn": record.role_arn,
            "type": record.type,
            "creationDate": from_epoch(record.creation_date),
            "loggingConfiguration": record.logging_configuration,
            "tracingConfiguration": record.tracing_configuration,
            "revisionId": record.revision_id,
            "description": record.description,
        }

    def update_state_machine(
        self,
        state_machine_arn: str,
        definition: str | None = None,
        role_arn: str | None = None,
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """UpdateStateMachine (running executions keep the definition they started with)."""
        if definition is not None:
            _check_definition_size(definition)
        record = self._machine(state_machine_arn)
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
        if definition is not None:
            self._driver.definition(definition)
            self.store.put_definition(definition_digest(definition), definition)
            record.definition = definition
        if role_arn is not None:
            arns.check_role_arn(role_arn)
            record.role_arn = role_arn
        if logging_configuration is not None:
            record.logging_configuration = logging_configuration
        if tracing_configuration is not None:
            record.tracing_configuration = tracing_configuration
        record.update_date = to_epoch(self.clock.now())
        record.revision_id = str(uuid.uuid4())
        self._driver.save_clock()
        self.store.put_state_machine(record)
        return {"updateDate": from_epoch(record.update_date), "revisionId": record.revision_id}

    def list_state_machines(
        self, max_results: int | None = None, next_token: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """ListStateMachines."""
        items = [
            {
                "stateMachineArn": r.arn,
                "name": r.name,
                "type": r.type,
                "creationDate": from_epoch(r.creation_date),
            }
            for r in self.store.list_state_machines()
        ]
        page, token = pagination.page(items, max_results, next_token)
        return pagination.with_token({"stateMachines": page}, token)

    def delete_state_machine(self, state_machine_arn: str, **_: Any) -> dict[str, Any]:
        """DeleteStateMachine (idempotent; running executions continue)."""
        parsed = arns.parse_state_machine_arn(state_machine_arn)
        self.store.delete_state_machine(parsed.arn)
        return {}

    def validate_state_machine_definition(
        self, definition: str, type: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """ValidateStateMachineDefinition."""
        _check_definition_size(definition)
        try:
            raw = asl.load_json(definition)
        except ApiError as exc:
            return {
                "result": "FAIL",
                "diagnostics": [
                    {"severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": exc.message}
                ],
                "truncated": False,
            }
        problems = validation.validate_definition(raw)
        diagnostics = [
            {"severity": "ERROR", "code": p.kind, "message": p.message, "location": p.location}
            for p in problems
        ]
        return {"result": "FAIL" if problems else "OK", "diagnostics": diagnostics, "truncated": False}

    def describe_state_machine_for_execution(self, execution_arn: str, **_: Any) -> dict[str, Any]:
        """DescribeStateMachineForExecution."""
        record = self._execution(execution_arn)
        machine = self.store.get_state_machine(record.state_machine_arn)
        definition = self.store.get_definition(record.definition_hash) or ""
        response = {
            "stateMachineArn": record.state_machine_arn,
            "name": record.state_machine_arn.split(":")[-1],
            "definition": definition,
            "roleArn": machine.role_arn if machine else record.role_arn,
            "updateDate": from_epoch(machine.update_date or machine.creation_date)
            if machine
            else from_epoch(record.start_date),
            "loggingConfiguration": machine.logging_configuration if machine else dict(DEFAULT_LOGGING),
            "tracingConfiguration": machine.tracing_configuration if machine else dict(DEFAULT_TRACING),
        }
        return response

    # ------------------------------------------------------------------ executions

    def start_execution(
        self, state_machine_arn: str, input: str | None = None, name: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """StartExecution (idempotent for the same name and input while RUNNING)."""
        record = self._new_execution(state_machine_arn, input, name, express=False)
        if isinstance(record, dict):
            return record
        return {"executionArn": record.arn, "startDate": from_epoch(record.start_date)}

    def start_sync_execution(
        self, state_machine_arn: str, input: str | None = None, name: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """StartSyncExecution (EXPRESS state machines only): runs the execution to its end."""
        machine = self._machine(state_machine_arn)
        if machine.type != "EXPRESS":
            raise ApiError(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            )
        record = self._new_execution(state_machine_arn, input, name, express=True)
        assert isinstance(record, ExecutionRecord)
        try:
            self._run_to_end(record.arn)
        finally:
            self._driver.save_clock()
        final = self.store.get_execution(record.arn) or record
        response: dict[str, Any] = {
            "executionArn": final.arn,
            "stateMachineArn": final.state_machine_arn,
            "name": final.name,
            "startDate": from_epoch(final.start_date),
            "stopDate": from_epoch(final.stop_date or to_epoch(self.clock.now())),
            "status": final.status,
            "input": final.input,
            "inputDetails": {"included": True},
            "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
        }
        if final.output is not None:
            response.update(output=final.output, outputDetails={"included": True})
        for key in ("error", "cause"):
            if getattr(final, key) is not None:
                response[key] = getattr(final, key)
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
                time.sleep(max(0.0, min(1.0, frame_due - to_epoch(self.clock.now()))))
            elif isinstance(self.clock, ManualClock) and at_or_after(frame_due) > self.clock.now():
                self.clock.set(at_or_after(frame_due))

    def _new_execution(
        self, state_machine_arn: str, input: str | None, name: str | None, *, express: bool
    ) -> ExecutionRecord | dict[str, Any]:
        parsed = arns.parse_state_machine_arn(state_machine_arn)
        machine = self._machine(state_machine_arn)
        text = "{}" if input is None else input
        value = _parse_input(text)
        name = name if name is not None else str(uuid.uuid4())
        arns.check_name(name, "execution name")
        arn = arns.execution_arn(self.region, self.account_id, machine.name, name, express=express)
        if parsed.test_case is not None:
            config = self.dispatcher.mock_config
            if config is None or not config.has_test_case(machine.name, parsed.test_case):
                raise ApiError(
                    "ValidationException", f"Test case '{parsed.test_case}' is not in the mock configuration"
                )
        with self._driver.claim(arn):
            existing = self.store.get_execution(arn)
            if existing is not None:
                if existing.status == "RUNNING" and existing.input == text and not express:
                    return {"executionArn": arn, "startDate": from_epoch(existing.start_date)}
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            record = ExecutionRecord(
                arn=arn,
                state_machine_arn=machine.arn,
                name=name,
                status="RUNNING",
                start_date=to_epoch(self.clock.now()),
                input=text,
                role_arn=machine.role_arn,
                type="EXPRESS" if express else machine.type,
                mock_test_case=parsed.test_case,
                definition_hash=definition_digest(machine.definition),
            )
            runner = self._driver.runner(record, Frame())
            runner.info.input = value
            runner.start(machine.role_arn)
            self._driver.commit(runner, record, new=True)
        return record

    def _execution(self, arn: str) -> ExecutionRecord:
        arns.parse_execution_arn(arn)
        record = self.store.get_execution(arn)
        if record is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return record

    def describe_execution(self, execution_arn: str, **_: Any) -> dict[str, Any]:
        """DescribeExecution."""
        record = self._execution(execution_arn)
        response: dict[str, Any] = {
            "executionArn": record.arn,
            "stateMachineArn": record.state_machine_arn,
            "name": record.name,
            "status": record.status,
            "startDate": from_epoch(record.start_date),
            "input": record.input,
            "inputDetails": {"included": True},
            "redriveCount": record.redrive_count,
            "redriveStatus": self._redrive_status(record),
        }
        if record.stop_date is not None:
            response["stopDate"] = from_epoch(record.stop_date)
        if record.output is not None:
            response.update(output=record.output, outputDetails={"included": True})
        if record.error is not None:
            response["error"] = record.error
        if record.cause is not None:
            response["cause"] = record.cause
        if record.redrive_date is not None:
            response["redriveDate"] = from_epoch(record.redrive_date)
        return response

    def _redrive_status(self, record: ExecutionRecord) -> str:
        if record.status in ("FAILED", "TIMED_OUT", "ABORTED") and record.type == "STANDARD":
            return "REDRIVABLE"
        return "NOT_REDRIVABLE"

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        redrive_filter: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """ListExecutions."""
        if state_machine_arn is None:
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        machine = self._machine(state_machine_arn)
        records = [r for r in self.store.list_executions(machine.arn, status_filter) if r.type == "STANDARD"]
        if redrive_filter is not None:
            redriven = redrive_filter == "REDRIVEN"
            records = [r for r in records if (r.redrive_count > 0) == redriven]
        items = [_execution_item(r) for r in records]
        page, token = pagination.page(items, max_results, next_token)
        return pagination.with_token({"executions": page}, token)

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
        reverse_order: bool = False,
        include_execution_data: bool = True,
        **_: Any,
    ) -> dict[str, Any]:
        """GetExecutionHistory."""
        self._execution(execution_arn)
        history = self.store.get_events(execution_arn)
        if reverse_order:
            history.reverse()
        page, token = pagination.page(history, max_results or 1000, next_token)
        rendered = [_render_event(event, include_execution_data) for event in page]
        return pagination.with_token({"events": rendered}, token)

    def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """StopExecution."""
        record = self._execution(execution_arn)
        if record.status != "RUNNING":
            return {"stopDate": from_epoch(record.stop_date or to_epoch(self.clock.now()))}

        def stop(runner: Runner, current: ExecutionRecord) -> None:
            if current.status == "RUNNING":
                runner.abort(error, cause)

        try:
            stopped = self._driver.apply(execution_arn, stop)
        except LookupError as exc:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{execution_arn}'") from exc
        return {"stopDate": from_epoch(stopped.stop_date or to_epoch(self.clock.now()))}

    def redrive_execution(
        self, execution_arn: str, client_token: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """RedriveExecution: continue a failed/aborted/timed-out execution from the state that failed."""
        record = self._execution(execution_arn)
        frame_text = self.store.load_frame(execution_arn)
        frame = Frame.from_json(frame_text) if frame_text else None
        reason = self._not_redrivable_reason(record, frame)
        if reason is not None:
            raise ApiError("ExecutionNotRedrivable", reason)
        assert frame is not None and frame.redrive is not None
        with self._driver.claim(execution_arn):
            record.redrive_count += 1
            record.redrive_date = to_epoch(self.clock.now())
            record.status, record.stop_date, record.error, record.cause, record.output = (
                "RUNNING",
                None,
                None,
                None,
                None,
            )
            runner = self._driver.runner(record, frame)
            point = frame.redrive
            frame.redrive = None
            event_id = runner.log.add(
                0,
                "ExecutionRedriven",
                "executionRedrivenEventDetails",
                {"redriveCount": record.redrive_count},
            )
            frame.new_thread(
                machine=point["machine"],
                state=point["state"],
                input=point["input"],
                vars=point["vars"],
                src=event_id,
                data={"kept": point["kept"]} if "kept" in point else {},
            )
            timeout = runner.definition.timeout_seconds
            if timeout is not None:  # a redrive starts the execution's TimeoutSeconds afresh
                frame.timeout_due = record.redrive_date + timeout
            self._driver.commit(runner, record)
        return {"redriveDate": from_epoch(record.redrive_date)}

    def _not_redrivable_reason(self, record: ExecutionRecord, frame: Frame | None) -> str | None:
        if record.type != "STANDARD":
            return "Execution is not redrivable: only Standard Workflow executions can be redriven"
        if record.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
            return f"Execution is {record.status} and cannot be redriven"
        if frame is None or frame.redrive is None:
            return "Execution cannot be redriven: it did not fail in a state"
        if to_epoch(self.clock.now()) - (record.stop_date or 0) > REDRIVE_WINDOW_SECONDS:
            return "Execution cannot be redriven: it ended more than 14 days ago"
        return None

    # ------------------------------------------------------------------ task tokens

    def _token_execution(self, task_token: str) -> str:
        if not isinstance(task_token, str) or not 1 <= len(task_token) <= 2048:
            raise ApiError("InvalidToken", "Invalid Token: 'The task token is not valid'")
        arn = self.store.token_owner(task_token)
        if arn is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist")
        return arn

    def _deliver(self, task_token: str, update: Callable[[Runner, dict[str, Any]], None]) -> None:
        arn = self._token_execution(task_token)

        def change(runner: Runner, record: ExecutionRecord) -> None:
            thread_id = runner.frame.tokens.get(task_token)
            thread = runner.frame.threads.get(thread_id) if thread_id is not None else None
            if record.status != "RUNNING" or thread is None or thread["phase"] != "task":
                raise ApiError("TaskTimedOut", "Task Timed Out")
            update(runner, thread)

        try:
            self._driver.apply(arn, change)
        except LookupError as exc:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist") from exc

    def send_task_success(self, task_token: str, output: str, **_: Any) -> dict[str, Any]:
        """SendTaskSuccess."""
        if exceeds_depth(output):
            raise ApiError("InvalidOutput", f"Invalid Output: '{_TOO_DEEP}'")
        try:
            value = json.loads(output)
        except (TypeError, ValueError) as exc:
            raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from exc

        def succeed(runner: Runner, thread: dict[str, Any]) -> None:
            thread.update(phase="resume", due=None, resume={"kind": "callback", "ok": True, "output": value})

        self._deliver(task_token, succeed)
        return {}

    def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """SendTaskFailure."""

        def fail(runner: Runner, thread: dict[str, Any]) -> None:
            thread.update(
                phase="resume",
                due=None,
                resume={"kind": "callback", "ok": False, "error": error, "cause": cause},
            )

        self._deliver(task_token, fail)
        return {}

    def send_task_heartbeat(self, task_token: str, **_: Any) -> dict[str, Any]:
        """SendTaskHeartbeat."""

        def beat(runner: Runner, thread: dict[str, Any]) -> None:
            schedule_heartbeat(thread, runner.now_epoch())

        self._deliver(task_token, beat)
        return {}

    # ------------------------------------------------------------------ tags

    def _tag_target(self, resource_arn: str) -> str:
        parsed = arns.parse_state_machine_arn(resource_arn)
        if self.store.get_state_machine(parsed.arn) is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{resource_arn}'")
        return parsed.arn

    def _set_tags(self, arn: str, current: dict[str, str], tags: list[dict[str, str]]) -> None:
        merged = dict(current)
        for tag in tags:
            merged[tag["key"]] = tag.get("value", "")
        if len(merged) > MAX_TAGS:
            raise ApiError("TooManyTags", f"Too many tags: a resource can have at most {MAX_TAGS} tags")
        self.store.set_tags(arn, merged)

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        """TagResource."""
        arn = self._tag_target(resource_arn)
        self._set_tags(arn, self.store.get_tags(arn), tags)
        return {}

    def untag_resource(self, resource_arn: str, tag_keys: list[str], **_: Any) -> dict[str, Any]:
        """UntagResource."""
        arn = self._tag_target(resource_arn)
        tags = {k: v for k, v in self.store.get_tags(arn).items() if k not in set(tag_keys)}
        self.store.set_tags(arn, tags)
        return {}

    def list_tags_for_resource(self, resource_arn: str, **_: Any) -> dict[str, Any]:
        """ListTagsForResource."""
        arn = self._tag_target(resource_arn)
        return {"tags": [{"key": k, "value": v} for k, v in self.store.get_tags(arn).items()]}


def _check_definition_size(definition: str) -> None:
    """Refuse a definition over AWS's limit before anything parses or stores it."""
    if len(definition.encode()) > MAX_DEFINITION_BYTES:
        raise ApiError(
            "ValidationException",
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_DEFINITION_BYTES}",
        )


def _parse_input(text: str) -> Any:
    if len(text.encode()) > MAX_INPUT_BYTES:
        raise ApiError("InvalidExecutionInput", "Invalid execution input: the input exceeds 262144 bytes")
    if exceeds_depth(text):
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{_TOO_DEEP}'")
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from exc


def _execution_item(record: ExecutionRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": from_epoch(record.start_date),
    }
    if record.stop_date is not None:
        item["stopDate"] = from_epoch(record.stop_date)
    if record.redrive_count:
        item["redriveCount"] = record.redrive_count
    if record.redrive_date is not None:
        item["redriveDate"] = from_epoch(record.redrive_date)
    return item


_DATA_FIELDS = ("input", "output")


def _render_event(event: dict[str, Any], include_data: bool) -> dict[str, Any]:
    rendered = dict(event)
    rendered["timestamp"] = from_epoch(event["timestamp"])
    if not include_data:
        for key, value in rendered.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                rendered[key] = {k: v for k, v in value.items() if k not in _DATA_FIELDS}
    return rendered

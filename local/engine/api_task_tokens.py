"""Callbacks for tasks that wait for a token: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat."""

from __future__ import annotations

import json
from collections.abc import Callable

from local.engine.api_base import ApiBase
from local.engine.api_executions import TOO_DEEP
from local.engine.api_types import EmptyOutput
from local.engine.errors import ApiError
from local.engine.frame import Thread, make_runnable
from local.engine.interpreter import Runner
from local.engine.json_nesting import exceeds_depth
from local.engine.state_task import schedule_heartbeat
from local.engine.store import ExecutionRecord

MAX_TOKEN_LENGTH = 2048

ThreadUpdate = Callable[[Runner, Thread], None]


class TaskTokenOperations(ApiBase):
    """The callback operations."""

    def _token_execution(self, task_token: str) -> str:
        if not isinstance(task_token, str) or not 1 <= len(task_token) <= MAX_TOKEN_LENGTH:
            raise ApiError("InvalidToken", "Invalid Token: 'The task token is not valid'")
        arn = self.store.token_owner(task_token)
        if arn is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist")
        return arn

    def _deliver(self, task_token: str, update: ThreadUpdate) -> None:
        """Apply `update` to the thread waiting on `task_token`, as one step of its execution."""
        arn = self._token_execution(task_token)

        def change(runner: Runner, record: ExecutionRecord) -> None:
            thread_id = runner.frame.tokens.get(task_token)
            thread = runner.frame.by_id.get(thread_id) if thread_id is not None else None
            if record.status != "RUNNING" or thread is None or thread["phase"] != "task":
                raise ApiError("TaskTimedOut", "Task Timed Out")
            update(runner, thread)

        try:
            self._driver.apply(arn, change)
        except LookupError as exc:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist") from exc

    def send_task_success(self, task_token: str, output: str) -> EmptyOutput:
        """SendTaskSuccess."""
        if exceeds_depth(output):
            raise ApiError("InvalidOutput", f"Invalid Output: '{TOO_DEEP}'")
        try:
            value = json.loads(output)
        except (TypeError, ValueError) as exc:
            raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from exc

        def succeed(runner: Runner, thread: Thread) -> None:
            thread["due"] = None
            make_runnable(thread, {"kind": "callback", "ok": True, "output": value})

        self._deliver(task_token, succeed)
        return {}

    def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None
    ) -> EmptyOutput:
        """SendTaskFailure."""

        def fail(runner: Runner, thread: Thread) -> None:
            thread["due"] = None
            make_runnable(thread, {"kind": "callback", "ok": False, "error": error, "cause": cause})

        self._deliver(task_token, fail)
        return {}

    def send_task_heartbeat(self, task_token: str) -> EmptyOutput:
        """SendTaskHeartbeat."""

        def beat(runner: Runner, thread: Thread) -> None:
            schedule_heartbeat(thread, runner.now_epoch())

        self._deliver(task_token, beat)
        return {}

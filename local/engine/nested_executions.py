"""Nested executions: a parent's `states:startExecution.sync` / `.sync:2` task and the child it waits on.

When a child ends, the parent task waiting on it (found through the child's `wait_token` in the store's
token table) resumes with the child's description, or fails with States.TaskFailed when the child did not
succeed. When a parent ends while it waits (stopped, failed, timed out), its `.sync` children are stopped,
as Step Functions does. A restart between a child's end and its parent's resumption is healed by
`resume_waiting_parents`, so a waiting parent still completes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from local.engine import integration_states
from local.engine.api_executions import redrive_status
from local.engine.driver import TERMINAL_STATUSES, ExecutionDriver, ExecutionEnd
from local.engine.errors import ApiError
from local.engine.frame import Frame, make_runnable
from local.engine.interpreter import Runner
from local.engine.state_specs import TaskSpec
from local.engine.store import ExecutionRecord, Store

# Stops an execution as StopExecution does (execution ARN).
ExecutionStopper = Callable[[str], object]


class NestedExecutions:
    """Connects the ends of child executions to the parents that wait on them."""

    def __init__(self, driver: ExecutionDriver, store: Store, stop: ExecutionStopper) -> None:
        self._driver = driver
        self._store = store
        self._stop = stop

    def execution_ended(self, end: ExecutionEnd) -> None:
        """An execution ended: answer the parent waiting on it, and stop the children it waited on."""
        self._answer_parent(end.record)
        for token in end.held_tokens:
            child = integration_states.waited_child(token)
            if child is not None:
                self._stop_child(child)

    def resume_waiting_parents(self) -> None:
        """Answer every parent that waits on a child which has ended already (after a restart)."""
        for parent in self._store.list_executions(None, "RUNNING"):
            frame_text = self._store.load_frame(parent.arn)
            if frame_text is None:
                continue
            for token in Frame.from_json(frame_text).tokens:
                child_arn = integration_states.waited_child(token)
                child = self._store.get_execution(child_arn) if child_arn is not None else None
                if child is not None and child.status in TERMINAL_STATUSES:
                    self._answer_parent(child)

    def _answer_parent(self, child: ExecutionRecord) -> None:
        token = integration_states.wait_token(child.arn)
        parent_arn = self._store.token_owner(token)
        if parent_arn is None:
            return

        def resume(runner: Runner, parent: ExecutionRecord) -> None:
            thread_id = runner.frame.tokens.get(token)
            thread = runner.frame.by_id.get(thread_id) if thread_id is not None else None
            if parent.status != "RUNNING" or thread is None or thread["phase"] != "task":
                return
            spec = runner.spec_of(thread)
            parse_output = isinstance(spec, TaskSpec) and spec.resource.pattern == "sync:2"
            described = integration_states.describe(
                child, parse_output=parse_output, redrive_status=redrive_status(child)
            )
            thread["due"] = None
            if child.status == "SUCCEEDED":
                make_runnable(thread, {"kind": "callback", "ok": True, "output": described})
                return
            cause = json.dumps(described, separators=(",", ":"), ensure_ascii=False)
            failed = integration_states.TASK_FAILED
            make_runnable(thread, {"kind": "callback", "ok": False, "error": failed, "cause": cause})

        try:
            self._driver.apply(parent_arn, resume)
        except LookupError:
            return  # the parent is gone

    def _stop_child(self, child_arn: str) -> None:
        try:
            self._stop(child_arn)
        except ApiError:
            return  # the child is gone

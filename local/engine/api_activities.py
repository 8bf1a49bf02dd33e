"""Activities: CreateActivity, DescribeActivity, ListActivities, DeleteActivity, and GetActivityTask, with
which a worker takes a task an activity Task state scheduled (and answers it with SendTaskSuccess/Failure)."""

from __future__ import annotations

from local.engine import arns, pagination
from local.engine.api_base import ApiBase
from local.engine.api_tags import merge_tags
from local.engine.api_types import (
    ActivityListItem,
    CreateActivityOutput,
    DescribeActivityOutput,
    EmptyOutput,
    GetActivityTaskOutput,
    ListActivitiesOutput,
)
from local.engine.errors import ApiError
from local.engine.interpreter import Runner
from local.engine.state_task import activity_started
from local.engine.store import ActivityRecord, ActivityTask, ExecutionRecord
from local.engine.timestamps import from_epoch

MAX_WORKER_NAME = 256


class _NotWaiting(Exception):
    """The Task state of a queued task no longer waits for a worker."""


class ActivityOperations(ApiBase):
    """The activity operations."""

    def create_activity(self, name: str, tags: list[dict[str, str]] | None = None) -> CreateActivityOutput:
        """CreateActivity; creating an existing activity again returns it, unless the tags differ."""
        arns.check_name(name)
        arn = arns.activity_arn(self.region, self.account_id, name)
        with self._catalog_lock:
            existing = self.store.get_activity(arn)
            if existing is not None:
                wanted = {tag["key"]: tag.get("value", "") for tag in tags or []}
                if tags is not None and wanted != self.store.get_tags(arn):
                    raise ApiError("ActivityAlreadyExists", f"Activity already exists: '{arn}'")
                return {"activityArn": arn, "creationDate": from_epoch(existing.creation_date)}
            record = ActivityRecord(arn=arn, name=name, creation_date=self._now_epoch())
            merge_tags(self.store, arn, {}, tags or [])
            self.store.put_activity(record)
        return {"activityArn": arn, "creationDate": from_epoch(record.creation_date)}

    def describe_activity(self, activity_arn: str) -> DescribeActivityOutput:
        """DescribeActivity."""
        record = self._activity(activity_arn)
        created = from_epoch(record.creation_date)
        return {"activityArn": record.arn, "name": record.name, "creationDate": created}

    def list_activities(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> ListActivitiesOutput:
        """ListActivities, oldest first, in pages whose tokens stay good while activities come and go."""
        chosen, token = pagination.page(
            self.store.list_activity_entries(), _creation_order, max_results, next_token, scope="activities"
        )
        items: list[ActivityListItem] = [
            {"activityArn": r.arn, "name": r.name, "creationDate": from_epoch(r.creation_date)}
            for _, r in chosen
        ]
        response: ListActivitiesOutput = {"activities": items}
        if token is not None:
            response["nextToken"] = token
        return response

    def delete_activity(self, activity_arn: str) -> EmptyOutput:
        """DeleteActivity (deleting one that does not exist is no error, as on AWS)."""
        arns.check_activity_arn(activity_arn)
        with self._catalog_lock:
            self.store.delete_activity(activity_arn)
        return {}

    def get_activity_task(self, activity_arn: str, worker_name: str | None = None) -> GetActivityTaskOutput:
        """GetActivityTask: the oldest task waiting for a worker of the activity, waiting for one to be
        scheduled up to the poll time (60 seconds, as on AWS); without a task, neither member is set."""
        self._activity(activity_arn)
        if worker_name is not None and len(worker_name) > MAX_WORKER_NAME:
            raise ApiError(
                "ValidationException", f"workerName must be at most {MAX_WORKER_NAME} characters long"
            )
        task = self._activity_queue.take(activity_arn, lambda queued: self._start(queued, worker_name))
        if task is None:
            return {}
        return {"taskToken": task.token, "input": task.input}

    def _start(self, task: ActivityTask, worker_name: str | None) -> bool:
        """Record that a worker took `task` (ActivityStarted); False when its state no longer waits."""

        def start(runner: Runner, record: ExecutionRecord) -> None:
            thread_id = runner.frame.tokens.get(task.token)
            thread = runner.frame.by_id.get(thread_id) if thread_id is not None else None
            if record.status != "RUNNING" or thread is None or thread["phase"] != "task":
                raise _NotWaiting
            if not activity_started(runner, thread, worker_name):
                raise _NotWaiting

        try:
            self._driver.apply(task.execution_arn, start)
        except (LookupError, _NotWaiting):
            return False
        return True

    def _activity(self, arn: str) -> ActivityRecord:
        arns.check_activity_arn(arn)
        record = self.store.get_activity(arn)
        if record is None:
            raise ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
        return record


def _creation_order(entry: tuple[int, ActivityRecord]) -> tuple[float, int]:
    return (entry[1].creation_date, entry[0])

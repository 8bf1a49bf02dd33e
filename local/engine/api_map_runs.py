"""Map Run operations: describe a Distributed Map's run, list an execution's runs, change a running run's
limits."""

from __future__ import annotations

from local.engine import map_runs, pagination
from local.engine.api_base import ApiBase
from local.engine.api_types import DescribeMapRunOutput, EmptyOutput, ListMapRunsOutput, MapRunListItem
from local.engine.errors import ApiError
from local.engine.store import MapRunRecord
from local.engine.timestamps import from_epoch


class MapRunOperations(ApiBase):
    """The Map Run operations."""

    def describe_map_run(self, map_run_arn: str) -> DescribeMapRunOutput:
        """DescribeMapRun: the run's status, limits, and its items and children counted by status."""
        run = self._map_run(map_run_arn)
        item_counts, execution_counts = map_runs.counts(run, self.store.count_map_run_children(run.arn))
        response: DescribeMapRunOutput = {
            "mapRunArn": run.arn,
            "executionArn": run.execution_arn,
            "status": run.status,
            "startDate": from_epoch(run.start_date),
            "maxConcurrency": run.max_concurrency,
            "toleratedFailurePercentage": run.tolerated_failure_percentage,
            "toleratedFailureCount": run.tolerated_failure_count,
            "itemCounts": item_counts,
            "executionCounts": execution_counts,
            "redriveCount": run.redrive_count,
        }
        if run.stop_date is not None:
            response["stopDate"] = from_epoch(run.stop_date)
        if run.redrive_date is not None:
            response["redriveDate"] = from_epoch(run.redrive_date)
        return response

    def list_map_runs(
        self, execution_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> ListMapRunsOutput:
        """ListMapRuns: the runs an execution's Distributed Maps started, newest first."""
        self._execution(execution_arn)
        entries = self.store.list_map_run_entries(execution_arn)
        entries.reverse()
        page, token = pagination.page(
            entries,
            lambda entry: (entry[0],),
            max_results,
            next_token,
            scope=f"map_runs:{execution_arn}",
            descending=True,
        )
        response: ListMapRunsOutput = {"mapRuns": [_map_run_item(run) for _, run in page]}
        if token is not None:
            response["nextToken"] = token
        return response

    def update_map_run(
        self,
        map_run_arn: str,
        max_concurrency: int | None = None,
        tolerated_failure_percentage: float | None = None,
        tolerated_failure_count: int | None = None,
    ) -> EmptyOutput:
        """UpdateMapRun: new limits for a running run, for the children it has not started yet."""
        _check_limits(max_concurrency, tolerated_failure_percentage, tolerated_failure_count)
        run = self._map_run(map_run_arn)
        if run.status != "RUNNING":
            raise ApiError("ValidationException", f"Map Run is not running: '{map_run_arn}'")
        if max_concurrency is not None:
            run.max_concurrency = max_concurrency
        if tolerated_failure_percentage is not None:
            run.tolerated_failure_percentage = float(tolerated_failure_percentage)
        if tolerated_failure_count is not None:
            run.tolerated_failure_count = tolerated_failure_count
        self._map_run_children.update_run(run)
        return {}


def _check_limits(
    max_concurrency: int | None,
    tolerated_failure_percentage: float | None,
    tolerated_failure_count: int | None,
) -> None:
    """UpdateMapRun's parameters as AWS validates them."""
    if max_concurrency is None and tolerated_failure_percentage is None and tolerated_failure_count is None:
        raise ApiError(
            "ValidationException",
            "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount is required",
        )
    for name, value, upper in (
        ("maxConcurrency", max_concurrency, None),
        ("toleratedFailurePercentage", tolerated_failure_percentage, 100),
        ("toleratedFailureCount", tolerated_failure_count, None),
    ):
        if value is None:
            continue
        if value < 0:
            bound = "greater than or equal to 0"
        elif upper is not None and value > upper:
            bound = f"less than or equal to {upper}"
        else:
            continue
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
            f"Member must have value {bound}",
        )


def _map_run_item(run: MapRunRecord) -> MapRunListItem:
    item: MapRunListItem = {
        "executionArn": run.execution_arn,
        "mapRunArn": run.arn,
        "stateMachineArn": run.state_machine_arn,
        "startDate": from_epoch(run.start_date),
    }
    if run.stop_date is not None:
        item["stopDate"] = from_epoch(run.stop_date)
    return item

"""GetExecutionHistory: an execution's events, paged, oldest or newest first, with or without data."""

from __future__ import annotations

from typing import Any

from local.engine import pagination
from local.engine.api_base import ApiBase
from local.engine.api_types import GetExecutionHistoryOutput, HistoryEvent
from local.engine.errors import ApiError
from local.engine.timestamps import from_epoch

MAX_HISTORY_PAGE = 1000
_DATA_FIELDS = ("input", "output")


class HistoryOperations(ApiBase):
    """The history operation."""

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
        reverse_order: bool = False,
        include_execution_data: bool = True,
    ) -> GetExecutionHistoryOutput:
        """GetExecutionHistory (not of an Express Map Run child: AWS keeps no history of it)."""
        if self._execution(execution_arn).type == "EXPRESS":
            raise ApiError("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
        history = self.store.get_events(execution_arn)
        if reverse_order:
            history.reverse()
        page, token = pagination.page(
            history,
            lambda event: (int(event["id"]),),
            max_results or MAX_HISTORY_PAGE,
            next_token,
            scope=f"history:{execution_arn}:{reverse_order}",
            descending=reverse_order,
        )
        response: GetExecutionHistoryOutput = {
            "events": [_render_event(event, include_execution_data) for event in page]
        }
        if token is not None:
            response["nextToken"] = token
        return response


def _render_event(event: dict[str, Any], include_data: bool) -> HistoryEvent:
    """An event as AWS answers it: its time as a datetime; without `input`/`output` when data is left out."""
    rendered = dict(event)
    rendered["timestamp"] = from_epoch(event["timestamp"])
    if not include_data:
        for key, value in rendered.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                rendered[key] = {k: v for k, v in value.items() if k not in _DATA_FIELDS}
    return rendered

"""RedriveExecution: continue a failed, aborted or timed-out Standard execution from the state that failed."""

from __future__ import annotations

from local.engine.api_base import ApiBase
from local.engine.api_executions import status_not_redrivable
from local.engine.api_types import RedriveExecutionOutput
from local.engine.errors import ApiError
from local.engine.execution import REDRIVABLE_STATUSES
from local.engine.frame import Frame, RedrivePoint, StateData
from local.engine.store import ExecutionRecord
from local.engine.timestamps import from_epoch

REDRIVE_WINDOW_SECONDS = 14 * 24 * 3600


class RedriveOperations(ApiBase):
    """The redrive operation."""

    def redrive_execution(
        self, execution_arn: str, client_token: str | None = None
    ) -> RedriveExecutionOutput:
        """RedriveExecution: continue a failed/aborted/timed-out execution from the state that failed."""
        record, frame = self._with_frame(execution_arn)
        reason = self._not_redrivable_reason(record, frame)
        if reason is None and record.map_run_arn is not None:
            reason = "Execution is a child of a Map Run: redrive the execution that started the Map Run"
        if reason is not None:
            raise ApiError("ExecutionNotRedrivable", reason)
        assert frame is not None and frame.redrive is not None
        self._redrive(record, frame)
        return {"redriveDate": from_epoch(record.redrive_date or self._now_epoch())}

    def _redrive_map_run_child(self, execution_arn: str) -> ExecutionRecord | None:
        """Redrive a Map Run's child as its redriven run asks (None when it cannot be redriven)."""
        record, frame = self._with_frame(execution_arn)
        if self._not_redrivable_reason(record, frame) is not None or frame is None:
            return None
        self._redrive(record, frame)
        return record

    def _with_frame(self, execution_arn: str) -> tuple[ExecutionRecord, Frame | None]:
        record = self._execution(execution_arn)
        frame_text = self.store.load_frame(execution_arn)
        return record, Frame.from_json(frame_text) if frame_text else None

    def _redrive(self, record: ExecutionRecord, frame: Frame) -> None:
        """Continue the execution from its redrive point, with the children's outputs it kept."""
        assert frame.redrive is not None
        execution_arn = record.arn
        with self._driver.claim(execution_arn):
            record.redrive_count += 1
            record.redrive_date = self._now_epoch()
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
                data=_redriven_state_data(point),
            )
            timeout = runner.definition.timeout_seconds
            if timeout is not None:  # a redrive starts the execution's TimeoutSeconds afresh
                frame.timeout_due = record.redrive_date + timeout
            self._driver.commit(runner, record)

    def _not_redrivable_reason(self, record: ExecutionRecord, frame: Frame | None) -> str | None:
        if record.type != "STANDARD":
            return "Execution is not redrivable: only Standard Workflow executions can be redriven"
        if record.status not in REDRIVABLE_STATUSES:
            return status_not_redrivable(record.status)
        if frame is None or frame.redrive is None:
            return "Execution cannot be redriven: it did not fail in a state"
        if self._now_epoch() - (record.stop_date or 0) > REDRIVE_WINDOW_SECONDS:
            return "Execution cannot be redriven: it ended more than 14 days ago"
        return None


def _redriven_state_data(point: RedrivePoint) -> StateData:
    """What the redriven state starts from: the children's outputs it keeps, the Map Run it redrives."""
    data: StateData = {}
    if "kept" in point:
        data["kept"] = point["kept"]
    if "map_run" in point:
        data["redriven_run"] = point["map_run"]
    return data

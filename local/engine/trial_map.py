"""TestState's Map state: everything a Map does but run its iterations.

The Map reads its items (an ItemReader reads `stateConfiguration.mapItemReaderData`), applies its
ItemSelector and ItemBatcher and evaluates its limits as it would in an execution, and TestState shows each
as inspection data, as AWS does. Its iterations do not run: the mock is their result (or their error), and
`stateConfiguration.mapIterationFailureCount` says how many of them failed, which fails the Map with
States.ExceedToleratedFailureThreshold when that is more than its ToleratedFailureCount or Percentage.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from local.engine import dataflow, paths
from local.engine.frame import StateData, Thread
from local.engine.state_map import MapState
from local.engine.state_map_distributed import THRESHOLD_CAUSE, THRESHOLD_EXCEEDED, within_tolerance
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import MapSpec
from local.engine.tasks import TaskResult

# What a Map shows beyond any state's data flow, by AWS's names: JSON text, then numbers.
TEXT_STAGES = ("afterItemsPath", "afterItemSelector", "afterItemBatcher")
NUMBER_STAGES = ("toleratedFailureCount", "toleratedFailurePercentage", "maxConcurrency")


class MockedMapState(MapState, state_type="Map", done="iterations_done", failed="iteration_failed"):
    """A Map whose iterations are `answer`, `failure_count` of them failed (None: not said)."""

    def __init__(self, answer: TaskResult, failure_count: int | None = None) -> None:
        self.answer, self.failure_count = answer, failure_count

    def start_children(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        """Show what the iterations would have been given, then end with the mock in their place."""
        data = thread["data"]
        self._show_items(runner, thread, spec)
        concurrency, count, percentage = (
            data["concurrency"],
            data["tolerated_count"],
            data["tolerated_percentage"],
        )
        runner.inspect(thread, "maxConcurrency", int(concurrency or 0))
        if count is not None:
            runner.inspect(thread, "toleratedFailureCount", int(count))
        if percentage is not None:
            runner.inspect(thread, "toleratedFailurePercentage", float(percentage))
        if self._over_threshold(data):
            runner.fail_state(thread, spec, THRESHOLD_EXCEEDED, THRESHOLD_CAUSE)
            return
        if not self.answer.ok:
            runner.fail_state(thread, spec, self.answer.error, self.answer.cause)
            return
        output, assigned = dataflow.finish(runner, thread, spec, self.answer.output)
        runner.complete(thread, spec, output, assigned)

    def _show_items(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        data = thread["data"]
        batched = bool(data.get("batched"))
        if not spec.is_jsonata and spec.item_reader is None:
            scope = runner.scope(thread, spec, data["effective"])
            runner.inspect(thread, "afterItemsPath", paths.resolve_field_path(spec.items_path, scope))
        if spec.item_selector is not None or spec.item_template is not None:
            if batched:
                selected = list(chain.from_iterable(batch["Items"] for batch in data["items"]))
            else:
                selected = [
                    self.item_input(runner, thread, spec, index) for index in range(len(data["items"]))
                ]
            runner.inspect(thread, "afterItemSelector", selected)
        if batched:
            runner.inspect(thread, "afterItemBatcher", data["items"])

    def _over_threshold(self, data: StateData) -> bool:
        tolerant = data["tolerated_count"] is not None or data["tolerated_percentage"] is not None
        if self.failure_count is None or not tolerant:
            return False  # without a tolerance AWS reports the mock, however many iterations failed
        counted: StateData = {**data, "failures": self.failure_count}
        return not within_tolerance(counted)


def inspection(stages: dict[str, Any]) -> dict[str, Any]:
    """The InspectionData members only a Map fills, from the stages its run noted."""
    shown: dict[str, Any] = {
        stage: paths.json_compact(stages[stage]) for stage in TEXT_STAGES if stage in stages
    }
    shown.update({stage: stages[stage] for stage in NUMBER_STAGES if stage in stages})
    return shown

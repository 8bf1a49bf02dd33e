"""Map state (inline): one child thread per item, at most MaxConcurrency at a time.

Iterations run in "lanes" (as many as the concurrency allows). An iteration's MapIterationStarted
event follows the last event of the previous iteration in its lane, which is how Step Functions
chains iteration events.
"""

from __future__ import annotations

from typing import Any

from local.engine import dataflow, events, jsonata_eval, jsonpath, paths
from local.engine.definition import StateSpec, processor_key
from local.engine.errors import StatesError
from local.engine.frame import Thread
from local.engine.state_composite import CompositeState, slot_of
from local.engine.state_protocol import StateRunner
from local.engine.states import type_name

RUNTIME = "States.Runtime"
THRESHOLD_EXCEEDED = "States.ExceedToleratedFailureThreshold"
# An inline Map runs at most 40 iterations at a time, however high (or unset) MaxConcurrency is.
INLINE_CONCURRENCY_LIMIT = 40
# Distributed-map features that need S3 or child executions; a Map using them fails with a clear error.
UNSUPPORTED_FIELDS = ("ItemReader", "ItemBatcher", "ResultWriter")


class MapState(CompositeState):
    """Inline Map (ItemProcessor or the legacy Iterator)."""

    state_type = "Map"
    done = "iterations_done"
    failed = "iteration_failed"

    def enter(self, runner: StateRunner, thread: Thread, spec: StateSpec) -> None:
        """Read the items and the limits, then start iterating."""
        unsupported = [name for name in UNSUPPORTED_FIELDS if spec.has(name)]
        if unsupported:
            raise StatesError(
                RUNTIME,
                f"The local engine runs Map states inline and does not support {', '.join(unsupported)}",
            )
        settings: _JsonataSettings | _JsonPathSettings
        if spec.is_jsonata:
            settings = _JsonataSettings(runner, thread, spec)
        else:
            settings = _JsonPathSettings(runner, thread, spec)
        thread["data"] = {
            "effective": settings.effective,
            "items": settings.items(),
            "concurrency": settings.number("MaxConcurrency"),
            "tolerated_count": settings.number("ToleratedFailureCount"),
            "tolerated_percentage": settings.number("ToleratedFailurePercentage"),
            "kept": self.kept_by_redrive(thread),
        }
        self.start_children(runner, thread, spec)

    def start_children(self, runner: StateRunner, thread: Thread, spec: StateSpec) -> None:
        """Start as many iterations as the concurrency allows (those a redrive did not keep)."""
        data = thread["data"]
        count = len(data["items"])
        runner.log.emit(thread, "MapStateStarted", "mapStateStartedEventDetails", {"length": count})
        kept = self.take_kept(data, count)
        # A redriven Map runs only the iterations that did not succeed before, in index order.
        order = [index for index in range(count) if index not in kept] if kept else None
        concurrency = data["concurrency"] or 0
        limit = min(concurrency, INLINE_CONCURRENCY_LIMIT) if concurrency else INLINE_CONCURRENCY_LIMIT
        lanes = max(1, min(count - len(kept), limit))
        data.update(
            results=[kept.get(index) for index in range(count)],
            succeeded=sorted(kept),
            order=order,
            next=0,
            done=len(kept),
            failures=0,
            lanes=[thread["src"]] * lanes,
            lane_last=[thread["src"]] * lanes,
            free=list(range(lanes)),
            lane_of={},
        )
        thread["phase"] = "children"
        if data["done"] == count:
            self.children_done(thread)
            return
        self._launch(runner, thread, spec)

    def _launch(self, runner: StateRunner, thread: Thread, spec: StateSpec) -> None:
        data = thread["data"]
        machine = runner.machine(processor_key(spec))
        order = data.get("order")
        to_run = len(order) if order is not None else len(data["items"])
        while data["free"] and data["next"] < to_run:
            index = order[data["next"]] if order is not None else data["next"]
            data["next"] += 1
            lane = data["free"].pop(0)
            data["lane_of"][str(index)] = lane
            self.spawn(
                runner,
                thread,
                machine,
                index,
                self._item_input(runner, thread, spec, index),
                src=data["lanes"][lane],
                phase="start",
                data={"iteration": {"name": spec.name, "index": index}},
            )

    def _item_input(self, runner: StateRunner, thread: Thread, spec: StateSpec, index: int) -> Any:
        data = thread["data"]
        value = data["items"][index]
        selector = "ItemSelector" if spec.has("ItemSelector") else "Parameters"
        if not spec.has(selector):
            return value
        item_context = {"Map": {"Item": {"Index": index, "Value": value}}}
        if spec.is_jsonata:
            context = runner.context_object(thread, spec, item_context)
            bindings = runner.bindings(thread, spec, context=context)
            return jsonata_eval.evaluate_template(spec.get(selector), bindings, selector)
        return dataflow.parameters(
            runner, thread, spec, data["effective"], field_name=selector, extra_context=item_context
        )

    def _release_lane(self, data: dict[str, Any], index: int, pointer: int, last: int) -> None:
        lane = data["lane_of"].pop(str(index))
        data["lanes"][lane] = pointer
        data["lane_last"][lane] = last
        data["free"].append(lane)
        data["free"].sort()

    def child_succeeded(self, runner: StateRunner, parent: Thread, child: Thread, output: Any) -> None:
        """An iteration ended: keep its output, start the next ones or finish."""
        spec = runner.spec_of(parent)
        data = parent["data"]
        index = slot_of(child)
        event_id = runner.log.emit(
            child,
            "MapIterationSucceeded",
            "mapIterationSucceededEventDetails",
            events.iteration(spec.name, index),
            move=False,
        )
        self._release_lane(data, index, child["src"], event_id)
        self.record_success(data, child, output)
        self._after_iteration(runner, parent, spec)

    def child_failed(
        self,
        runner: StateRunner,
        parent: Thread,
        child: Thread,
        error: str | None,
        cause: str | None,
    ) -> None:
        """An iteration failed: tolerate it or stop the other iterations and fail the state."""
        spec = runner.spec_of(parent)
        data = parent["data"]
        index = slot_of(child)
        runner.log.emit(
            child,
            "MapIterationFailed",
            "mapIterationFailedEventDetails",
            events.iteration(spec.name, index),
            move=False,
        )
        self._release_lane(data, index, child["src"], child["src"])
        data["failures"] += 1
        data["results"][index] = {"Error": error, "Cause": cause}
        if self._tolerated(data):
            self._after_iteration(runner, parent, spec)
            return
        for sibling in runner.drop_children(parent):
            if sibling["phase"] == "start":
                continue  # launched but not started yet: nothing to abort in the history
            runner.log.emit(
                sibling,
                "MapIterationAborted",
                "mapIterationAbortedEventDetails",
                events.iteration(spec.name, slot_of(sibling)),
                move=False,
            )
            parent["src"] = max(parent["src"], sibling["src"])
        parent["src"] = max([parent["src"], *data["lanes"]])
        if data["tolerated_count"] is not None or data["tolerated_percentage"] is not None:
            error, cause = THRESHOLD_EXCEEDED, "The specified tolerated failure threshold was exceeded"
        self.children_failed(parent, error, cause)

    def _tolerated(self, data: dict[str, Any]) -> bool:
        count, percentage = data["tolerated_count"], data["tolerated_percentage"]
        if count is None and percentage is None:
            return False
        failures = data["failures"]
        within_count = count is None or failures <= count
        within_percentage = percentage is None or failures * 100 <= percentage * len(data["items"])
        return within_count and within_percentage

    def _after_iteration(self, runner: StateRunner, parent: Thread, spec: StateSpec) -> None:
        data = parent["data"]
        data["done"] += 1
        if data["done"] == len(data["items"]):
            parent["src"] = max([parent["src"], *data["lane_last"]])
            self.children_done(parent)
            return
        self._launch(runner, parent, spec)


class _JsonPathSettings:
    """Items and limits of a JSONPath Map state."""

    def __init__(self, runner: StateRunner, thread: Thread, spec: StateSpec) -> None:
        self.runner, self.thread, self.spec = runner, thread, spec
        self.effective = dataflow.input_value(runner, thread, spec)
        self.scope = runner.scope(thread, spec, self.effective)

    def items(self) -> list[Any]:
        path = self.spec.get("ItemsPath", "$")
        items = self.effective if path == "$" else paths.resolve_field_path(path, self.scope)
        if not isinstance(items, list):
            raise StatesError(
                RUNTIME,
                f"Invalid path '{path}': The ItemsPath field must point to a JSON array, "
                f"but was: {paths.json_compact(items)}",
            )
        return items

    def number(self, field_name: str) -> Any:
        if self.spec.has(field_name):
            return self.spec.get(field_name)
        path = self.spec.get(f"{field_name}Path")
        if path is None:
            return None
        try:
            value = paths.resolve(path, self.scope)
        except jsonpath.JsonPathNotFound as exc:
            raise StatesError(RUNTIME, f"Invalid path '{path}' : {exc.detail}") from exc
        valid = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and int(value) == value
            and value >= 0
        )
        if field_name == "ToleratedFailurePercentage":
            valid = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
        if not valid:
            shown = value if isinstance(value, str) else paths.json_compact(value)
            raise StatesError(
                RUNTIME,
                f'The {field_name}Path field refers to value "{shown}" which is not a valid integer: {path}',
            )
        return value


class _JsonataSettings:
    """Items and limits of a JSONata Map state."""

    def __init__(self, runner: StateRunner, thread: Thread, spec: StateSpec) -> None:
        self.runner, self.thread, self.spec = runner, thread, spec
        self.effective = thread["input"]

    def items(self) -> list[Any]:
        if not self.spec.has("Items"):
            items = self.thread["input"]
            if not isinstance(items, list):
                raise StatesError(RUNTIME, f"Map state input must be an array but was: {type_name(items)}")
            return items
        template = self.spec.get("Items")
        items = jsonata_eval.evaluate_template(template, self._bindings(), "Items")
        if not isinstance(items, list):
            text = template if isinstance(template, str) else paths.json_compact(template)
            raise jsonata_eval.unexpected_type(text, "Items", "array", items, type_name(items))
        return items

    def _bindings(self) -> jsonata_eval.Bindings:
        return self.runner.bindings(self.thread, self.spec)

    def number(self, field_name: str) -> Any:
        value = self.spec.get(field_name)
        if jsonata_eval.is_expression(value):
            value = jsonata_eval.evaluate(value, self._bindings(), field_name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise jsonata_eval.unexpected_type(
                    self.spec.get(field_name), field_name, "number", value, type_name(value)
                )
        return value

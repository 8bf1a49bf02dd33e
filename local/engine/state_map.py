"""Map state: inline, one child thread per item, at most MaxConcurrency at a time (a Distributed Map's
Map Run is `state_map_distributed`'s).

Iterations run in "lanes" (as many as the concurrency allows). An iteration's MapIterationStarted
event follows the last event of the previous iteration in its lane, which is how Step Functions
chains iteration events.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from local.engine import (
    dataflow,
    events,
    jsonata_eval,
    jsonpath,
    map_item_batcher,
    map_item_reader,
    map_result_writer,
    paths,
    state_map_distributed,
)
from local.engine.errors import EvaluationFailure, StatesError
from local.engine.frame import Resume, StateData, Thread
from local.engine.map_item_batcher import ItemBatcherSpec
from local.engine.map_result_writer import ResultWriterSpec
from local.engine.map_runs import MapRun
from local.engine.resources import Resource, parse_resource
from local.engine.state_composite import CompositeState, slot_of
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import Given, MapLimit, MapSpec
from local.engine.states import type_name
from local.engine.tasks import TaskCall
from local.engine.timestamps import iso_millis

RUNTIME = "States.Runtime"
# An inline Map runs at most 40 iterations at a time, however high (or unset) MaxConcurrency is.
INLINE_CONCURRENCY_LIMIT = 40
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


class MapState(CompositeState[MapSpec], state_type="Map", done="iterations_done", failed="iteration_failed"):
    """Map (ItemProcessor or the legacy Iterator)."""

    def enter(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        """Read the items and the limits, then start iterating (a Distributed Map's ItemReader reads once its
        Map Run has started)."""
        settings = _settings(runner, thread, spec)
        reads_in_run = spec.item_reader is not None and _runs_distributed(runner, spec)
        thread["data"] = {
            "effective": settings.effective,
            "items": [] if reads_in_run else _read_items(runner, thread, spec, settings),
            "concurrency": settings.number(spec.max_concurrency),
            "tolerated_count": settings.number(spec.tolerated_failure_count),
            "tolerated_percentage": settings.number(spec.tolerated_failure_percentage),
            "kept": self.kept_by_redrive(thread),
            **_run_to_redrive(thread),
        }
        if spec.item_batcher is not None and not reads_in_run:
            self._batch(runner, thread, spec, spec.item_batcher, settings)
        if spec.result_writer is not None:
            thread["data"]["iteration_runs"] = {}
        self.start_children(runner, thread, spec)

    def load_items(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        """Read the items with the ItemReader, and batch them."""
        settings = _settings(runner, thread, spec)
        thread["data"]["items"] = _read_items(runner, thread, spec, settings)
        if spec.item_batcher is not None:
            self._batch(runner, thread, spec, spec.item_batcher, settings)

    def start_children(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        """Start as many iterations as the concurrency allows (those a redrive did not keep); a Distributed
        Map starts a Map Run whose child executions process them."""
        services = runner.map_runs
        if services is not None and _runs_distributed(runner, spec):
            state_map_distributed.start_run(self, runner, thread, spec, services)
            return
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
            {
                "results": [kept.get(index) for index in range(count)],
                "succeeded": sorted(kept),
                "order": order,
                "next": 0,
                "done": len(kept),
                "failures": 0,
                "lanes": [thread["src"]] * lanes,
                "lane_last": [thread["src"]] * lanes,
                "free": list(range(lanes)),
                "lane_of": {},
            }
        )
        thread["phase"] = "children"
        if data["done"] == count:
            self.children_done(thread)
            return
        self._launch(runner, thread, spec)

    def _launch(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        data = thread["data"]
        machine = runner.machine(spec.processor)
        order = data.get("order")
        to_run = len(order) if order is not None else len(data["items"])
        while data["free"] and data["next"] < to_run:
            index = order[data["next"]] if order is not None else data["next"]
            data["next"] += 1
            lane = data["free"].pop(0)
            data["lane_of"][str(index)] = lane
            value = self.item_input(runner, thread, spec, index)
            if "iteration_runs" in data:
                data["iteration_runs"][str(index)] = {"Input": value, "StartDate": iso_millis(runner.now())}
            self.spawn(
                runner,
                thread,
                machine,
                index,
                value,
                src=data["lanes"][lane],
                phase="start",
                data={"iteration": {"name": spec.name, "index": index}},
            )

    def _batch(
        self,
        runner: StateRunner,
        thread: Thread,
        spec: MapSpec,
        batcher: ItemBatcherSpec,
        settings: _JsonataSettings | _JsonPathSettings,
    ) -> None:
        """Group the selected items into batches: from here on, each batch is one iteration's input."""
        data = thread["data"]
        max_items = settings.number(
            MapLimit("MaxItemsPerBatch", _given(batcher.max_items), batcher.max_items_path)
        )
        max_bytes = settings.number(
            MapLimit("MaxInputBytesPerBatch", _given(batcher.max_bytes), batcher.max_bytes_path)
        )
        extra: dict[str, Any] = {}
        if batcher.has_batch_input and spec.is_jsonata:
            bindings = runner.bindings(thread, spec)
            extra["BatchInput"] = jsonata_eval.evaluate_template(
                batcher.batch_input_template, bindings, "BatchInput"
            )
        elif batcher.has_batch_input:
            extra["BatchInput"] = dataflow.apply_template(
                runner, thread, spec, batcher.batch_input, data["effective"]
            )
        selected = [self.item_input(runner, thread, spec, index) for index in range(len(data["items"]))]
        data["items"] = map_item_batcher.batches(selected, max_items or None, max_bytes or None, extra)
        data["batched"] = True

    def item_input(self, runner: StateRunner, thread: Thread, spec: MapSpec, index: int) -> Any:
        """The input of item (or batch) `index`: the item as ItemSelector makes it."""
        data = thread["data"]
        value = data["items"][index]
        if data.get("batched") or (spec.item_selector is None and spec.item_template is None):
            return value
        item_context = {"Map": {"Item": {"Index": index, "Value": value}}}
        if spec.item_template is not None:
            context = runner.context_object(thread, spec, item_context)
            bindings = runner.bindings(thread, spec, context=context)
            return jsonata_eval.evaluate_template(spec.item_template.value, bindings, spec.selector_name)
        return dataflow.apply_template(
            runner, thread, spec, spec.item_selector, data["effective"], extra_context=item_context
        )

    def _release_lane(self, data: StateData, index: int, pointer: int, last: int) -> None:
        lane = data["lane_of"].pop(str(index))
        data["lanes"][lane] = pointer
        data["lane_last"][lane] = last
        data["free"].append(lane)
        data["free"].sort()

    def child_succeeded(self, runner: StateRunner, parent: Thread, child: Thread, output: Any) -> None:
        """An iteration ended: keep its output, start the next ones or finish."""
        spec = self.spec_of(runner, parent)
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
        _note_stop(runner, data, index)
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
        spec = self.spec_of(runner, parent)
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
        _note_stop(runner, data, index)
        data["failures"] += 1
        data["results"][index] = {"Error": error, "Cause": cause}
        if state_map_distributed.within_tolerance(data):
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
            error, cause = state_map_distributed.THRESHOLD_EXCEEDED, state_map_distributed.THRESHOLD_CAUSE
        self.children_failed(parent, error, cause)

    def resume(self, runner: StateRunner, thread: Thread, spec: MapSpec, resume: Resume) -> None:
        """As every composite state does, but a ResultWriter first shapes the results, or writes them to S3
        (also when the Map Run failed, as AWS does)."""
        writer, kind = spec.result_writer, resume["kind"]
        if writer is None or not (kind == self.done or (kind == self.failed and writer.resource is not None)):
            super().resume(runner, thread, spec, resume)
            return
        try:
            written = _write_results(runner, thread, spec, writer)
        except StatesError as failure:
            runner.fail_state(thread, spec, failure.error, failure.cause)
            return
        if kind == self.failed:
            super().resume(runner, thread, spec, resume)
            return
        runner.log.emit(thread, "MapStateSucceeded", move=False)
        output, assigned = dataflow.finish(runner, thread, spec, written)
        runner.complete(thread, spec, output, assigned)

    def _after_iteration(self, runner: StateRunner, parent: Thread, spec: MapSpec) -> None:
        data = parent["data"]
        data["done"] += 1
        if data["done"] == len(data["items"]):
            parent["src"] = max([parent["src"], *data["lane_last"]])
            self.children_done(parent)
            return
        self._launch(runner, parent, spec)


def _settings(runner: StateRunner, thread: Thread, spec: MapSpec) -> _JsonataSettings | _JsonPathSettings:
    if spec.is_jsonata:
        return _JsonataSettings(runner, thread, spec)
    return _JsonPathSettings(runner, thread, spec)


def _run_to_redrive(thread: Thread) -> StateData:
    """The Map Run a redrive of the execution redrives, carried into the state's data."""
    run = thread["data"].get("redriven_run")
    return {"redriven_run": run} if run is not None else {}


def _runs_distributed(runner: StateRunner, spec: MapSpec) -> bool:
    """Whether the Map runs as a Map Run (a Distributed Map, where the engine runs Map Runs)."""
    return spec.child_workflow is not None and runner.map_runs is not None


def _note_stop(runner: StateRunner, data: StateData, index: int) -> None:
    if "iteration_runs" in data:
        data["iteration_runs"][str(index)]["StopDate"] = iso_millis(runner.now())


def _write_results(runner: StateRunner, thread: Thread, spec: MapSpec, writer: ResultWriterSpec) -> Any:
    """The Map's result: the shaped results (WriterConfig only), or, once the results and the manifest are put
    to S3, where they are."""
    data = thread["data"]
    map_name = spec.label or spec.name
    if "map_run" in data:
        run = state_map_distributed.run_of(runner, spec, data)
    else:  # a Distributed Map run inline, as TestState runs it
        run = MapRun.of(runner.info.state_machine_arn, map_name, str(uuid.uuid4()))
    child_machine = run.child_machine_arn(runner.info.state_machine_arn, map_name)
    records = map_result_writer.records(run, child_machine, data)
    if writer.resource is None:
        return map_result_writer.shaped(writer, records)
    if spec.is_jsonata:
        arguments = jsonata_eval.evaluate_template(
            writer.arguments, runner.bindings(thread, spec), "Arguments"
        )
    else:
        arguments = dataflow.apply_template(runner, thread, spec, writer.parameters, data["effective"])
    target = arguments if isinstance(arguments, dict) else {}
    bucket, prefix = target.get("Bucket"), target.get("Prefix")
    files = map_result_writer.result_files(writer, prefix, run, records)
    manifest_key = map_result_writer.manifest_key(prefix, run)
    files[manifest_key] = map_result_writer.manifest(str(bucket), run, files)
    for key, body in files.items():
        put = {"Bucket": bucket, "Key": key, "Body": body}
        _s3_call(runner, thread, spec, writer.resource, put, error=map_result_writer.WRITER_FAILED)
    return {"MapRunArn": run.arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _s3_call(
    runner: StateRunner, thread: Thread, spec: MapSpec, resource: Resource, parameters: Any, *, error: str
) -> Any:
    """Call S3 through the task dispatcher, so the AWS endpoint and a MockConfigFile apply as to a Task."""
    call = TaskCall(
        resource=resource,
        parameters=parameters,
        state_name=spec.name,
        state_machine_name=runner.info.mocked_machine_name,
        test_case=runner.info.mock_test_case,
        attempt=0,
        state_machine_arn=runner.info.state_machine_arn,
        execution_arn=runner.info.arn,
    )
    result = runner.invoke(thread, call)
    if not result.ok:
        raise StatesError(result.error or error, result.cause or "")
    return result.output


def _read_items(
    runner: StateRunner, thread: Thread, spec: MapSpec, settings: _JsonataSettings | _JsonPathSettings
) -> list[Any]:
    """The Map's items: from its input, or read from S3 by its ItemReader."""
    reader = spec.item_reader
    if reader is None:
        return settings.items()
    max_items: Any = reader.max_items
    if spec.is_jsonata:
        bindings = runner.bindings(thread, spec)
        arguments = jsonata_eval.evaluate_template(reader.arguments, bindings, "Arguments")
        if jsonata_eval.is_expression(max_items):
            max_items = jsonata_eval.evaluate(max_items, bindings, "MaxItems")
    else:
        arguments = dataflow.apply_template(runner, thread, spec, reader.parameters, settings.effective)
        if reader.max_items_path is not None:
            max_items = paths.resolve(reader.max_items_path, runner.scope(thread, spec, settings.effective))
    valid = isinstance(max_items, int) and not isinstance(max_items, bool) and max_items >= 0
    if max_items is not None and not valid:
        shown = paths.json_compact(max_items)
        raise StatesError(RUNTIME, f"The MaxItems value {shown} is not a valid integer")
    fetched = _s3_call(runner, thread, spec, reader.resource, arguments, error=map_item_reader.READER_FAILED)
    get = parse_resource(f"arn:aws:states:::s3:{map_item_reader.GET_OBJECT}")

    def read(bucket: str, key: str) -> Any:
        where = {"Bucket": bucket, "Key": key}
        return _s3_call(runner, thread, spec, get, where, error=map_item_reader.READER_FAILED)

    bucket = arguments.get("Bucket") if isinstance(arguments, dict) else None
    return map_item_reader.items_of(reader, fetched, max_items, bucket=bucket, read=read)


class _JsonPathSettings:
    """Items and limits of a JSONPath Map state."""

    def __init__(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        self.runner, self.thread, self.spec = runner, thread, spec
        self.effective = dataflow.input_value(runner, thread, spec)
        self.scope = runner.scope(thread, spec, self.effective)

    def items(self) -> list[Any]:
        path = self.spec.items_path
        items = self.effective if path == "$" else paths.resolve_field_path(path, self.scope)
        if not isinstance(items, list):
            raise EvaluationFailure(
                RUNTIME,
                f"Invalid path '{path}': The ItemsPath field must point to a JSON array, "
                f"but was: {paths.json_compact(items)}",
                "ItemsPath",
            )
        return items

    def number(self, limit: MapLimit) -> Any:
        if limit.value is not None:
            return limit.value.value
        path, field_name = limit.path, limit.name
        if path is None:
            return None
        try:
            value = _as_number(paths.resolve(path, self.scope))
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


def _given(value: Any) -> Given | None:
    return None if value is None else Given(value)


def _as_number(value: Any) -> Any:
    """A referenced limit as a number: text holding a number counts as that number (AWS runs a Map whose
    MaxConcurrencyPath or ToleratedFailure*Path variable was assigned "1"); other text stays text and
    fails as "not a valid integer"."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


class _JsonataSettings:
    """Items and limits of a JSONata Map state."""

    def __init__(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        self.runner, self.thread, self.spec = runner, thread, spec
        self.effective = thread["input"]

    def items(self) -> list[Any]:
        if self.spec.items is None:
            items = self.thread["input"]
            if not isinstance(items, list):
                # Without Items the state input is the items: AWS evaluates it as the Items field.
                cause = f"Map state input must be an array but was: {type_name(items)}"
                raise EvaluationFailure(RUNTIME, cause, "Items")
            return items
        template = self.spec.items.value
        items = jsonata_eval.evaluate_template(template, self._bindings(), "Items")
        if not isinstance(items, list):
            text = template if isinstance(template, str) else paths.json_compact(template)
            raise jsonata_eval.unexpected_type(text, "Items", "array", items, type_name(items))
        return items

    def _bindings(self) -> jsonata_eval.Bindings:
        return self.runner.bindings(self.thread, self.spec)

    def number(self, limit: MapLimit) -> Any:
        given = limit.value.value if limit.value is not None else None
        value = given
        if jsonata_eval.is_expression(given):
            value = jsonata_eval.evaluate(given, self._bindings(), limit.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise jsonata_eval.unexpected_type(given, limit.name, "number", value, type_name(value))
        return value

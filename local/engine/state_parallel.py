"""Parallel state: one child thread per branch, all given the same input."""

from __future__ import annotations

from typing import Any

from local.engine import dataflow
from local.engine.frame import Thread
from local.engine.state_composite import CompositeState
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import ParallelSpec


class ParallelState(
    CompositeState[ParallelSpec], state_type="Parallel", done="branches_done", failed="branch_failed"
):
    """Runs every branch; succeeds with the list of branch outputs or fails with the first failure."""

    def enter(self, runner: StateRunner, thread: Thread, spec: ParallelSpec) -> None:
        """Evaluate the branch input and start the branches."""
        if spec.is_jsonata:
            effective = dataflow.arguments(runner, thread, spec)
        else:
            effective = dataflow.parameters(runner, thread, spec, dataflow.input_value(runner, thread, spec))
        thread["data"] = {"effective": effective, "kept": self.kept_by_redrive(thread)}
        self.start_children(runner, thread, spec)

    def start_children(self, runner: StateRunner, thread: Thread, spec: ParallelSpec) -> None:
        """Start every branch that a redrive did not keep."""
        runner.log.emit(thread, "ParallelStateStarted")
        count = len(spec.branches)
        data = thread["data"]
        kept = self.take_kept(data, count)
        data.update(
            {
                "results": [kept.get(index) for index in range(count)],
                "pending": count - len(kept),
                "succeeded": sorted(kept),
            }
        )
        thread["phase"] = "children"
        if data["pending"] == 0:
            self.children_done(thread)
        for index in range(count):
            if index not in kept:
                machine = runner.machine(spec.branches[index])
                self.spawn(runner, thread, machine, index, data["effective"], src=thread["src"])

    def child_succeeded(self, runner: StateRunner, parent: Thread, child: Thread, output: Any) -> None:
        """A branch ended: keep its output; when all have, the state succeeds."""
        data = parent["data"]
        self.record_success(data, child, output)
        data["pending"] -= 1
        parent["src"] = max(parent["src"], child["src"])
        if data["pending"] == 0:
            self.children_done(parent)

    def child_failed(
        self, runner: StateRunner, parent: Thread, child: Thread, error: str | None, cause: str | None
    ) -> None:
        """A branch failed: stop the others and fail the state."""
        parent["src"] = max(parent["src"], child["src"])
        for sibling in runner.drop_children(parent):
            parent["src"] = max(parent["src"], sibling["src"])
        self.children_failed(parent, error, cause)

"""Parallel state: one child thread per branch, all given the same input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from local.engine import child_outputs, dataflow
from local.engine.definition import StateSpec, branch_key

if TYPE_CHECKING:
    from local.engine.interpreter import Runner


class ParallelState:
    """Runs every branch; succeeds with the list of branch outputs or fails with the first failure."""

    def enter(self, runner: Runner, thread: dict[str, Any], spec: StateSpec) -> None:
        """Evaluate the branch input and start the branches."""
        if spec.is_jsonata:
            effective = dataflow.arguments(runner, thread, spec)
        else:
            effective = dataflow.parameters(runner, thread, spec, dataflow.input_value(runner, thread, spec))
        kept = thread["data"].get("kept")  # outputs of branches that succeeded before a redrive
        thread["data"] = {"effective": effective, "kept": kept}
        self._start_branches(runner, thread, spec)

    def _start_branches(self, runner: Runner, thread: dict[str, Any], spec: StateSpec) -> None:
        runner.log.emit(thread, "ParallelStateStarted")
        branches = spec.get("Branches")
        data = thread["data"]
        effective = data["effective"]
        kept = child_outputs.take_kept(data, len(branches))
        results = [kept.get(index) for index in range(len(branches))]
        data.update(results=results, pending=len(branches) - len(kept), succeeded=sorted(kept))
        thread["phase"] = "children"
        if data["pending"] == 0:
            thread.update(phase="resume", resume={"kind": "branches_done"})
        for index, _ in enumerate(branches):
            if index in kept:
                continue
            machine = runner.definition.machines[branch_key(spec, index)]
            runner.frame.new_thread(
                parent=thread["id"],
                slot=index,
                machine=machine.key,
                state=machine.start_at,
                input=effective,
                src=thread["src"],
            )

    def child_succeeded(
        self, runner: Runner, parent: dict[str, Any], child: dict[str, Any], output: Any
    ) -> None:
        """A branch ended: keep its output; when all have, the state succeeds."""
        data = parent["data"]
        child_outputs.record_success(data, child["slot"], output)
        data["pending"] -= 1
        parent["src"] = max(parent["src"], child["src"])
        if data["pending"] == 0:
            parent.update(phase="resume", resume={"kind": "branches_done"})

    def child_failed(
        self,
        runner: Runner,
        parent: dict[str, Any],
        child: dict[str, Any],
        error: str | None,
        cause: str | None,
    ) -> None:
        """A branch failed: stop the others and fail the state."""
        parent["src"] = max(parent["src"], child["src"])
        for sibling in runner.drop_children(parent):
            parent["src"] = max(parent["src"], sibling["src"])
        parent.update(phase="resume", resume={"kind": "branch_failed", "error": error, "cause": cause})

    def resume(self, runner: Runner, thread: dict[str, Any], spec: StateSpec, resume: dict[str, Any]) -> None:
        """Finish, fail or retry after the branches."""
        kind = resume["kind"]
        if kind == "retry":
            self._start_branches(runner, thread, spec)
        elif kind == "branch_failed":
            runner.fail_state(thread, spec, resume["error"], resume["cause"])
        else:
            child_outputs.succeed_with_results(runner, thread, spec, "ParallelStateSucceeded")

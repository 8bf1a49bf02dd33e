"""Runs executions: the run queue, per-execution claims, commits, timers, clock moves and the worker.

Only one thread advances a given execution at a time (its claim). Integrations are called while the
claim is held but without the engine-wide lock, so API calls on other executions are not blocked.
Whoever must learn that an execution ended (a parent waiting on it) registers with `on_execution_end`; it is
told after the end is committed and the claim released, so it may change other executions. A Map Run whose
Map state is dropped (its execution ended, or the state was abandoned while the execution goes on) is aborted
in the same commit; `on_map_run_ended` is told of it, and of a run that failed, the same way (to stop the
run's children). Whoever registers with `before_advance` changes an execution before each step the driver
advances it by (Map states learn of the children that ended since, all at once).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from local.engine import definition as asl
from local.engine import validation
from local.engine.clock import Clock, ManualClock
from local.engine.execution import TERMINAL_STATUSES, Completion, ExecutionInfo
from local.engine.frame import Frame, Thread
from local.engine.interpreter import Runner
from local.engine.map_runs import MapRunServices
from local.engine.mock_config import MockConfig
from local.engine.state_map import MapState
from local.engine.state_parallel import ParallelState
from local.engine.state_protocol import StateHandler
from local.engine.state_task import TaskState
from local.engine.states import ChoiceState, FailState, PassState, SucceedState, WaitState
from local.engine.store import ExecutionCommit, ExecutionRecord, MapRunRecord, Store
from local.engine.tasks import TaskCall, TaskDispatcher, TaskResult
from local.engine.timestamps import at_or_after, from_epoch, to_epoch

__all__ = ["HANDLERS", "TERMINAL_STATUSES", "ExecutionDriver", "ExecutionEnd", "definition_digest"]

HANDLERS: Mapping[str, StateHandler[Any]] = {
    "Pass": PassState(),
    "Succeed": SucceedState(),
    "Fail": FailState(),
    "Choice": ChoiceState(),
    "Wait": WaitState(),
    "Task": TaskState(),
    "Map": MapState(),
    "Parallel": ParallelState(),
}


@dataclass(frozen=True)
class ExecutionEnd:
    """An execution that just ended, and the task tokens it held while it ran (what it was waiting on)."""

    record: ExecutionRecord
    held_tokens: tuple[str, ...]


def definition_digest(text: str) -> str:
    """Content address of a definition."""
    return hashlib.sha256(text.encode()).hexdigest()


class _Services:
    """The interpreter's view of the engine for one execution run."""

    def __init__(self, driver: ExecutionDriver, record: ExecutionRecord) -> None:
        self._driver = driver
        self._record = record
        self.mock_config: MockConfig | None = driver.dispatcher.mock_config
        self.map_runs: MapRunServices | None = driver.map_runs

    def now(self) -> datetime:
        return self._driver.clock.now()

    def checkpoint(self, runner: Runner) -> None:
        self._driver.commit(runner, self._record, enqueue=False)

    def invoke(self, runner: Runner, thread: Thread, call: TaskCall) -> TaskResult:
        return self._driver.dispatcher.dispatch(call)


class ExecutionDriver:
    """Advances executions and owns the clock-related behaviour of the engine."""

    def __init__(self, clock: Clock, store: Store, dispatcher: TaskDispatcher) -> None:
        self.clock = clock
        self.store = store
        self.dispatcher = dispatcher
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        # Held while work runs or the clock moves, so that the background worker and a caller of
        # advance()/run_until_idle() never interleave: a clock move must not slip in while another
        # thread is half-way through a step (its task running, no timer set yet).
        self._running = threading.RLock()
        self._queue: deque[str] = deque()
        self._queued: set[str] = set()
        self._claims: dict[str, list[Any]] = {}
        self._definitions: dict[str, asl.Definition] = {}
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._unsaved_clock: datetime | None = None
        self._end_hooks: list[Callable[[ExecutionEnd], None]] = []
        self._run_end_hooks: list[Callable[[MapRunRecord], None]] = []
        self._advance_hooks: list[Callable[[Runner], None]] = []
        self._ended = threading.local()  # ends committed by this thread, announced once its claim is released
        self.map_runs: MapRunServices | None = None  # set by whoever runs the Map Runs' children
        for arn in store.runnable_executions():
            self.enqueue(arn)

    # ------------------------------------------------------------------ definitions

    def definition(self, text: str) -> asl.Definition:
        """Parsed definition (cached by content; validation already happened at create time)."""
        digest = definition_digest(text)
        with self._lock:
            cached = self._definitions.get(digest)
        if cached is not None:
            return cached
        raw = asl.load_json(text)
        validation.raise_if_invalid(raw, mocked=self.dispatcher.mock_config is not None)
        parsed = asl.build(raw)
        with self._lock:
            self._definitions[digest] = parsed
        return parsed

    def definition_of(self, record: ExecutionRecord) -> asl.Definition:
        """The definition an execution runs."""
        with self._lock:
            cached = self._definitions.get(record.definition_hash)
        if cached is not None:
            return cached
        text = self.store.get_definition(record.definition_hash)
        if text is None:
            raise LookupError(f"definition {record.definition_hash} of {record.arn} is missing")
        return self.definition(text)

    # ------------------------------------------------------------------ the clock position

    def clock_moved(self, moment: datetime) -> None:
        """Note a move of a virtual or skip clock (called before the clock shows the new time).

        The position is saved in the same transaction as the next commit, so no committed event can
        carry a later time than the saved position, and at the latest by `save_clock` when the engine
        settles (end of run_until_idle and advance, the worker going idle, close).
        """
        with self._lock:
            if self._unsaved_clock is None or moment > self._unsaved_clock:
                self._unsaved_clock = moment

    def save_clock(self) -> None:
        """Save a clock position that no commit has saved yet."""
        with self._lock:
            moment = self._unsaved_clock
        if moment is not None:
            self.store.save_clock_position(moment)
            self._clock_saved(moment)

    def _clock_saved(self, moment: datetime) -> None:
        with self._lock:
            if self._unsaved_clock == moment:
                self._unsaved_clock = None

    # ------------------------------------------------------------------ claims and the queue

    @contextmanager
    def claim(self, arn: str) -> Iterator[None]:
        """Exclusive right to change one execution (locks exist only while someone holds or awaits them)."""
        with self._lock:
            entry = self._claims.setdefault(arn, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._claims[arn]

    def enqueue(self, arn: str) -> None:
        """Mark an execution as having runnable work and wake the worker."""
        with self._wake:
            if arn not in self._queued:
                self._queued.add(arn)
                self._queue.append(arn)
            self._wake.notify_all()

    def wake(self) -> None:
        """Wake the worker (e.g. after the clock moved)."""
        with self._wake:
            self._wake.notify_all()

    def _take_ready(self) -> list[str]:
        with self._lock:
            ready = list(self._queue)
            self._queue.clear()
            self._queued.clear()
        due = self.store.due_executions(to_epoch(self.clock.now()))
        return ready + [arn for arn in due if arn not in ready]

    # ------------------------------------------------------------------ running

    def runner(self, record: ExecutionRecord, frame: Frame) -> Runner:
        """An interpreter for one execution."""
        info = ExecutionInfo(
            arn=record.arn,
            name=record.name,
            state_machine_arn=record.state_machine_arn,
            state_machine_name=record.state_machine_arn.split(":")[-1],
            role_arn=record.role_arn,
            start_time=from_epoch(record.start_date),
            input=json.loads(record.input),
            redrive_count=record.redrive_count,
            mock_test_case=record.mock_test_case,
            type=record.type,
        )
        return Runner(
            info=info,
            definition=self.definition_of(record),
            frame=frame,
            services=_Services(self, record),
            handlers=HANDLERS,
        )

    def process(self, arn: str) -> None:
        """Advance one execution as far as it can go now."""
        with self.claim(arn):
            self._advance(arn)
        self._announce_ends()

    def _advance(self, arn: str) -> None:
        record, frame_text = self.store.get_execution_and_frame(arn) or (None, None)
        if record is None or record.status != "RUNNING" or frame_text is None:
            return
        runner = self.runner(record, Frame.from_json(frame_text))
        with self._lock:
            hooks = list(self._advance_hooks)
        for hook in hooks:
            hook(runner)
        runner.run()
        self.commit(runner, record)

    def apply(self, arn: str, change: Callable[[Runner, ExecutionRecord], None]) -> ExecutionRecord:
        """Change a running execution under its claim (stop, callbacks, heartbeats) and commit."""
        with self.claim(arn):
            record, frame_text = self.store.get_execution_and_frame(arn) or (None, None)
            if record is None or frame_text is None:
                raise LookupError(arn)
            runner = self.runner(record, Frame.from_json(frame_text))
            change(runner, record)
            self.commit(runner, record)
        self._announce_ends()
        return record

    def on_execution_end(self, hook: Callable[[ExecutionEnd], None]) -> None:
        """Call `hook` whenever an execution ends, after its end is committed and its claim released."""
        with self._lock:
            self._end_hooks.append(hook)

    def before_advance(self, hook: Callable[[Runner], None]) -> None:
        """Call `hook` with the runner of an execution about to be advanced (under its claim), so that it can
        deliver what the execution waits on."""
        with self._lock:
            self._advance_hooks.append(hook)

    def on_map_run_ended(self, hook: Callable[[MapRunRecord], None]) -> None:
        """Call `hook` whenever a step ends a Map Run (failed, or aborted because its Map state was dropped),
        after the step is committed and the claim released."""
        with self._lock:
            self._run_end_hooks.append(hook)

    def _announce_ends(self) -> None:
        ended: list[ExecutionEnd] = getattr(self._ended, "pending", [])
        ended_runs: list[MapRunRecord] = getattr(self._ended, "runs", [])
        self._ended.pending, self._ended.runs = [], []
        with self._lock:
            end_hooks, run_end_hooks = list(self._end_hooks), list(self._run_end_hooks)
        for end in ended:
            for end_hook in end_hooks:
                end_hook(end)
        for run in ended_runs:
            for run_end_hook in run_end_hooks:
                run_end_hook(run)

    def commit(
        self, runner: Runner, record: ExecutionRecord, *, new: bool = False, enqueue: bool = True
    ) -> None:
        """Persist the runner's progress atomically."""
        frame = runner.frame
        frame.last_event_id = runner.log.last_event_id
        completion = runner.completion
        end: ExecutionEnd | None = None
        if completion is not None and record.status == "RUNNING":
            end = ExecutionEnd(record, runner.committed_tokens)
            self._record_completion(record, completion)
        running = record.status == "RUNNING"
        runnable = running and frame.has_runnable()
        ended_runs = self._end_runs(runner)
        held_tokens = tuple(frame.tokens) if running else ()
        with self._lock:
            clock_position = self._unsaved_clock
        self.store.commit(
            ExecutionCommit(
                record=record,
                frame=frame.to_json()
                if running or record.status in ("FAILED", "TIMED_OUT", "ABORTED")
                else None,
                events=runner.log.drain(),
                due=frame.next_due() if running else None,
                skippable_due=frame.next_skippable_due() if running else None,
                runnable=runnable,
                tokens=dict.fromkeys(held_tokens, record.arn)
                if held_tokens != runner.committed_tokens
                else None,
                new=new,
                clock_position=clock_position,
                map_runs=ended_runs,
            )
        )
        runner.committed_tokens = held_tokens
        if clock_position is not None:
            self._clock_saved(clock_position)
        if end is not None:
            self._ended.pending = [*getattr(self._ended, "pending", []), end]
        if ended_runs:
            self._ended.runs = [*getattr(self._ended, "runs", []), *ended_runs]
        if runnable and enqueue:
            self.enqueue(record.arn)
        elif running:
            self.wake()

    def _end_runs(self, runner: Runner) -> list[MapRunRecord]:
        """The Map Runs the runner's step ended; one still running (its Map state dropped) aborted now."""
        ended: list[MapRunRecord] = []
        for arn in dict.fromkeys(runner.ended_runs):
            run = self.store.get_map_run(arn)
            if run is not None and run.status == "RUNNING":
                run.status, run.stop_date = "ABORTED", to_epoch(self.clock.now())
            if run is not None:
                ended.append(run)
        runner.ended_runs.clear()
        return ended

    def _record_completion(self, record: ExecutionRecord, completion: Completion) -> None:
        record.status = completion.status
        record.stop_date = to_epoch(self.clock.now())
        if completion.status == "SUCCEEDED":
            record.output = json.dumps(completion.output, separators=(",", ":"), ensure_ascii=False)
        record.error = completion.error
        record.cause = completion.cause

    def run_ready(self) -> bool:
        """Run everything runnable or due now; True when something ran."""
        with self._running:
            ready = self._take_ready()
            for arn in ready:
                self.process(arn)
            return bool(ready)

    def _step(self) -> bool:
        """Run what is ready, or else let a skip clock jump to the next timer; False when idle."""
        with self._running:
            if self.run_ready():
                return True
            return self.clock.mode == "skip" and self._jump_to_next_timer()

    def run_until_idle(self, *, max_rounds: int = 1_000_000) -> None:
        """Run until nothing is runnable; a skip clock jumps to each next timer on the way."""
        try:
            for _ in range(max_rounds):
                if not self._step():
                    return
        finally:
            self.save_clock()

    def _jump_to_next_timer(self) -> bool:
        due = self.store.next_due(skippable=True)
        if due is None:
            return False
        target = at_or_after(due)
        if target <= self.clock.now():
            return False
        self._move_clock(target)
        return True

    def _move_clock(self, moment: datetime) -> None:
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a virtual or skip clock can be moved")
        self.clock.set(moment)

    def advance(self, seconds: float) -> datetime:
        """Move a virtual/skip clock forward, running each timer at its own time on the way."""
        target = to_epoch(self.clock.now()) + seconds
        self.run_until_due(target)
        return self.clock.now()

    def run_until_due(self, target: float) -> None:
        """Run work and timers up to the moment `target` (epoch seconds), then set the clock there."""
        with self._running:
            while True:
                while self.run_ready():
                    pass
                due = self.store.next_due(skippable=False)
                if due is None or due > target or at_or_after(due) <= self.clock.now():
                    break
                self._move_clock(at_or_after(due))
            self._move_clock(at_or_after(target))
            while self.run_ready():
                pass
            self.save_clock()

    # ------------------------------------------------------------------ background worker

    def start(self) -> None:
        """Run work in a background thread as it becomes due."""
        with self._lock:
            if self._worker is not None:
                return
            self._stopping = False
            self._worker = threading.Thread(target=self._work, name="sfn-engine-worker", daemon=True)
            self._worker.start()

    def close(self) -> None:
        """Stop the background worker."""
        with self._wake:
            self._stopping = True
            worker, self._worker = self._worker, None
            self._wake.notify_all()
        if worker is not None:
            worker.join(timeout=10)

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
            try:
                if self._step():
                    continue
            except Exception:  # keep the worker alive; the failing execution stays as committed
                time.sleep(0.05)
            self._sleep_until_next_timer()

    def _sleep_until_next_timer(self) -> None:
        self.save_clock()
        timeout = 1.0
        if self.clock.mode == "real":
            due = self.store.next_due(skippable=False)
            if due is not None:
                timeout = max(0.0, min(timeout, due - to_epoch(self.clock.now())))
        with self._wake:
            if not self._stopping and not self._queue:
                self._wake.wait(timeout)

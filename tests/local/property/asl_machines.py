"""A hypothesis strategy for whole state machines (JSONPath dialect) together with an input they can read.

A machine is a chain of blocks: Pass, Choice (whose branches join again), inline Map, Parallel, a
JSONata Pass with a constant Output, and a Succeed or Fail at the end of some chains. The builder
follows the shape of the state data through every block (asl_shapes), so InputPath, Parameters,
ItemsPath, ResultPath and OutputPath are chosen among paths that exist. Failures still happen on
purpose: Fail states at the top level and inside branches and iterations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from .asl_literals import json_literals, object_shapes, shape_of_literal, template_literals, values_of
from .asl_payloads import choice_conditions, payload_templates
from .asl_shapes import Arr, Int, Obj, Shape, Str, Unknown, assign, common, readable_paths, select

MAX_STATES = 12
RESULT_KEYS = ("r1", "r2", "r3", "out")


@dataclass(frozen=True)
class GeneratedMachine:
    """A definition, an input for it, and the names of the features it uses (for statistics)."""

    definition: dict[str, Any]
    execution_input: Any
    features: frozenset[str]


# A place in a state or Choice rule that still needs its "Next": (the dict, "Next" or "Default").
Exit = tuple[dict[str, Any], str]


@dataclass
class _Scope:
    """The States of one machine, branch or item processor being built."""

    states: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Builder:
    def __init__(self, draw: st.DrawFn, input_shape: Shape) -> None:
        self.draw = draw
        self.input_shape = input_shape
        self.counter = itertools.count(1)
        self.states_made = 0
        self.features: set[str] = set()

    # ------------------------------------------------------------------ chains

    def chain(self, scope: _Scope, shape: Shape, depth: int) -> tuple[str, Shape]:
        """Fill `scope` with a chain of blocks; returns the start state and the shape at the end."""
        blocks = self.draw(st.integers(1, 3))
        start: str | None = None
        exits: list[Exit] = []
        for _ in range(blocks):
            entry, block_exits, shape = self.block(scope, shape, depth)
            for target, key in exits:
                target[key] = entry
            start = start or entry
            exits = block_exits
            if not exits or self.states_made >= MAX_STATES:
                break
        assert start is not None
        if exits and self.draw(st.integers(0, 5)) == 0:
            entry = self.terminal(scope, shape, depth)
            for target, key in exits:
                target[key] = entry
            exits = []
        self.finish(scope, exits)
        return start, shape

    def finish(self, scope: _Scope, exits: list[Exit]) -> None:
        """End every open exit: states get End, Choice rules point to a closing Pass."""
        closing: str | None = None
        for target, key in exits:
            if target.get("Type") not in (None, "Choice"):
                target["End"] = True
                continue
            if closing is None:
                closing = self.name("Done")
                scope.states[closing] = {"Type": "Pass", "End": True}
            target[key] = closing

    def terminal(self, scope: _Scope, shape: Shape, depth: int) -> str:
        """A Succeed or (one time in four) a Fail state; returns its name."""
        if self.draw(st.integers(0, 3)) > 0:
            name = self.name("Succeed")
            scope.states[name] = {"Type": "Succeed"}
            self.features.add("Succeed")
            return name
        name = self.name("Fail")
        self.features.add("Fail")
        if depth > 0:
            # Which of several failing branches or iterations fails first is a matter of timing, so
            # every Fail inside a Parallel or Map fails the same way.
            scope.states[name] = {"Type": "Fail", "Error": "Branch.Failed", "Cause": "a branch failed"}
            return name
        state: dict[str, Any] = {"Type": "Fail"}
        for part in ("Error", "Cause"):
            if self.draw(st.integers(0, 3)) == 0:
                # A template with a fixed first letter: moto reports an empty error or cause as none.
                path = self.draw(st.sampled_from([path for path, _ in readable_paths(shape)]))
                state[f"{part}Path"] = f"States.Format('{part[0]}{{}}', {path})"
                self.features.add("Fail.ErrorPath/CausePath")
            else:
                state[part] = self.draw(st.sampled_from(["Oops", "Custom.Error", "Denied"]))
        scope.states[name] = state
        return name

    def name(self, kind: str) -> str:
        self.states_made += 1
        return f"{kind}{next(self.counter)}"

    # ------------------------------------------------------------------ blocks

    def block(self, scope: _Scope, shape: Shape, depth: int) -> tuple[str, list[Exit], Shape]:
        """One block: a state (or a Choice with its branches); returns its entry, open exits, shape."""
        kinds = ["Pass", "Pass", "Pass", "Choice", "Choice", "JSONataPass"]
        if depth < 2 and self.states_made < MAX_STATES - 4:
            kinds += ["Parallel", "Parallel"]
            if any(isinstance(found, Arr) for _, found in readable_paths(shape)):
                kinds += ["Map", "Map", "Map"]
        kind = self.draw(st.sampled_from(kinds))
        self.features.add(kind)
        if kind == "Pass":
            return self.pass_state(scope, shape)
        if kind == "JSONataPass":
            return self.jsonata_pass_state(scope)
        if kind == "Choice":
            return self.choice_state(scope, shape, depth)
        if kind == "Map":
            return self.map_state(scope, shape, depth)
        return self.parallel_state(scope, shape, depth)

    def context_paths(self, map_item: Shape | None) -> list[tuple[str, Shape]]:
        """`$$.` paths whose values are the same in both engines (no times, no random ids)."""
        paths: list[tuple[str, Shape]] = [
            ("$$.State.Name", Str()),
            ("$$.StateMachine.Name", Str()),
            ("$$.Execution.Name", Str()),
            ("$$.Execution.Id", Str()),
            ("$$.Execution.RoleArn", Str()),
            ("$$.StateMachine.Id", Str()),
        ]
        paths += self._execution_input_paths(Shape)
        if map_item is not None:
            paths.append(("$$.Map.Item.Index", Int()))
            paths += [
                (path.replace("$", "$$.Map.Item.Value", 1), found) for path, found in readable_paths(map_item)
            ]
        return paths

    def _object_paths(self, shape: Shape) -> list[str]:
        """Paths below `$` that select an object."""
        return [path for path, found in readable_paths(shape) if isinstance(found, Obj) and path != "$"]

    def _execution_input_paths(self, wanted: type[Shape]) -> list[tuple[str, Shape]]:
        """`$$.Execution.Input` paths selecting a `wanted` shape."""
        return [
            (path.replace("$", "$$.Execution.Input", 1), found)
            for path, found in readable_paths(self.input_shape)
            if isinstance(found, wanted)
        ]

    def input_path(self, state: dict[str, Any], shape: Shape, *, needs_array: bool = False) -> Shape:
        """Maybe set InputPath to an object (one with an array in it when `needs_array`)."""

        def usable(selected: Shape) -> bool:
            return not needs_array or any(isinstance(found, Arr) for _, found in readable_paths(selected))

        candidates = [(path, select(shape, path)) for path in self._object_paths(shape)]
        if self.draw(st.integers(0, 4)) == 0:
            candidates = self._execution_input_paths(Obj)
        candidates = [(path, selected) for path, selected in candidates if usable(selected)]
        if not candidates or self.draw(st.integers(0, 3)) > 0:
            return shape
        path, selected = self.draw(st.sampled_from(candidates))
        state["InputPath"] = path
        self.features.add("InputPath.Context" if path.startswith("$$") else "InputPath")
        return selected

    def result_path(self, state: dict[str, Any], shape: Shape, result: Shape) -> Shape:
        """Choose ResultPath ($, null, a new or existing key) and return the shape after it."""
        options: list[str | None] = ["$"]
        if isinstance(shape, Obj):
            options += [f"$.{key}" for key in RESULT_KEYS] + [f"$.{name}" for name, _ in shape.fields]
            options += [f"{path}.{RESULT_KEYS[0]}" for path in self._object_paths(shape) if "[" not in path]
            options.append(None)
        chosen = self.draw(st.sampled_from(options))
        if chosen != "$" or self.draw(st.booleans()):
            state["ResultPath"] = chosen
            self.features.add("ResultPath")
        return assign(shape, chosen, result)

    def output_path(self, state: dict[str, Any], shape: Shape) -> Shape:
        candidates = self._object_paths(shape)
        if candidates and self.draw(st.integers(0, 4)) == 0:
            path = self.draw(st.sampled_from(candidates))
            state["OutputPath"] = path
            self.features.add("OutputPath")
            return select(shape, path)
        return shape

    def payload(self, shape: Shape, map_item: Shape | None = None) -> tuple[dict[str, Any], Shape]:
        """A payload template reading `shape` (and `$$.Map.Item` of shape `map_item` in an ItemSelector)."""
        template, produced = payload_templates(self.draw, shape, context_paths=self.context_paths(map_item))
        if any(".$" in key and str(value).startswith("States.") for key, value in _flatten(template)):
            self.features.add("Intrinsics")
        return template, produced

    def pass_state(self, scope: _Scope, shape: Shape) -> tuple[str, list[Exit], Shape]:
        name = self.name("Pass")
        state: dict[str, Any] = {"Type": "Pass"}
        effective = self.input_path(state, shape)
        source = self.draw(st.sampled_from(["none", "result", "parameters", "parameters"]))
        result = effective
        if source == "result":
            value = self.draw(json_literals)
            state["Result"] = value
            result = shape_of_literal(value)
            self.features.add("Result")
        elif source == "parameters":
            state["Parameters"], result = self.payload(effective)
            self.features.add("Parameters")
        shape = self.output_path(state, self.result_path(state, shape, result))
        scope.states[name] = state
        return name, [(state, "Next")], shape

    def jsonata_pass_state(self, scope: _Scope) -> tuple[str, list[Exit], Shape]:
        """A JSONata state with a constant Output: moto has no JSONata evaluator, so no {% %} at all."""
        name = self.name("Pass")
        output = self.draw(template_literals)
        state: dict[str, Any] = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": output}
        scope.states[name] = state
        return name, [(state, "Next")], shape_of_literal(output)

    def choice_state(self, scope: _Scope, shape: Shape, depth: int) -> tuple[str, list[Exit], Shape]:
        name = self.name("Choice")
        state: dict[str, Any] = {"Type": "Choice", "Choices": []}
        scope.states[name] = state
        exits: list[Exit] = []
        joined: Shape | None = None
        effective = self.input_path(state, shape)
        shape = self.output_path(state, effective)  # what every branch receives
        for _ in range(self.draw(st.integers(1, 3))):
            rule = choice_conditions(self.draw, effective)
            state["Choices"].append(rule)
            if self.draw(st.integers(0, 2)) == 0 or self.states_made >= MAX_STATES:
                exits.append((rule, "Next"))  # straight on to whatever follows the Choice
                joined = shape if joined is None else common(joined, shape)
                continue
            if self.draw(st.integers(0, 5)) == 0:
                rule["Next"] = self.terminal(scope, shape, depth)
                continue
            entry, branch_exits, branch_shape = self.block(scope, shape, depth)
            rule["Next"] = entry
            exits += branch_exits
            if branch_exits:
                joined = branch_shape if joined is None else common(joined, branch_shape)
        # Always a Default: moto fails a Choice that matches nothing with States.Runtime, not
        # States.NoChoiceMatched.
        exits.append((state, "Default"))
        joined = shape if joined is None else common(joined, shape)
        return name, exits, joined

    def map_state(self, scope: _Scope, shape: Shape, depth: int) -> tuple[str, list[Exit], Shape]:
        name = self.name("Map")
        state: dict[str, Any] = {"Type": "Map"}
        effective = self.input_path(state, shape, needs_array=True)
        arrays = [(path, found) for path, found in readable_paths(effective) if isinstance(found, Arr)]
        if self.draw(st.integers(0, 5)) == 0:
            arrays = self._execution_input_paths(Arr)  # the execution input always has an array
            self.features.add("Map.ItemsPath.Context")
        items_path, items = self.draw(st.sampled_from(arrays))
        assert isinstance(items, Arr)
        if items_path != "$" or self.draw(st.booleans()):
            state["ItemsPath"] = items_path
        iteration_input: Shape = items.item
        if self.draw(st.booleans()):
            selector_key = self.draw(st.sampled_from(["ItemSelector", "ItemSelector", "Parameters"]))
            state[selector_key], iteration_input = self.payload(effective, items.item)
            self.features.add(f"Map.{selector_key}")
        if self.draw(st.booleans()):
            state["MaxConcurrency"] = self.draw(st.integers(0, 2))
            self.features.add("Map.MaxConcurrency")
        processor = _Scope()
        start, iteration_output = self.chain(processor, iteration_input, depth + 1)
        processor_key = self.draw(st.sampled_from(["ItemProcessor", "ItemProcessor", "Iterator"]))
        state[processor_key] = {"StartAt": start, "States": processor.states}
        if processor_key == "ItemProcessor" and self.draw(st.booleans()):
            state[processor_key]["ProcessorConfig"] = {"Mode": "INLINE"}
        result: Shape = Arr(iteration_output, items.length)
        if self.draw(st.integers(0, 3)) == 0:
            state["ResultSelector"], result = self.payload(result)
            self.features.add("ResultSelector")
        shape = self.output_path(state, self.result_path(state, shape, result))
        scope.states[name] = state
        return name, [(state, "Next")], shape

    def parallel_state(self, scope: _Scope, shape: Shape, depth: int) -> tuple[str, list[Exit], Shape]:
        name = self.name("Parallel")
        state: dict[str, Any] = {"Type": "Parallel", "Branches": []}
        effective = self.input_path(state, shape)
        if self.draw(st.integers(0, 3)) == 0:
            state["Parameters"], effective = self.payload(effective)
            self.features.add("Parameters")
        for _ in range(self.draw(st.integers(2, 3))):
            branch = _Scope()
            start, _ = self.chain(branch, effective, depth + 1)
            state["Branches"].append({"StartAt": start, "States": branch.states})
        result: Shape = Arr(Unknown(), len(state["Branches"]))
        if self.draw(st.integers(0, 3)) == 0:
            state["ResultSelector"], result = self.payload(result)
            self.features.add("ResultSelector")
        shape = self.output_path(state, self.result_path(state, shape, result))
        scope.states[name] = state
        return name, [(state, "Next")], shape


def _flatten(template: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair of a template, nested objects and arrays included."""
    if isinstance(template, list):
        return [pair for element in template for pair in _flatten(element)]
    if not isinstance(template, dict):
        return []
    pairs: list[tuple[str, Any]] = []
    for key, value in template.items():
        pairs += _flatten(value) if isinstance(value, dict | list) else [(key, value)]
    return pairs


@st.composite
def machines(draw: st.DrawFn) -> GeneratedMachine:
    """A random JSONPath state machine and an execution input whose paths it reads."""
    input_shape = draw(object_shapes(min_size=2))
    if not any(isinstance(found, Arr) for _, found in readable_paths(input_shape)):
        # Something to Map over.
        items = Arr(draw(object_shapes(depth=0)), draw(st.integers(0, 3)))
        input_shape = input_shape.with_field("items", items)
    builder = _Builder(draw, input_shape)
    scope = _Scope()
    start, _ = builder.chain(scope, input_shape, 0)
    execution_input = draw(values_of(input_shape))
    return GeneratedMachine(
        definition={"StartAt": start, "States": scope.states},
        execution_input=execution_input,
        features=frozenset(builder.features),
    )

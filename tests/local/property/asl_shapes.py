"""The shape of state data at each point of a generated machine, so generated paths always find a value.

A shape records what is known for certain about a JSON value: its type, the fields of an object,
the element shape and length of an array, and whether a string holds JSON text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """Base of every shape; `Unknown` is the shape nothing can be read from."""


@dataclass(frozen=True)
class Unknown(Shape):
    pass


@dataclass(frozen=True)
class Null(Shape):
    pass


@dataclass(frozen=True)
class Bool(Shape):
    pass


@dataclass(frozen=True)
class Int(Shape):
    pass


@dataclass(frozen=True)
class Float(Shape):
    pass


@dataclass(frozen=True)
class Str(Shape):
    """A string; `json_of` is set when the text is the JSON encoding of a value of that shape, and
    `timestamp` when it is an RFC 3339 timestamp."""

    json_of: Shape | None = None
    timestamp: bool = False


@dataclass(frozen=True)
class Arr(Shape):
    """An array whose elements all have shape `item`; `length` is None when it is not known."""

    item: Shape
    length: int | None = None


@dataclass(frozen=True)
class Obj(Shape):
    """An object with (at least) these fields, in order."""

    fields: tuple[tuple[str, Shape], ...] = ()

    def get(self, name: str) -> Shape | None:
        return dict(self.fields).get(name)

    def with_field(self, name: str, shape: Shape) -> Obj:
        if self.get(name) is None:
            return Obj((*self.fields, (name, shape)))
        return Obj(tuple((key, shape if key == name else value) for key, value in self.fields))


SCALARS = (Null, Bool, Int, Float, Str)


def is_scalar(shape: Shape) -> bool:
    return isinstance(shape, SCALARS)


def readable_paths(shape: Shape, prefix: str = "$", depth: int = 3) -> Iterator[tuple[str, Shape]]:
    """Every definite JSONPath that certainly selects a value, with the shape it selects.

    Array indexes appear only as the last step: moto's JSONPath wraps `$.a[0].b` in a list.
    """
    yield prefix, shape
    if depth == 0:
        return
    if isinstance(shape, Obj):
        for name, field in shape.fields:
            yield from readable_paths(field, f"{prefix}.{name}", depth - 1)
    elif isinstance(shape, Arr) and shape.length:
        for index in range(min(shape.length, 2)):
            yield f"{prefix}[{index}]", shape.item


def list_paths(shape: Shape, prefix: str = "$", depth: int = 3) -> Iterator[tuple[str, Shape]]:
    """Indefinite paths that select a list: wildcards, slices and a filter that keeps every element."""
    if depth == 0:
        return
    if isinstance(shape, Obj):
        for name, field in shape.fields:
            yield from list_paths(field, f"{prefix}.{name}", depth - 1)
    elif isinstance(shape, Arr):
        yield f"{prefix}[*]", Arr(shape.item, shape.length)
        if prefix != "$":  # moto fails on a slice of the root that selects nothing; AWS gives []
            yield f"{prefix}[0:2]", Arr(shape.item)
        if isinstance(shape.item, Obj):
            for name, field in shape.item.fields:
                yield f"{prefix}[*].{name}", Arr(field, shape.length)
                if isinstance(field, Int) and shape.length:
                    # Generated integers are at least -20, so the filter keeps every element.
                    yield f"{prefix}[?(@.{name} >= -100)]", Arr(shape.item, shape.length)


def select(shape: Shape, path: str) -> Shape:
    """The shape a path from `readable_paths` selects (used for InputPath / OutputPath / ItemsPath)."""
    for candidate, selected in readable_paths(shape):
        if candidate == path:
            return selected
    raise KeyError(path)


def assign(shape: Shape, result_path: str | None, result: Shape) -> Shape:
    """The shape after ResultPath puts `result` into `shape` (paths of the form $, $.a, $.a.b)."""
    if result_path is None:
        return shape
    if result_path == "$":
        return result
    head, _, rest = result_path.removeprefix("$.").partition(".")
    assert isinstance(shape, Obj), "ResultPath below $ is only generated for objects"
    if not rest:
        return shape.with_field(head, result)
    inner = shape.get(head)
    return shape.with_field(head, assign(inner if inner is not None else Obj(), f"$.{rest}", result))


def common(first: Shape, second: Shape) -> Shape:
    """What is certain after two control-flow paths join (a Choice's branches)."""
    if first == second:
        return first
    if isinstance(first, Obj) and isinstance(second, Obj):
        other = dict(second.fields)
        return Obj(tuple((name, common(shape, other[name])) for name, shape in first.fields if name in other))
    if isinstance(first, Arr) and isinstance(second, Arr):
        length = first.length if first.length == second.length else None
        return Arr(common(first.item, second.item), length)
    if isinstance(first, Str) and isinstance(second, Str):
        return Str()
    return Unknown()

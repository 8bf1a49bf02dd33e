"""Generated intrinsic function calls (`States.*`) whose arguments read paths that exist.

Left out: States.UUID and States.MathRandom (random by design, so two engines cannot agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from .asl_literals import SMALL_INTS, literal_strings
from .asl_shapes import Arr, Bool, Int, Obj, Shape, Str, Unknown, is_scalar, readable_paths

Call = tuple[str, Shape]  # the expression and the shape of its result


@dataclass(frozen=True)
class Readable:
    """The paths a call may read, grouped by what they select."""

    every: list[tuple[str, Shape]]

    def where(self, wanted: Callable[[Shape], bool]) -> list[tuple[str, Shape]]:
        return [(path, found) for path, found in self.every if wanted(found)]

    @property
    def strings(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Str))

    @property
    def json_texts(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Str) and found.json_of is not None)

    @property
    def arrays(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Arr))

    @property
    def scalar_arrays(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Arr) and is_scalar(found.item))

    @property
    def indexable(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Arr) and bool(found.length))

    @property
    def objects(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Obj))

    @property
    def ints(self) -> list[tuple[str, Shape]]:
        return self.where(lambda found: isinstance(found, Int))


def _quoted(text: str) -> str:
    return f"'{text}'"


def _literal_argument(draw: st.DrawFn) -> str:
    return draw(st.one_of(SMALL_INTS.map(str), literal_strings.map(_quoted)))


def _int_argument(draw: st.DrawFn, readable: Readable) -> str:
    if draw(st.booleans()) and readable.ints:
        return draw(st.sampled_from(readable.ints))[0]
    return str(draw(SMALL_INTS))


def _any_path(draw: st.DrawFn, readable: Readable) -> tuple[str, Shape]:
    return draw(st.sampled_from(readable.every))


def _format(draw: st.DrawFn, readable: Readable) -> Call:
    count = draw(st.integers(0, 3))
    arguments = [
        _any_path(draw, readable)[0] if draw(st.booleans()) else _literal_argument(draw) for _ in range(count)
    ]
    template = "{}".join(draw(st.lists(literal_strings, min_size=count + 1, max_size=count + 1)))
    return f"States.Format({', '.join([_quoted(template), *arguments])})", Str()


def _array(draw: st.DrawFn, readable: Readable) -> Call:
    arguments = [_any_path(draw, readable)[0] for _ in range(draw(st.integers(0, 3)))]
    arguments += [_literal_argument(draw) for _ in range(draw(st.integers(0, 2)))]
    return f"States.Array({', '.join(arguments)})", Arr(Unknown(), len(arguments))


def _math_add(draw: st.DrawFn, readable: Readable) -> Call:
    return f"States.MathAdd({_int_argument(draw, readable)}, {_int_argument(draw, readable)})", Int()


def _array_range(draw: st.DrawFn, readable: Readable) -> Call:
    # A positive step only: moto rejects a negative one.
    start = draw(SMALL_INTS)
    end = draw(st.integers(start, start + 12))
    step = draw(st.integers(1, 4))
    return f"States.ArrayRange({start}, {end}, {step})", Arr(Int(), len(range(start, end + 1, step)))


def _json_to_string(draw: st.DrawFn, readable: Readable) -> Call:
    path, found = _any_path(draw, readable)
    return f"States.JsonToString({path})", Str(json_of=found)


def _string_to_json(draw: st.DrawFn, readable: Readable) -> Call:
    if draw(st.booleans()) and readable.json_texts:
        path, found = draw(st.sampled_from(readable.json_texts))
        assert isinstance(found, Str) and found.json_of is not None
        return f"States.StringToJson({path})", found.json_of
    path, found = _any_path(draw, readable)
    return f"States.StringToJson(States.JsonToString({path}))", found


def _array_length(draw: st.DrawFn, readable: Readable) -> Call:
    return f"States.ArrayLength({draw(st.sampled_from(readable.arrays))[0]})", Int()


def _array_partition(draw: st.DrawFn, readable: Readable) -> Call:
    path, found = draw(st.sampled_from(readable.arrays))
    assert isinstance(found, Arr)
    size = draw(st.integers(1, 3))
    chunks = None if found.length is None else -(-found.length // size)
    return f"States.ArrayPartition({path}, {size})", Arr(Arr(found.item), chunks)


def _array_contains(draw: st.DrawFn, readable: Readable) -> Call:
    path, found = draw(st.sampled_from(readable.scalar_arrays))
    assert isinstance(found, Arr)
    # A needle of the elements' own type: moto compares with Python's ==, where true == 1 == 1.0.
    same_type = [candidate for candidate, shape in readable.every if type(shape) is type(found.item)]
    literals = {
        Int: SMALL_INTS.map(str),
        Str: literal_strings.map(_quoted),
        Bool: st.sampled_from(["true", "false"]),
    }
    if draw(st.booleans()) and same_type:
        needle = draw(st.sampled_from(same_type))
    else:
        needle = draw(literals.get(type(found.item), st.just("null")))
    return f"States.ArrayContains({path}, {needle})", Bool()


def _array_unique(draw: st.DrawFn, readable: Readable) -> Call:
    path, found = draw(st.sampled_from(readable.scalar_arrays))
    assert isinstance(found, Arr)
    return f"States.ArrayUnique({path})", Arr(found.item)


def _array_get_item(draw: st.DrawFn, readable: Readable) -> Call:
    path, found = draw(st.sampled_from(readable.indexable))
    assert isinstance(found, Arr) and found.length
    return f"States.ArrayGetItem({path}, {draw(st.integers(0, found.length - 1))})", found.item


def _string_split(draw: st.DrawFn, readable: Readable) -> Call:
    path = draw(st.sampled_from(readable.strings))[0]
    delimiters = draw(st.text(alphabet=" ,;-.", min_size=1, max_size=2))
    return f"States.StringSplit({path}, {_quoted(delimiters)})", Arr(Str())


def _base64(draw: st.DrawFn, readable: Readable) -> Call:
    path = draw(st.sampled_from(readable.strings))[0]
    if draw(st.booleans()):
        return f"States.Base64Encode({path})", Str()
    return f"States.Base64Decode(States.Base64Encode({path}))", Str()


def _hash(draw: st.DrawFn, readable: Readable) -> Call:
    path = draw(st.sampled_from(readable.strings))[0]
    algorithm = draw(st.sampled_from(["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"]))
    return f"States.Hash({path}, {_quoted(algorithm)})", Str()


def _json_merge(draw: st.DrawFn, readable: Readable) -> Call:
    first_path, first = draw(st.sampled_from(readable.objects))
    second_path, second = draw(st.sampled_from(readable.objects))
    assert isinstance(first, Obj) and isinstance(second, Obj)
    merged = first
    for key, value in second.fields:
        merged = merged.with_field(key, value)
    return f"States.JsonMerge({first_path}, {second_path}, false)", merged


# Each maker with the paths it needs to be possible.
_MAKERS: dict[Callable[[st.DrawFn, Readable], Call], Callable[[Readable], bool]] = {
    _format: lambda readable: True,
    _array: lambda readable: True,
    _math_add: lambda readable: True,
    _array_range: lambda readable: True,
    _json_to_string: lambda readable: True,
    _string_to_json: lambda readable: True,
    _array_length: lambda readable: bool(readable.arrays),
    _array_partition: lambda readable: bool(readable.arrays),
    _array_contains: lambda readable: bool(readable.scalar_arrays),
    _array_unique: lambda readable: bool(readable.scalar_arrays),
    _array_get_item: lambda readable: bool(readable.indexable),
    _string_split: lambda readable: bool(readable.strings),
    _base64: lambda readable: bool(readable.strings),
    _hash: lambda readable: bool(readable.strings),
    _json_merge: lambda readable: bool(readable.objects),
}


def intrinsic_calls(draw: st.DrawFn, shape: Shape) -> Call:
    """A States.* call reading from data of `shape`, and the shape of its result."""
    readable = Readable(list(readable_paths(shape)))
    possible = [maker for maker, needs in _MAKERS.items() if needs(readable)]
    maker = draw(st.sampled_from(possible))
    return maker(draw, readable)

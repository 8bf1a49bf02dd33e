"""How deep JSON text nests, measured without parsing it.

`json.loads` recurses once per level of nesting, and so do the validator and the parser of a definition, so
text nested thousands of levels deep ends in a RecursionError (a 500) instead of a client error. Every JSON
text the Step Functions API parses (request bodies, definitions, execution inputs, task outputs) is
measured here first and refused beyond `MAX_JSON_DEPTH`.

    exceeds_depth('{"a": [[1]]}', 2)   # True: three levels
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate

MAX_JSON_DEPTH = 512
"""The deepest nesting of objects and arrays accepted. A local limit (AWS documents none): far beyond any
real definition (each Parallel or Map level adds three or four levels) or input, and shallow enough that
parsing, validating and running stay well inside Python's recursion limit."""

# Whole JSON strings, escapes included, so that brackets inside them do not count.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BYTES_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BYTES_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
# An opening bracket steps 2, a closing one 0: the running sum minus the count so far is the depth.
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def exceeds_depth(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether objects and arrays in `text` nest more than `limit` levels deep.

    Iterative and at C speed (a 10 MiB text in under half a second). Text that is not JSON is measured as
    far as it goes; the parser rejects it afterwards.
    """
    if isinstance(text, bytes):
        if text.count(b"[") + text.count(b"{") <= limit:  # cannot nest deeper than it opens
            return False
        brackets = _BYTES_NOT_BRACKET.sub(b"", _BYTES_STRING.sub(b"", text))
    else:
        if text.count("[") + text.count("{") <= limit:
            return False
        brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    steps = brackets.translate(_STEP)
    depths = map(operator.sub, accumulate(steps), range(1, len(steps) + 1))
    return max(depths, default=0) > limit

"""Small state files that survive a crash of the process writing them (kill -9 included).

A file is replaced whole: the new content goes to a temporary file beside it, which is then renamed over
the old one. A rename within a directory is atomic, so a reader (the next process, after a crash) finds
either the old content or the new, never a torn mix. The data is not fsync'ed: it survives the process,
not a power cut, which is what a local runtime needs and keeps each write cheap.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (see the module docstring)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, document: Any) -> None:
    """Replace `path` with `document` as JSON, in one step."""
    write_atomically(path, json.dumps(document, separators=(",", ":")).encode())


def read_json(path: Path) -> Any | None:
    """The JSON document in `path`, or None when there is no such file."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None

"""The README's example of the engine from Python runs as written and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "### The engine from Python, without HTTP"
PRINTED_AS = re.compile(r"^\s*print\(.*\)\s+# (?P<expected>.+)$")


def _example() -> str:
    """The first Python block under the section's heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    match = re.search(r"```python\n(?P<code>.*?)```", section, re.DOTALL)
    assert match is not None, f"no Python block under {SECTION!r} in {README}"
    return match["code"]


def test_the_readme_example_prints_what_its_comments_say() -> None:
    # Given the example as the README shows it, and the output its comments promise
    code = _example()
    promised = [m["expected"].strip() for line in code.splitlines() if (m := PRINTED_AS.match(line))]
    assert promised, "the example prints nothing to check"
    # When it runs
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{README}:{SECTION}", "exec"), {"__name__": "readme_example"})
    # Then it printed exactly that
    assert printed.getvalue().splitlines() == promised

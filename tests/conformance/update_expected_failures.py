"""Replay the conformance corpus and rewrite expected_failures.json from what fails now.

    .venv/bin/python tests/conformance/update_expected_failures.py

Reasons of cases that still fail are kept; cases that pass now are dropped; new failures are listed as
"unclassified: <first line of the difference>" for a person to group and explain.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conformance.corpus_runner import (
    EXPECTED_FAILURES_PATH,
    corpus_dir,
    first_line,
    load_expected_failures,
    replay_corpus,
    write_expected_failures,
)


def main() -> int:
    """Replay, rewrite the list, print what changed; returns the exit code."""
    corpus = corpus_dir()
    if not (corpus / "replay.py").exists():
        print(f"the shared conformance corpus is absent: {corpus}", file=sys.stderr)
        return 1
    previous = load_expected_failures()
    with tempfile.TemporaryDirectory() as work_dir:
        results = replay_corpus(corpus, Path(work_dir))
    failing = {case_id: result for case_id, result in results.items() if result["result"] != "PASS"}
    updated = {
        case_id: previous.get(case_id) or f"unclassified: {first_line(result.get('reason', ''))}"
        for case_id, result in failing.items()
    }
    write_expected_failures(updated)
    fixed = sorted(set(previous) - set(updated))
    new = sorted(set(updated) - set(previous))
    print(
        f"{len(results) - len(failing)} of {len(results)} cases pass; {len(updated)} listed in "
        f"{EXPECTED_FAILURES_PATH.name} ({len(fixed)} fixed, {len(new)} new)"
    )
    for case_id in fixed:
        print(f"  fixed: {case_id}")
    for case_id in new:
        print(f"  new:   {case_id}: {updated[case_id]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

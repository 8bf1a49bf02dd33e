"""Replays the shared conformance corpus against `python -m local sfn --clock skip` and reads the results.

Used by the conformance tests and by `update_expected_failures.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.local.sfn_api.sfn_process import SfnProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTED_FAILURES_PATH = Path(__file__).resolve().parent / "expected_failures.json"
REPLAY_JOBS = 4  # cases in flight at once; the engine runs them while the runner polls over HTTP
REPLAY_TIMEOUT_SECONDS = 1200


def corpus_dir() -> Path:
    """The shared corpus: $SFN_CONFORMANCE_DIR, else `shared/conformance` next to the repository."""
    override = os.environ.get("SFN_CONFORMANCE_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "shared" / "conformance"


def case_ids(corpus: Path) -> list[str]:
    """Every case as `area/id` (the case files are named after their id)."""
    return sorted(f"{path.parent.name}/{path.stem}" for path in (corpus / "cases").glob("*/*.json"))


def load_expected_failures(path: Path = EXPECTED_FAILURES_PATH) -> dict[str, str]:
    """Case id -> why the engine does not match AWS there yet."""
    if not path.exists():
        return {}
    failures: dict[str, str] = json.loads(path.read_text())
    return failures


def write_expected_failures(failures: dict[str, str], path: Path = EXPECTED_FAILURES_PATH) -> None:
    """Write the list sorted by case id, one case per line."""
    path.write_text(json.dumps(dict(sorted(failures.items())), indent=2) + "\n")


def replay_corpus(corpus: Path, work_dir: Path) -> dict[str, dict[str, Any]]:
    """Start the server, replay every case once, and return replay.py's per-case results by case id.

    Each result also names its `dump_file`: the expected and actual normalised events side by side.
    """
    json_out = work_dir / "replay-results.json"
    replay_log = work_dir / "replay.log"
    server = SfnProcess("--clock", "skip", log_path=work_dir / "sfn-server.log")
    with server, replay_log.open("w") as log:
        subprocess.run(
            _replay_command(corpus, server.endpoint_url, json_out, work_dir / "dump"),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=REPLAY_TIMEOUT_SECONDS,
            check=False,  # replay.py exits 1 whenever any case fails; the results file says which
        )
    if not json_out.exists():
        raise RuntimeError(f"replay.py wrote no results; its output: {replay_log.read_text()[-3000:]}")
    document = json.loads(json_out.read_text())
    dump_dir = work_dir / "dump"
    return {
        case["id"]: {**case, "dump_file": str(dump_dir / (case["id"].replace("/", "__") + ".json"))}
        for case in document["cases"]
    }


def _replay_command(corpus: Path, endpoint_url: str, json_out: Path, dump_dir: Path) -> list[str]:
    return [
        sys.executable,
        str(corpus / "replay.py"),
        *("--endpoint-url", endpoint_url),
        *("--json-out", str(json_out)),
        *("--dump-dir", str(dump_dir)),  # expected and actual events of each case, for whoever debugs one
        *("--jobs", str(REPLAY_JOBS)),
        "--quiet",
    ]


def first_line(reason: str, limit: int = 200) -> str:
    """The first line of a replay reason, short enough for a list entry."""
    line = (reason.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 3] + "..."

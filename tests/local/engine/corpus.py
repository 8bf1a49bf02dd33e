"""Replays the shared conformance corpus through the Engine in-process (no HTTP) and compares histories.

.venv/bin/python -m tests.local.engine.corpus [--area base] [--case ID] [--verbose]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from local.engine import Engine, MemoryStore, SkipClock

CORPUS = Path("/work/shared/conformance")
ROLE_ARN = "arn:aws:iam::123456789012:role/sfn"


def _corpus_common() -> Any:
    sys.path.insert(0, str(CORPUS))
    import corpus_common

    return corpus_common


def load_cases(areas: set[str] | None = None, ids: set[str] | None = None) -> list[dict[str, Any]]:
    """Cases of the corpus, optionally filtered by area and id."""
    cases = []
    for path in sorted((CORPUS / "cases").glob("*/*.json")):
        case = json.loads(path.read_text())
        if areas and case["area"] not in areas:
            continue
        if ids and case["id"] not in ids:
            continue
        cases.append(case)
    return cases


def _fill(template: str) -> str:
    return template.replace("{uid}", uuid.uuid4().hex[:8]).replace("{uuid}", str(uuid.uuid4()))


def run_case(case: dict[str, Any]) -> tuple[bool, str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(passed, reason, expected events, actual normalised events) for one case."""
    common = _corpus_common()
    engine = Engine(clock=SkipClock(), store=MemoryStore())
    names = case.get("names") or {}
    machine_name = _fill(names.get("state_machine") or "statemachine_{uid}")
    execution_name = _fill(names.get("execution") or "{uuid}")
    literals: list[list[str]] = []
    execution_input = case["input"]
    for relative in case.get("input_relative_time") or []:
        fresh = (engine.now() + datetime.timedelta(seconds=relative["offset_seconds"])).strftime(
            relative["strftime"]
        )
        execution_input = execution_input.replace(relative["value"], fresh)
        literals.append(
            [
                fresh,
                dict((case.get("normalisation") or {}).get("literals") or []).get(
                    relative["value"], "<timestamp>"
                ),
            ]
        )
    try:
        machine = engine.create_state_machine(
            name=machine_name, definition=json.dumps(case["definition"]), role_arn=ROLE_ARN
        )
        run = engine.start_execution(machine["stateMachineArn"], input=execution_input, name=execution_name)
        engine.run_until_idle()
        status = engine.describe_execution(run["executionArn"])["status"]
        request = {"reverse_order": (case.get("history_request") or {}).get("reverseOrder", False)}
        events = engine.get_execution_history(run["executionArn"], **request)["events"]
    except Exception as exc:  # report, don't crash the replay
        return False, f"ERROR {type(exc).__name__}: {exc}", case["expected_events"], []
    normalisation = case.get("normalisation") or {}
    context = {
        "literals": [
            [ROLE_ARN, normalisation.get("role_arn", "snf_role_arn")],
            [machine_name, normalisation.get("state_machine_name", "<ArnPart_0idx>")],
            [execution_name, normalisation.get("execution_name", "<ExecArnPart_0idx>")],
            *literals,
            *(normalisation.get("literals") or []),
        ],
        "account_id": "123456789012",
        "region": "us-east-1",
        "transformers": normalisation.get("transformers") or [],
        "parallel_sublist": normalisation.get("parallel_sublist", False),
    }
    actual = common.normalise_events(json.loads(json.dumps(events, default=str)), context)
    difference = common.compare_events(case["expected_events"], actual)
    if difference is None:
        return True, "", case["expected_events"], actual
    return False, f"[{status} vs {case['expected_status']}] {difference}", case["expected_events"], actual


def main(argv: list[str] | None = None) -> int:
    """Replay and print PASS/FAIL per case and a summary by area."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--area", action="append")
    parser.add_argument("--case", action="append")
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--dump", help="directory for expected/actual events of failing cases")
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for case in load_cases(set(args.area or []) or None, set(args.case or []) or None):
        ok, reason, expected, actual = run_case(case)
        totals[case["area"]] += 1
        passed[case["area"]] += ok
        if not ok:
            print(f"FAIL {case['area']}/{case['id']}  {reason[:300]}")
            if args.dump:
                target = Path(args.dump)
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{case['area']}__{case['id']}.json").write_text(
                    json.dumps({"expected": expected, "actual": actual}, indent=1)
                )
        elif args.verbose:
            print(f"PASS {case['area']}/{case['id']}")
    for area in sorted(totals):
        print(f"{area:22s} {passed[area]:4d} / {totals[area]}")
    print(f"{sum(passed.values())} passed of {sum(totals.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The crash scenario, at any size: kill -9 the local stack during clock advances, restart it on
the same state directory, finish the three-day workflows, and count what was lost or done twice.

Everything goes through what a user has: the `python -m local up` child and what it prints, the Schedule
API and `/_local/clock`, boto3 against the printed endpoints, the fake vendor's `/_control/` routes,
moto's `/moto-api/data.json` (the SES outbox) and the ledger's SQLite file under the state directory.

Example:
    >>> figures = run_crash_scenario(CrashScenario(schedules=5, revocations=2, restarts=1), tmp_path)
    >>> figures.shortfalls()
    []
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import random
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.local.crash.figures import CrashFigures
from tests.local.crash.up_child import UpChild
from tests.local.execution_history import by_customer, successful_runs

SCHEDULED_REQUEST = "ScheduledRequest"
CONSENT_DELETION = "ConsentDeletion"
PROCESS_REQUEST_STATE = "ProcessRequest"
ALERT_STATE = "AlertTechnicalContact"
HOUR = 3_600.0

# Requests that run the engine (clock moves) answer only once everything due has run.
_CLOCK_MOVE_TIMEOUT_SECONDS = 300.0
_REQUEST_TIMEOUT_SECONDS = 30.0
_SETTLE_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.2
_ALERT_SUBJECT = re.compile(r"^\[Consent deletion\] (?P<headline>.+): customer (?P<customer>\S+)$")
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=60)


class ScenarioError(RuntimeError):
    """The scenario could not be driven to its end (as opposed to a shortfall it measured)."""


@dataclass(frozen=True)
class CrashScenario:
    """The sizes and random ranges of one run; the seed makes the kill moments and delays repeatable."""

    schedules: int = 50
    revocations: int = 20
    consenting_customers: int = 10
    """Customers who keep their consent: they must never get a deletion."""
    restarts: int = 5
    startup_kills: int = 0
    """Restarts that are themselves killed while `up` starts (before it is ready), then started again."""
    seed: int = 7
    advance_hours: tuple[float, float] = (2.0, 12.0)
    kill_after_seconds: tuple[float, float] = (0.0, 1.5)
    vendor_completes_after_hours: tuple[float, float] = (1.0, 48.0)
    """Each revoked customer's deletion completes this long after it was requested (the vendor's clock)."""
    schedule_horizon_hours: tuple[float, float] = (0.25, 72.0)
    final_advance_hours: float = 96.0
    final_advance_step_hours: float = 12.0


@dataclass
class _Given:
    """What the scenario gave the stack before the first crash."""

    customers: list[str]
    revoked: list[str]
    trigger_at: dict[str, datetime] = field(default_factory=dict)
    """scheduleId -> the triggerAt it was accepted with."""


@dataclass
class _Crashes:
    """What happened during the restarts."""

    advances_cut: int = 0
    asked_seconds: float = 0.0
    clock_before: datetime | None = None
    clock_after: datetime | None = None
    startup_kills: int = 0


def run_crash_scenario(
    scenario: CrashScenario, work_dir: Path, progress: Callable[[str], None] = lambda _: None
) -> CrashFigures:
    """Run the scenario with its state directory and `up`'s log under `work_dir`; return what it found."""
    began = time.monotonic()
    randomness = random.Random(scenario.seed)
    child = UpChild(work_dir / "state", work_dir / "up.log")
    try:
        child.start()
        progress(f"up started in {child.startup_seconds[-1]:.1f} s; preparing")
        given = _prepare(child, scenario, randomness)
        progress(f"{len(given.revoked)} deletions pending at the vendor; crashing {scenario.restarts} times")
        crashes = _crash_and_restart(child, scenario, randomness, progress)
        progress(f"advancing {scenario.final_advance_hours:g} h after the last restart")
        _advance_in_steps(
            child, scenario.final_advance_hours * HOUR, scenario.final_advance_step_hours * HOUR
        )
        still_running = _wait_until_nothing_runs(child)
        _wait_until_outbox_settles(child)
        wall_seconds = time.monotonic() - began
        figures = _figures(
            child, scenario, given, crashes, still_running=still_running, wall_seconds=wall_seconds
        )
        child.interrupt()
        return figures
    finally:
        child.kill()


# ------------------------------------------------------------------ before the crashes


def _prepare(child: UpChild, scenario: CrashScenario, randomness: random.Random) -> _Given:
    """Consenting customers, a vendor that completes each deletion in time, waiting schedules, revocations."""
    customers = [
        f"crash-{number:04d}" for number in range(scenario.revocations + scenario.consenting_customers)
    ]
    given = _Given(customers=customers, revoked=randomness.sample(customers, scenario.revocations))
    _put_consenting_customers(child, customers)
    _vendor_completes_each_deletion(child, customers, scenario.vendor_completes_after_hours, randomness)
    given.trigger_at = _post_schedules(child, scenario.schedules, scenario.schedule_horizon_hours, randomness)
    _revoke_consent(child, given.revoked)
    _wait_until_pending_at_vendor(child, given.revoked)
    return given


def _put_consenting_customers(child: UpChild, customers: list[str]) -> None:
    dynamodb, table = _client(child, "dynamodb"), _customers_table(child)
    for customer in customers:
        dynamodb.put_item(
            TableName=table, Item={"customerId": {"S": customer}, "analyticsConsent": {"BOOL": True}}
        )


def _vendor_completes_each_deletion(
    child: UpChild, customers: list[str], after_hours: tuple[float, float], randomness: random.Random
) -> None:
    for customer in customers:
        after_seconds = round(randomness.uniform(*after_hours) * HOUR)
        status, body = _request(
            "POST",
            f"{child.third_party}/_control/behaviour",
            {"customerId": customer, "afterSeconds": after_seconds},
        )
        if status != 200:
            raise ScenarioError(f"POST /_control/behaviour answered {status}: {body}")


def _post_schedules(
    child: UpChild, count: int, horizon_hours: tuple[float, float], randomness: random.Random
) -> dict[str, datetime]:
    """POST `count` schedules due within `horizon_hours` of the stack's now; scheduleId -> triggerAt."""
    now = _clock_now(child)
    trigger_at: dict[str, datetime] = {}
    for number in range(count):
        due = (now + timedelta(hours=randomness.uniform(*horizon_hours))).replace(microsecond=0)
        status, body = _request(
            "POST", f"{child.api}/schedules", {"triggerAt": _rfc3339(due), "payload": {"n": number}}
        )
        if status != 202:
            raise ScenarioError(f"POST /schedules answered {status}: {body}")
        trigger_at[body["scheduleId"]] = due
    return trigger_at


def _revoke_consent(child: UpChild, customers: list[str]) -> None:
    # A MODIFY from true to false: one of the changes the stream trigger's filter counts as a revocation.
    dynamodb, table = _client(child, "dynamodb"), _customers_table(child)
    for customer in customers:
        dynamodb.update_item(
            TableName=table,
            Key={"customerId": {"S": customer}},
            UpdateExpression="SET analyticsConsent = :revoked",
            ExpressionAttributeValues={":revoked": {"BOOL": False}},
        )


def _wait_until_pending_at_vendor(child: UpChild, revoked: list[str]) -> None:
    """Until every revocation has an execution and a pending ledger row holding the vendor's operation id."""
    deadline = time.monotonic() + _SETTLE_TIMEOUT_SECONDS
    while True:
        started = set(_executions_by_customer(child))
        pending = set(
            _ledger_rows(child, "SELECT customer_id FROM pending_deletion WHERE operation_id IS NOT NULL")
        )
        missing = [customer for customer in revoked if customer not in started or customer not in pending]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise ScenarioError(
                f"before any crash, {len(missing)} of {len(revoked)} revocations did not reach the vendor "
                f"within {_SETTLE_TIMEOUT_SECONDS:g} s: {missing[:5]}"
            )
        time.sleep(_POLL_SECONDS)


# ------------------------------------------------------------------ the crashes


def _crash_and_restart(
    child: UpChild, scenario: CrashScenario, randomness: random.Random, progress: Callable[[str], None]
) -> _Crashes:
    crashes = _Crashes(clock_before=_clock_now(child))
    for round_number in range(scenario.restarts):
        asked = randomness.uniform(*scenario.advance_hours) * HOUR
        kill_after = randomness.uniform(*scenario.kill_after_seconds)
        answered = _kill_during_advance(child, asked, kill_after)
        crashes.asked_seconds += asked
        crashes.advances_cut += not answered
        # The last restarts are the ones killed again while starting: by then a start has a clock move to
        # complete, and the kill can fall into it.
        again = ""
        if round_number >= scenario.restarts - scenario.startup_kills:
            again = f", killed again {_kill_while_starting(child, randomness):.2f} s into its start"
            crashes.startup_kills += 1
        child.start()
        progress(
            f"restart {round_number + 1}: killed {kill_after:.2f} s into a {asked / HOUR:.1f} h advance "
            f"({'after' if answered else 'before'} it answered){again}; "
            f"up again in {child.startup_seconds[-1]:.1f} s"
        )
    crashes.clock_after = _clock_now(child)
    return crashes


def _kill_during_advance(child: UpChild, seconds: float, kill_after: float) -> bool:
    """Start a clock advance, kill -9 the stack `kill_after` seconds later; whether the advance answered."""
    sent = threading.Event()
    outcome: list[bool] = []

    def advance() -> None:
        sent.set()
        try:
            status, _ = _request(
                "POST", f"{child.api}/_local/clock", {"advanceSeconds": seconds}, _CLOCK_MOVE_TIMEOUT_SECONDS
            )
            outcome.append(status == 200)
        except (OSError, http.client.HTTPException):
            outcome.append(False)  # the kill cut the connection

    thread = threading.Thread(target=advance, name="clock-advance", daemon=True)
    thread.start()
    sent.wait()
    time.sleep(kill_after)
    child.kill()
    thread.join(timeout=_REQUEST_TIMEOUT_SECONDS)
    return bool(outcome and outcome[0])


def _kill_while_starting(child: UpChild, randomness: random.Random) -> float:
    """Launch `up`, kill it before it is ready (while it restores its state, provisions, completes a clock
    move); returns how many seconds into the start the kill fell.
    """
    kill_after = randomness.uniform(0.1, max(child.startup_seconds))
    child.launch()
    time.sleep(kill_after)
    child.kill()
    return kill_after


# ------------------------------------------------------------------ after the crashes


def _advance_in_steps(child: UpChild, total_seconds: float, step_seconds: float) -> None:
    remaining = total_seconds
    while remaining > 0:
        step = min(step_seconds, remaining)
        status, body = _request(
            "POST", f"{child.api}/_local/clock", {"advanceSeconds": step}, _CLOCK_MOVE_TIMEOUT_SECONDS
        )
        if status != 200:
            raise ScenarioError(f"POST /_local/clock answered {status}: {body}")
        remaining -= step


def _wait_until_nothing_runs(child: UpChild) -> int:
    """Until no execution of either state machine is RUNNING; the number still running at the deadline."""
    sfn = _client(child, "stepfunctions")
    deadline = time.monotonic() + _SETTLE_TIMEOUT_SECONDS
    while True:
        running = sum(
            1 for arn in child.printed.machine_arns.values() for _ in _executions(sfn, arn, status="RUNNING")
        )
        if running == 0 or time.monotonic() > deadline:
            return running
        time.sleep(_POLL_SECONDS)


def _wait_until_outbox_settles(child: UpChild) -> None:
    """Alerts reach SES through a topic subscription in the background: wait until the count stops moving."""
    deadline = time.monotonic() + _SETTLE_TIMEOUT_SECONDS / 3
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(_sent_emails(child))
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > 2.0:
            return
        time.sleep(_POLL_SECONDS)


# ------------------------------------------------------------------ figures


def _figures(
    child: UpChild,
    scenario: CrashScenario,
    given: _Given,
    crashes: _Crashes,
    *,
    still_running: int,
    wall_seconds: float,
) -> CrashFigures:
    schedules = _schedule_findings(child, given)
    deletions = _deletion_findings(child, given)
    customers = _customer_findings(child, given)
    alerts = _alert_findings(child, given, deletions["alerted"])
    assert crashes.clock_before is not None and crashes.clock_after is not None
    return CrashFigures(
        restarts=scenario.restarts,
        startup_kills=crashes.startup_kills,
        advances_cut_by_kill=crashes.advances_cut,
        advance_asked_hours=crashes.asked_seconds / HOUR,
        clock_moved_hours=(crashes.clock_after - crashes.clock_before).total_seconds() / HOUR,
        startup_seconds=tuple(child.startup_seconds),
        wall_seconds=wall_seconds,
        schedules=len(given.trigger_at),
        executions_still_running=still_running,
        revocations=len(given.revoked),
        customers=len(given.customers),
        **schedules,
        **{name: value for name, value in deletions.items() if name != "alerted"},
        **customers,
        **alerts,
    )


def _schedule_findings(child: UpChild, given: _Given) -> dict[str, Any]:
    sfn = _client(child, "stepfunctions")
    executions = list(_executions(sfn, child.printed.machine_arns[SCHEDULED_REQUEST]))
    names = Counter(execution["name"] for execution in executions)
    arns = {execution["name"]: execution["executionArn"] for execution in executions}
    not_succeeded, more_than_once, rescheduled, too_early = [], [], [], []
    for schedule_id, trigger_at in given.trigger_at.items():
        status, body = _request("GET", f"{child.api}/schedules/{schedule_id}")
        if body.get("status") != "SUCCEEDED":
            not_succeeded.append(f"{schedule_id}={body.get('status', status)}")
            continue
        result = body.get("result") or {}
        processed_at = result.get("processedAt")
        if processed_at and datetime.fromisoformat(processed_at) < trigger_at:
            too_early.append(schedule_id)
        runs = _successful_runs(sfn, arns[schedule_id], PROCESS_REQUEST_STATE) if schedule_id in arns else 0
        if runs > 1:
            more_than_once.append(schedule_id)
        if result.get("attempt", 1) != 1:
            rescheduled.append(schedule_id)
    return {
        "schedules_succeeded": len(given.trigger_at) - len(not_succeeded),
        "schedules_not_succeeded": tuple(not_succeeded),
        "schedules_without_execution": tuple(sid for sid in given.trigger_at if names[sid] == 0),
        "schedules_with_several_executions": tuple(sid for sid in given.trigger_at if names[sid] > 1),
        "schedules_processed_more_than_once": tuple(more_than_once),
        "schedules_rescheduled": tuple(rescheduled),
        "schedules_processed_before_trigger_at": tuple(too_early),
    }


def _deletion_findings(child: UpChild, given: _Given) -> dict[str, Any]:
    sfn = _client(child, "stepfunctions")
    by_customer = _executions_by_customer(child)
    outcomes: Counter[str] = Counter()
    alerted: list[str] = []
    for customer, executions in by_customer.items():
        for execution in executions:
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            outcomes[" ".join(filter(None, (described["status"], described.get("error"))))] += 1
            if _successful_runs(sfn, execution["executionArn"], ALERT_STATE, last_events_only=True):
                alerted.append(customer)
    completed = Counter(_ledger_rows(child, "SELECT customer_id FROM completed_deletion"))
    failed = _ledger_rows(child, "SELECT customer_id, failure_kind FROM deletion_failure", columns=2)
    terminal = completed + Counter(customer for customer, _ in failed)
    failures = Counter(kind for customer, kind in failed if customer in given.revoked)
    revoked = set(given.revoked)
    return {
        "revocations_without_execution": tuple(c for c in given.revoked if not by_customer.get(c)),
        "revocations_with_several_executions": tuple(
            c for c in given.revoked if len(by_customer.get(c, [])) > 1
        ),
        "revocations_without_terminal_record": tuple(c for c in given.revoked if terminal[c] == 0),
        "revocations_with_several_terminal_records": tuple(c for c in given.revoked if terminal[c] > 1),
        "deletions_completed": sum(completed[c] for c in given.revoked),
        "deletion_failures": dict(failures),
        "deletion_outcomes": dict(outcomes),
        "executions_for_consenting_customers": tuple(sorted(set(by_customer) - revoked)),
        "alerted": alerted,
        "alerts_published": len(alerted),
    }


def _customer_findings(child: UpChild, given: _Given) -> dict[str, Any]:
    dynamodb, table = _client(child, "dynamodb"), _customers_table(child)
    items = [
        item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]
    ]
    consent = {item["customerId"]["S"]: item.get("analyticsConsent", {}).get("BOOL") for item in items}
    revoked = set(given.revoked)
    return {
        "customers_present": sum(1 for customer in given.customers if customer in consent),
        "customers_with_consent_as_written": sum(
            1 for customer in given.customers if consent.get(customer) is (customer not in revoked)
        ),
    }


def _alert_findings(child: UpChild, given: _Given, alerted: list[str]) -> dict[str, Any]:
    emails = _sent_emails(child)
    subjects = [match for email in emails if (match := _ALERT_SUBJECT.match(email.get("subject", "")))]
    _, body = _request("GET", f"{child.third_party}/_control/operations")
    operations = body.get("operations", [])
    # Every revoked customer's deletion is set to complete well before the deadline, so an alert about any
    # of them is false; the vendor's own list adds any other customer whose operation it completed. (The
    # list alone would miss the false alerts of a vendor that forgot an operation: it is never completed.)
    completing = set(given.revoked) | {
        op["customerId"] for op in operations if op.get("status") == "COMPLETED"
    }
    emailed = Counter(match["customer"] for match in subjects)
    return {
        "alerts_emailed": len(emails),
        "alert_subjects": dict(Counter(match["headline"] for match in subjects)),
        "alerts_published_not_emailed": tuple(
            customer for customer, count in Counter(alerted).items() if emailed[customer] < count
        ),
        "vendor_operations_completed": sum(1 for op in operations if op.get("status") == "COMPLETED"),
        "alerts_published_for_completed_deletions": tuple(c for c in alerted if c in completing),
        "alerts_emailed_for_completed_deletions": tuple(
            match["customer"] for match in subjects if match["customer"] in completing
        ),
    }


# ------------------------------------------------------------------ reading the stack


def _executions(sfn: Any, state_machine_arn: str, status: str | None = None) -> Iterator[dict[str, Any]]:
    arguments = {"stateMachineArn": state_machine_arn, **({"statusFilter": status} if status else {})}
    for page in sfn.get_paginator("list_executions").paginate(**arguments):
        yield from page["executions"]


def _executions_by_customer(child: UpChild) -> dict[str, list[dict[str, Any]]]:
    """ConsentDeletion executions by customer: a name is the customer id, a dash and a digest."""
    sfn = _client(child, "stepfunctions")
    return by_customer(_executions(sfn, child.printed.machine_arns[CONSENT_DELETION]))


def _successful_runs(sfn: Any, execution_arn: str, state: str, *, last_events_only: bool = False) -> int:
    """How many times a Task in `state` succeeded in the execution's history.

    With `last_events_only`, only the newest 200 events are read: enough for a step near the end.
    """
    if last_events_only:
        events = sfn.get_execution_history(executionArn=execution_arn, maxResults=200, reverseOrder=True)
        history = list(reversed(events["events"]))
    else:
        pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        history = [event for page in pages for event in page["events"]]
    return successful_runs(history, state)


def _ledger_rows(child: UpChild, query: str, *, columns: int = 1) -> list[Any]:
    """Rows of a query on the ledger's SQLite file (read-only); none while the file or table is missing."""
    path = Path(child.printed.resource(CONSENT_DELETION, "database", "Ledger").removeprefix("sqlite:///"))
    if not path.exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as connection:
            rows = connection.execute(query).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    return [row[0] if columns == 1 else row for row in rows]


def _sent_emails(child: UpChild) -> list[dict[str, Any]]:
    """The SES outbox, from moto's model dump (deduplicated by message id)."""
    _, dump = _request("GET", f"{child.aws}/moto-api/data.json")
    messages = dump.get("ses", {}).get("Message", [])
    return list({message["id"]: message for message in messages}.values())


def _customers_table(child: UpChild) -> str:
    return child.printed.resource(CONSENT_DELETION, "table", "Customers")


def _clock_now(child: UpChild) -> datetime:
    status, body = _request("GET", f"{child.api}/_local/clock")
    if status != 200:
        raise ScenarioError(f"GET /_local/clock answered {status}: {body}")
    return datetime.fromisoformat(body["now"])


def _client(child: UpChild, service: str) -> Any:
    return _client_at(service, child.stepfunctions if service == "stepfunctions" else child.aws)


@functools.cache
def _client_at(service: str, endpoint_url: str) -> Any:
    # Cached: building a client costs tens of milliseconds, and the waits above poll several times a second.
    return _session().client(service, endpoint_url=endpoint_url, config=_BOTO_CONFIG)


@functools.cache
def _session() -> boto3.session.Session:
    # Any credentials do locally; explicit ones keep the scenario independent of the caller's environment.
    return boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
    )


def _request(
    method: str, url: str, body: object | None = None, timeout: float = _REQUEST_TIMEOUT_SECONDS
) -> tuple[int, dict[str, Any]]:
    """One JSON request; any HTTP status comes back as (status, body), a broken connection raises."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    return status, json.loads(raw) if raw else {}


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

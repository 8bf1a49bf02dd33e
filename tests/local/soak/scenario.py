"""The fault-injection soak of issue 10, at any size: revocations against a vendor that fails, throttles,
answers late and changes its schema, over four virtual days, with every stream record delivered one to
three times; then count executions, ledger records, alerts and vendor operations per revocation.

The stack runs in this process (`LocalStack`, virtual clock). The vendor's faults come from `FaultMix`;
each customer's deletion completes at the vendor up to four days after it is requested (`afterSeconds`),
so about a quarter of them pass the three-day deadline. The stream delivers each revocation once on its
own; the soak delivers the same records again to the stream trigger, some at once and some hours or days
later, as a Lambda event source mapping may after a partial failure or a retried batch.

Example:
    >>> figures = run_soak(SoakScenario(revocations=5))
    >>> figures.shortfalls()
    []
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import statistics
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, text

from catalog.consent_deletion import CONSENT_DELETION, CUSTOMERS_TABLE, LEDGER, STREAM_TRIGGER
from local.stack import LocalStack
from local.stack.config import REGION
from local.third_party_fake.behaviour import Behaviour
from tests.local.execution_history import by_customer, successful_runs
from tests.local.soak.faults import FaultKind, FaultMix, FaultRates
from tests.local.soak.figures import SoakFigures
from tests.local.stack.conftest import quiet_config
from tests.local.stack.consent import revoke_consent

HOUR = 3_600.0
ALERT_STATE = "AlertTechnicalContact"
READ_TIMEOUT_VARIABLE = "THIRD_PARTY_READ_TIMEOUT_SECONDS"
_ALERT_SUBJECT = re.compile(r"^\[Consent deletion\] (?P<headline>.+): customer (?P<customer>\S+)$")
_POLL_SECONDS = 0.1
_SETTLE_SECONDS = 2.0


class SoakError(RuntimeError):
    """The soak could not be driven to its end (as opposed to a shortfall it measured)."""


@dataclass(frozen=True)
class SoakScenario:
    """The sizes, rates and random ranges of one run; the seed makes them repeatable."""

    revocations: int = 40
    seed: int = 10
    rates: FaultRates = field(default_factory=FaultRates)
    drifting_share: float = 0.02
    """Share of the revocations whose vendor answers drift to a renamed schema (at least one customer)."""
    drift_after_requests: tuple[int, int] = (0, 4)
    """A drifting customer's requests answered normally before the drift, drawn from this range."""
    late_first_share: float = 0.02
    """Share of the revocations whose first deletion request is answered late (at least one customer), on
    top of the 5 % of all requests: the vendor did the work, the client gave up, the retry must find it."""
    completes_within_hours: float = 96.0
    deliveries: tuple[int, int] = (1, 3)
    """How many times each revocation's stream record is delivered."""
    read_timeout_seconds: float = 0.1
    """The vendor client's read timeout during the soak (10 s by default): timeouts cost little real time."""
    answer_late_by_seconds: float = 0.3
    advance_hours: float = 108.0
    """Past the four-day TimeoutSeconds of the state machine, so every execution has ended."""
    advance_step_hours: float = 6.0
    start_timeout_seconds: float = 120.0


@dataclass
class _Run:
    customers: list[str]
    mix: FaultMix
    drifting: dict[str, int]
    deliveries: int = 0


def run_soak(scenario: SoakScenario, progress: Callable[[str], None] = lambda _: None) -> SoakFigures:
    """Run the scenario on a fresh in-process stack; return what it found."""
    began = time.monotonic()
    randomness = random.Random(scenario.seed)
    customers = [f"soak-{number:04d}" for number in range(scenario.revocations)]
    drifting_count = max(1, round(scenario.revocations * scenario.drifting_share))
    drifting = {
        customer: randomness.randint(*scenario.drift_after_requests)
        for customer in randomness.sample(customers, drifting_count)
    }
    late_first = randomness.sample(customers, max(1, round(scenario.revocations * scenario.late_first_share)))
    mix = FaultMix(
        scenario.rates,
        seed=scenario.seed,
        late_by_seconds=scenario.answer_late_by_seconds,
        drift_after=drifting,
        late_first_deletion=frozenset(late_first),
    )
    run = _Run(customers=customers, mix=mix, drifting=drifting)
    with _client_read_timeout(scenario.read_timeout_seconds), LocalStack(quiet_config()) as stack:
        mix.install(stack.third_party.vendor)
        for customer in customers:
            after = round(randomness.uniform(0, scenario.completes_within_hours * HOUR))
            stack.third_party.vendor.set_behaviour(Behaviour(after_seconds=after), customer)
        dynamodb = stack.aws.client("dynamodb")
        for customer in customers:
            revoke_consent(dynamodb, customer)
        records = _revocation_records(stack, set(customers), scenario.start_timeout_seconds)
        run.deliveries = len(records)
        _wait_until_started(stack, customers, scenario.start_timeout_seconds)
        steps = max(1, round(scenario.advance_hours / scenario.advance_step_hours))
        repeats = _plan_repeats(records, scenario.deliveries, steps, randomness)
        progress(
            f"{len(customers)} revocations started; advancing {scenario.advance_hours:g} h in {steps} steps"
        )
        for step in range(steps):
            run.deliveries += _deliver_again(stack, repeats.get(step, []))
            stack.advance(scenario.advance_hours * HOUR / steps)
            progress(f"step {step + 1}/{steps}: {_running(stack)} executions running")
        _wait_until_outbox_settles(stack)
        return _figures(stack, run, wall_seconds=time.monotonic() - began)


@contextlib.contextmanager
def _client_read_timeout(seconds: float) -> Iterator[None]:
    """The vendor client's read timeout for functions started in this block (read at their cold start)."""
    before = os.environ.get(READ_TIMEOUT_VARIABLE)
    os.environ[READ_TIMEOUT_VARIABLE] = str(seconds)
    try:
        yield
    finally:
        if before is None:
            del os.environ[READ_TIMEOUT_VARIABLE]
        else:
            os.environ[READ_TIMEOUT_VARIABLE] = before


# ------------------------------------------------------------------ driving the stack


def _revocation_records(
    stack: LocalStack, customers: set[str], timeout_seconds: float
) -> list[dict[str, Any]]:
    """The stream's revocation records (MODIFY of a customer of the soak), as Lambda delivers them."""
    resources = stack.workflows[CONSENT_DELETION.name].resources
    stream_arn = resources.stream_arns[CUSTOMERS_TABLE]
    streams = stack.aws.client("dynamodbstreams")
    deadline = time.monotonic() + timeout_seconds
    while True:
        records = []
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                records += page["Records"]
                iterator = page.get("NextShardIterator") if page["Records"] else None
        revocations = [
            _lambda_record(record, stream_arn)
            for record in records
            if record["eventName"] == "MODIFY" and record["dynamodb"]["Keys"]["customerId"]["S"] in customers
        ]
        if len(revocations) == len(customers):
            return revocations
        if time.monotonic() > deadline:
            raise SoakError(f"the stream holds {len(revocations)} of {len(customers)} revocations")
        time.sleep(_POLL_SECONDS)


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record as boto3 read it, as a Lambda event source mapping delivers it (epoch-second times)."""
    document: dict[str, Any] = json.loads(
        json.dumps(
            record, default=lambda value: value.timestamp() if isinstance(value, datetime) else str(value)
        )
    )
    document.setdefault("awsRegion", REGION)
    document["eventSourceARN"] = stream_arn
    return document


def _wait_until_started(stack: LocalStack, customers: list[str], timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        started = set(_executions_by_customer(stack))
        missing = [customer for customer in customers if customer not in started]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise SoakError(f"{len(missing)} revocations started no execution: {missing[:5]}")
        time.sleep(_POLL_SECONDS)


def _plan_repeats(
    records: list[dict[str, Any]], deliveries: tuple[int, int], steps: int, randomness: random.Random
) -> dict[int, list[dict[str, Any]]]:
    """Clock step -> the records delivered again before it (step 0: right after the stream's delivery)."""
    plan: dict[int, list[dict[str, Any]]] = {}
    for record in records:
        for _ in range(randomness.randint(*deliveries) - 1):
            plan.setdefault(randomness.randrange(steps), []).append(record)
    return plan


def _deliver_again(stack: LocalStack, records: list[dict[str, Any]]) -> int:
    """Invoke the stream trigger with `records` again, in batches of the event source's size."""
    workflow = stack.workflows[CONSENT_DELETION.name]
    function = workflow.function(STREAM_TRIGGER)
    size = CONSENT_DELETION.stream_sources[0].batch_size
    for start in range(0, len(records), size):
        answer = function({"Records": records[start : start + size]})
        if isinstance(answer, dict) and answer.get("batchItemFailures"):
            raise SoakError(
                f"the stream trigger failed records delivered again: {answer['batchItemFailures']}"
            )
    return len(records)


def _running(stack: LocalStack) -> int:
    arn = stack.workflows[CONSENT_DELETION.name].state_machine_arn
    return len(_all_executions(stack, arn, status="RUNNING"))


def _wait_until_outbox_settles(stack: LocalStack) -> None:
    """Alerts reach SES through a topic subscription in the background: wait until the count stops moving."""
    deadline = time.monotonic() + 60.0
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(_sent_emails(stack))
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > _SETTLE_SECONDS:
            return
        time.sleep(_POLL_SECONDS * 2)


# ------------------------------------------------------------------ figures


def _figures(stack: LocalStack, run: _Run, *, wall_seconds: float) -> SoakFigures:
    workflow = stack.workflows[CONSENT_DELETION.name]
    by_customer = _executions_by_customer(stack)
    outcomes: Counter[str] = Counter()
    published: Counter[str] = Counter()
    history_sizes: list[int] = []
    running: list[str] = []
    for customer, executions in by_customer.items():
        for execution in executions:
            described = stack.engine.describe_execution(execution["executionArn"])
            outcomes[" ".join(filter(None, (described["status"], described.get("error"))))] += 1
            if described["status"] == "RUNNING":
                running.append(customer)
            history = _history(stack, execution["executionArn"])
            history_sizes.append(len(history))
            published[customer] += successful_runs(history, ALERT_STATE)
    ledger = _ledger(workflow.resources.database_urls[LEDGER])
    completed = {row["customer_id"] for row in ledger if row["table"] == "completed_deletion"}
    terminal = Counter(row["customer_id"] for row in ledger if row["table"] != "pending_deletion")
    failures = Counter(row["failure_kind"] for row in ledger if row["table"] == "deletion_failure")
    emailed = Counter(
        match["customer"]
        for email in _sent_emails(stack)
        if (match := _ALERT_SUBJECT.match(email.get("subject", "")))
    )
    not_completed = [customer for customer in run.customers if customer not in completed]
    operations = stack.third_party.vendor.operations()
    named = {(row["customer_id"], row["operation_id"]) for row in ledger if row["operation_id"]}
    not_in_ledger = [op for op in operations if (op["customerId"], op["operationId"]) not in named]
    per_customer = Counter(op["customerId"] for op in operations)
    # A drifted answer to the deletion request cannot be read, but the failure it causes quotes its excerpt.
    quoted = {
        (row["customer_id"], op["operationId"])
        for row in ledger
        if row["table"] == "deletion_failure" and row["failure_kind"] == "CONTRACT_ERROR"
        for op in not_in_ledger
        if op["customerId"] == row["customer_id"] and op["operationId"] in (row["failure_reason"] or "")
    }
    mix = run.mix
    return SoakFigures(
        revocations=len(run.customers),
        stream_deliveries=run.deliveries,
        vendor_requests={
            f"{endpoint}/{kind}": count for (endpoint, kind), count in sorted(mix.counts.items())
        },
        deletion_requests_timed_out=mix.injected(FaultKind.TIMEOUT, "deletion"),
        deletion_requests_drifted=tuple(sorted(mix.drifted_deletion_requests)),
        drifting_customers=len(run.drifting),
        revocations_without_execution=tuple(c for c in run.customers if not by_customer.get(c)),
        revocations_with_several_executions=tuple(
            c for c in run.customers if len(by_customer.get(c, [])) > 1
        ),
        revocations_without_terminal_record=tuple(c for c in run.customers if terminal[c] == 0),
        revocations_with_several_terminal_records=tuple(c for c in run.customers if terminal[c] > 1),
        executions_still_running=tuple(running),
        deletions_completed=sum(1 for c in run.customers if c in completed),
        deletion_outcomes=dict(outcomes),
        deletion_failures=dict(failures),
        alerts_published=sum(published.values()),
        alerts_emailed=sum(emailed.values()),
        not_completed_without_alert=tuple(c for c in not_completed if emailed[c] == 0),
        not_completed_with_several_alerts=tuple(
            c for c in not_completed if emailed[c] > 1 or published[c] > 1
        ),
        completed_with_alert=tuple(
            c for c in run.customers if c in completed and (emailed[c] or published[c])
        ),
        vendor_operations=len(operations),
        customers_with_several_operations=tuple(c for c, count in per_customer.items() if count > 1),
        operations_not_in_ledger=tuple(f"{op['customerId']}:{op['operationId']}" for op in not_in_ledger),
        operations_unreadable_in_ledger=tuple(
            f"{op['customerId']}:{op['operationId']}"
            for op in not_in_ledger
            if (op["customerId"], op["operationId"]) in quoted
        ),
        largest_history_events=max(history_sizes, default=0),
        median_history_events=statistics.median(history_sizes) if history_sizes else 0.0,
        wall_seconds=wall_seconds,
    )


# ------------------------------------------------------------------ reading the stack


def _all_executions(
    stack: LocalStack, state_machine_arn: str, status: str | None = None
) -> list[dict[str, Any]]:
    executions: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = stack.engine.list_executions(state_machine_arn, status_filter=status, next_token=token)
        executions.extend(dict(item) for item in page["executions"])
        token = page.get("nextToken")
        if not token:
            return executions


def _executions_by_customer(stack: LocalStack) -> dict[str, list[dict[str, Any]]]:
    return by_customer(_all_executions(stack, stack.workflows[CONSENT_DELETION.name].state_machine_arn))


def _history(stack: LocalStack, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = stack.engine.get_execution_history(
            execution_arn, max_results=1000, next_token=token, include_execution_data=False
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def _ledger(database_url: str) -> list[dict[str, Any]]:
    """Every pending, completed and failed row, with the table it is in."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = []
            for table in ("pending_deletion", "completed_deletion", "deletion_failure"):
                failure = (
                    "failure_kind, failure_reason"
                    if table == "deletion_failure"
                    else "NULL AS failure_kind, NULL AS failure_reason"
                )
                query = text(f"SELECT customer_id, operation_id, {failure} FROM {table}")
                rows += [{"table": table, **row._asdict()} for row in connection.execute(query)]
            return rows
    finally:
        engine.dispose()


def _sent_emails(stack: LocalStack) -> list[dict[str, Any]]:
    """The SES outbox, from moto's model dump (deduplicated by message id)."""
    with urllib.request.urlopen(f"{stack.addresses.aws}/moto-api/data.json", timeout=60) as response:
        messages = json.load(response).get("ses", {}).get("Message", [])
    return list({message["id"]: message for message in messages}.values())

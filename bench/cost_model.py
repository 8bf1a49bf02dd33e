"""State transitions and list-price USD per scheduled request and per consent deletion, from the real ASL.

Each scenario runs `asl/*.asl.json` on the local engine with a skip clock (waits take no wall time) and
stub functions that behave as the scenario says (the vendor completes after N minutes, a processor fails
once, ...). The transitions are counted from the execution history as AWS bills them: one per state
entered, plus one per retry of a Task (`StateEntered` events + `TaskScheduled` events beyond the first of
each Task visit). Every other count (Lambda invocations, SNS publishes, SQS messages, history events) comes
from the same history. USD comes from the price table below; `docs/cost-model.md` quotes this output.

python -m bench cost_model
python -m bench.cost_model --markdown      # the tables of docs/cost-model.md
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measurement import Measurement, format_table, to_json
from local.engine import Engine, MemoryStore, SkipClock

NAME = "cost_model"
ROOT = Path(__file__).resolve().parents[1]
ROLE_ARN = "arn:aws:iam::123456789012:role/cost-model"
ACCOUNT = "123456789012"
REGION = "us-east-1"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")

# ---------------------------------------------------------------------------------------------- prices
# us-east-1 list prices, USD, without free tiers. Where each comes from is in docs/cost-model.md.
PRICE = {
    "sfn_transition": 0.025 / 1_000,  # Step Functions Standard, per state transition
    "lambda_request": 0.20 / 1_000_000,  # Lambda, per request
    "lambda_gb_second_arm": 0.0000133334,  # Lambda arm64 duration, first 7.5 billion GB-s a month
    "apigw_rest_request": 3.50 / 1_000_000,  # API Gateway REST API, first 333 million a month
    "dynamodb_wru": 0.625 / 1_000_000,  # DynamoDB on-demand write request unit
    "dynamodb_rru": 0.125 / 1_000_000,  # DynamoDB on-demand read request unit
    "sqs_request": 0.40 / 1_000_000,  # SQS standard queue, per request
    "sns_publish": 0.50 / 1_000_000,  # SNS standard topic, per publish
    "ses_email": 0.10 / 1_000,  # SES outbound e-mail
    "logs_gb": 0.50,  # CloudWatch Logs ingestion (standard class), per GB
    "scheduler_invocation": 1.00 / 1_000_000,  # EventBridge Scheduler, after 14 million free a month
}
# What the prices cannot say: how long our functions run and how much they log. Assumptions, per invocation.
LAMBDA_MEMORY_GB = 256 / 1024  # catalog/model.py: memory_mb = 256 for every function, arm64
LAMBDA_SECONDS = {"front_door": 0.05, "ledger": 0.06, "vendor": 0.30, "stream_trigger": 0.10, "mailer": 0.20}
LAMBDA_LOG_BYTES = 1_000  # START/END/REPORT lines and a few structured INFO lines per invocation
SFN_LOG_BYTES_PER_EVENT = 350  # log level ALL without execution data (workflows/shared/state_machine.py)

# ------------------------------------------------------------------------------------------ substitutions
SCHEDULED_REQUEST_VALUES = {  # cdk.json tunables
    "MaxReschedules": "3",
    "RescheduleBaseDelaySeconds": "300",
    "DeadLetterQueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/dead-letters",
    "FailureTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:scheduled-request-failures",
}
CONSENT_DELETION_VALUES = {  # the catalog's defaults
    "LedgerTasksFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ledger-tasks",
    "RequestDeletionFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:request-deletion",
    "CheckDeletionStatusFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:check-deletion-status",
    "AlertTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:consent-deletion-alerts",
    "DeletionDeadlineSeconds": "259200",
    "InitialCheckDelaySeconds": "60",
    "MaxCheckDelaySeconds": "3600",
}
# SNS and SQS tasks answer from a mock configuration (the engine's Step Functions Local support), so the
# model needs no AWS emulator; Lambda tasks call the stubs below.
MOCKED_TASKS = {
    "ScheduledRequest": {"SendToDeadLetterQueue": "SqsSent", "NotifyFailure": "SnsPublished"},
    "ConsentDeletion": {"AlertTechnicalContact": "SnsPublished"},
}
MOCK_CONFIG = {
    "StateMachines": {name: {"TestCases": {"CostModel": states}} for name, states in MOCKED_TASKS.items()},
    "MockedResponses": {
        "SqsSent": {"0": {"Return": {"MessageId": "m-1", "MD5OfMessageBody": "x"}}},
        "SnsPublished": {"0": {"Return": {"MessageId": "m-1"}}},
    },
}


class TransientProcessingError(Exception):
    """What a processor raises for a failure worth retrying in place (the ASL's second retrier)."""


class ProcessingRejected(Exception):
    """A failure no retrier matches: the attempt ends and the request is rescheduled."""


@dataclass
class Run:
    """One execution's bill of materials, read from its history."""

    scenario: str
    status: str
    transitions: int
    events: int
    lambda_invocations: dict[str, int]
    sns_publishes: int
    sqs_messages: int
    elapsed: timedelta
    checks: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def usd(self) -> dict[str, float]:
        """Cost per execution by line item (the function behind each invocation sets its duration)."""
        invocations = sum(self.lambda_invocations.values())
        gb_seconds = sum(
            count * LAMBDA_SECONDS[kind] * LAMBDA_MEMORY_GB for kind, count in self.lambda_invocations.items()
        )
        log_bytes = invocations * LAMBDA_LOG_BYTES + self.events * SFN_LOG_BYTES_PER_EVENT
        lines = {
            "step_functions": self.transitions * PRICE["sfn_transition"],
            "lambda": invocations * PRICE["lambda_request"] + gb_seconds * PRICE["lambda_gb_second_arm"],
            "sns_sqs_ses": self.sns_publishes * PRICE["sns_publish"]
            + self.sqs_messages * PRICE["sqs_request"],
            "logs": log_bytes / 1e9 * PRICE["logs_gb"],
        }
        for name, value in self.extra.items():
            lines[name] = lines.get(name, 0.0) + value
        return lines

    def total(self) -> float:
        """USD per execution."""
        return sum(self.usd().values())


def _definition(file_name: str, values: dict[str, str]) -> str:
    text = (ROOT / "asl" / file_name).read_text()
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _history(engine: Engine, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = engine.get_execution_history(execution_arn, max_results=1000, next_token=token)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def count_transitions(events: Sequence[dict[str, Any]]) -> int:
    """States entered, plus every Task attempt after the first of its visit (a retry is billed too)."""
    entered = sum(1 for event in events if str(event["type"]).endswith("StateEntered"))
    task_visits = sum(1 for event in events if event["type"] == "TaskStateEntered")
    attempts = sum(1 for event in events if event["type"] == "TaskScheduled")
    return entered + (attempts - task_visits)


def _scheduled_resources(events: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(resourceType, target) of every task attempt: the function's ARN for lambda:invoke."""
    found = []
    for event in events:
        if event["type"] == "TaskScheduled":
            details = event.get("taskScheduledEventDetails", {})
            target = str(details.get("resource", ""))
            if details.get("resourceType") == "lambda":
                target = str(json.loads(details.get("parameters") or "{}").get("FunctionName", target))
            found.append((str(details.get("resourceType", "")), target))
    return found


def _entered(events: Sequence[dict[str, Any]], state: str) -> int:
    return sum(
        1
        for event in events
        if str(event["type"]).endswith("StateEntered")
        and event.get("stateEnteredEventDetails", {}).get("name") == state
    )


def _execute(
    file_name: str,
    machine_name: str,
    *,
    values: dict[str, str],
    functions: Mapping[str, Callable[[Any, Any], Any]],
    execution_input: dict[str, Any],
    engine_holder: list[Engine],
) -> tuple[list[dict[str, Any]], str, timedelta]:
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore(), region=REGION, mock_config=MOCK_CONFIG)
    engine_holder.append(engine)
    try:
        for name, handler in functions.items():
            engine.register_lambda(name, handler)
        machine = engine.create_state_machine(
            name=machine_name, definition=_definition(file_name, values), role_arn=ROLE_ARN
        )
        started = engine.start_execution(
            machine["stateMachineArn"] + "#CostModel", input=json.dumps(execution_input), name="cost-model"
        )
        engine.run_until_idle()
        described = engine.describe_execution(started["executionArn"])
        events = _history(engine, started["executionArn"])
        stop = described.get("stopDate", engine.clock.now())
        return events, str(described["status"]), stop - described["startDate"]
    finally:
        engine.close()


def _bill(
    scenario: str, events: list[dict[str, Any]], status: str, elapsed: timedelta, kinds: dict[str, str]
) -> Run:
    resources = _scheduled_resources(events)
    invocations: dict[str, int] = {}
    for resource_type, resource in resources:
        if resource_type == "lambda":
            kind = kinds.get(resource, "vendor")
            invocations[kind] = invocations.get(kind, 0) + 1
    return Run(
        scenario=scenario,
        status=status,
        transitions=count_transitions(events),
        events=len(events),
        lambda_invocations=invocations,
        sns_publishes=sum(1 for kind, _ in resources if kind == "sns"),
        sqs_messages=sum(1 for kind, _ in resources if kind == "sqs"),
        elapsed=elapsed,
        checks=_entered(events, "CheckDeletionStatus"),
    )


# ------------------------------------------------------------------------------------ scheduled requests
PROCESSOR = "processor"
LEAD_TIME = timedelta(days=1)


def scheduled_request(scenario: str, fail_attempts: int, transient_failures: int) -> Run:
    """One request that waits a day; the processor fails `fail_attempts` attempts (each ending the attempt)
    and before succeeding raises `transient_failures` retryable errors."""
    transient_left = [transient_failures]

    def processor(event: Any, _: Any) -> Any:
        if event["attempt"] <= fail_attempts:
            raise ProcessingRejected("the target refused this attempt")
        if transient_left[0] > 0:
            transient_left[0] -= 1
            raise TransientProcessingError("try again shortly")
        return {"processed": True}

    execution_input = {
        "scheduleId": "cost-model",
        "triggerAt": (START + LEAD_TIME).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "payload": {"n": 1},
        "target": {
            "name": PROCESSOR,
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PROCESSOR}",
        },
        "requestFingerprint": "f" * 64,
    }
    events, status, elapsed = _execute(
        "scheduled_request.asl.json",
        "ScheduledRequest",
        values=SCHEDULED_REQUEST_VALUES,
        functions={PROCESSOR: processor},
        execution_input=execution_input,
        engine_holder=[],
    )
    run = _bill(
        scenario,
        events,
        status,
        elapsed,
        {f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PROCESSOR}": "processor"},
    )
    # The processor is the client's own work, the same in every design: leave it out of the comparison.
    run.lambda_invocations.pop("processor", None)
    run.lambda_invocations["front_door"] = 1
    run.extra["api_gateway"] = PRICE["apigw_rest_request"]
    return run


SCHEDULED_SCENARIOS: list[tuple[str, int, int]] = [
    ("succeeds on the first attempt", 0, 0),
    ("one transient error retried in place", 0, 1),
    ("first attempt fails, rescheduled once", 1, 0),
    ("every attempt fails: dead letter + notification", 99, 0),
]


# ----------------------------------------------------------------------------------- consent deletions
@dataclass(frozen=True)
class VendorBehaviour:
    """How the stub vendor answers."""

    completes_after: timedelta | None  # None: never (the deadline passes)
    request_retry_after: int = 0  # answer the first deletion request with UNAVAILABLE + Retry-After
    nothing_to_delete: bool = False


DELETION_SCENARIOS: list[tuple[str, VendorBehaviour]] = [
    ("vendor holds nothing (404)", VendorBehaviour(timedelta(0), nothing_to_delete=True)),
    ("completes within 1 minute", VendorBehaviour(timedelta(minutes=1))),
    ("completes in 10 minutes", VendorBehaviour(timedelta(minutes=10))),
    ("completes in 1 hour", VendorBehaviour(timedelta(hours=1))),
    ("completes in 6 hours", VendorBehaviour(timedelta(hours=6))),
    ("completes in 1 day", VendorBehaviour(timedelta(days=1))),
    ("completes in 3 days less 1 minute", VendorBehaviour(timedelta(days=3) - timedelta(minutes=1))),
    ("never completes: 3-day timeout + alert", VendorBehaviour(None)),
    ("429 Retry-After 600 s, then 1 hour", VendorBehaviour(timedelta(hours=1), request_retry_after=600)),
]


def consent_deletion(scenario: str, behaviour: VendorBehaviour) -> Run:
    """One revocation at START against a stub vendor behaving so."""
    engines: list[Engine] = []
    requests = [0]

    def now() -> datetime:
        return engines[0].clock.now()

    def ledger(_: Any, __: Any) -> Any:
        return {"recorded": True}

    def request_deletion(_: Any, __: Any) -> Any:
        requests[0] += 1
        if behaviour.request_retry_after and requests[0] == 1:
            return {
                "outcome": "UNAVAILABLE",
                "operationId": None,
                "retryAfterSeconds": behaviour.request_retry_after,
            }
        if behaviour.nothing_to_delete:
            return {"outcome": "NOTHING_TO_DELETE", "operationId": None, "retryAfterSeconds": 0}
        return {"outcome": "ACCEPTED", "operationId": "op-1", "retryAfterSeconds": 0}

    def check_status(_: Any, __: Any) -> Any:
        done = behaviour.completes_after is not None and now() >= START + behaviour.completes_after
        status = "COMPLETED" if done else "IN_PROGRESS"
        return {
            "status": status,
            "vendorStatus": "COMPLETED" if done else "RUNNING",
            "retryAfterSeconds": 0,
            "detail": None,
        }

    functions = {
        "ledger-tasks": ledger,
        "request-deletion": request_deletion,
        "check-deletion-status": check_status,
    }
    execution_input = {
        "customerId": "customer-42",
        "revokedAt": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": "CONSENT_REVOKED",
        "sourceEventId": "event-1",
    }
    events, status, elapsed = _execute(
        "consent_deletion.asl.json",
        "ConsentDeletion",
        values=CONSENT_DELETION_VALUES,
        functions=functions,
        execution_input=execution_input,
        engine_holder=engines,
    )
    kinds = {CONSENT_DELETION_VALUES["LedgerTasksFunctionArn"]: "ledger"}
    run = _bill(scenario, events, status, elapsed, kinds)
    # Started by the stream trigger (one invocation per revocation at worst; DynamoDB Streams reads by a
    # Lambda trigger are free); an alert is one SNS publish, one mailer invocation and one SES e-mail.
    run.lambda_invocations["stream_trigger"] = 1
    if run.sns_publishes:
        run.lambda_invocations["mailer"] = run.sns_publishes
        run.extra["sns_sqs_ses"] = run.sns_publishes * PRICE["ses_email"]
    return run


# ------------------------------------------------------------------------------------- other designs
def alternatives(lead_time_hours: float = LEAD_TIME.total_seconds() / 3600) -> list[tuple[str, float, str]]:
    """USD per scheduled request for the designs this one replaced, and for EventBridge Scheduler.

    The front door (API Gateway + one Lambda invocation) is the same in every design and included; the
    target's own invocation is left out everywhere, as above."""
    front = PRICE["apigw_rest_request"] + _lambda_usd("front_door")
    # One rule per request: PutRule/PutTargets then RemoveTargets/DeleteRule are free control-plane calls;
    # a scheduled rule's invocation is not billed as an event. A small wrapper Lambda deletes the rule.
    per_rule = front + _lambda_usd("front_door")
    # Hourly scan: PutItem (1 WRU) at the front door, the item scanned once an hour while it waits (a 1 KB
    # item costs 1/4 of an eventually consistent RRU, i.e. 0.125 RRU), DeleteItem (1 WRU) when processed.
    # The scanning Lambda's 720 invocations a month are a fixed cost, not per request.
    scans = max(1, int(lead_time_hours))
    per_scan = (
        front
        + 2 * PRICE["dynamodb_wru"]
        + scans * 0.125 * PRICE["dynamodb_rru"]
        + 2 * LAMBDA_LOG_BYTES / 1e9 * PRICE["logs_gb"]
    )
    # Scheduler one-time schedule with ActionAfterCompletion DELETE: one invocation, no cleanup.
    per_scheduler = front + PRICE["scheduler_invocation"]
    return [
        ("one EventBridge rule per request (deleted after)", per_rule, "minute-grained; 300 rules per bus"),
        (
            f"hourly scanning Lambda over a table (waits {scans} h)",
            per_scan,
            "up to 1 h late; scan grows with the backlog",
        ),
        (
            "EventBridge Scheduler one-time schedule",
            per_scheduler,
            "14 M invocations a month free; 10 M schedules",
        ),
    ]


def deletion_alternatives(run: Run) -> list[tuple[str, float]]:
    """USD per deletion if the same checks ran without Step Functions (the stream trigger as here).

    Scheduler chain: each check is a one-time schedule invoking one Lambda that asks the vendor, writes the
    ledger and creates the next schedule (the first one also requests the deletion). Hourly scan: a table
    item per pending deletion, scanned hourly by a Lambda that asks the vendor about each one it finds."""
    step = _lambda_usd("vendor") + LAMBDA_SECONDS["ledger"] * LAMBDA_MEMORY_GB * PRICE["lambda_gb_second_arm"]
    alert = PRICE["sns_publish"] + _lambda_usd("mailer") + PRICE["ses_email"] if run.sns_publishes else 0.0
    start = _lambda_usd("stream_trigger") + step
    chain = start + run.checks * (PRICE["scheduler_invocation"] + step) + alert
    hours = max(1, math.ceil(run.elapsed.total_seconds() / 3600)) if run.checks else 0
    scan = start + 2 * PRICE["dynamodb_wru"] + hours * (0.125 * PRICE["dynamodb_rru"] + step) + alert
    return [
        ("EventBridge Scheduler chain, same checks", chain),
        ("hourly scanning Lambda over a table", scan),
    ]


def _lambda_usd(kind: str) -> float:
    seconds = LAMBDA_SECONDS[kind]
    return (
        PRICE["lambda_request"]
        + seconds * LAMBDA_MEMORY_GB * PRICE["lambda_gb_second_arm"]
        + LAMBDA_LOG_BYTES / 1e9 * PRICE["logs_gb"]
    )


# -------------------------------------------------------------------------------------------- output
def run_all() -> tuple[list[Run], list[Run]]:
    """Every scenario of both workflows."""
    scheduled = [scheduled_request(*scenario) for scenario in SCHEDULED_SCENARIOS]
    deletions = [consent_deletion(*scenario) for scenario in DELETION_SCENARIOS]
    return scheduled, deletions


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.2f} h" if hours < 48 else f"{hours / 24:.2f} d"


def markdown(scheduled: list[Run], deletions: list[Run]) -> str:
    """The tables docs/cost-model.md quotes."""
    lines = [
        "Scheduled request (waits 1 day; the target's own invocation excluded)",
        "",
        "| scenario | status | transitions | history events | USD per request | USD per million |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for run in scheduled:
        lines.append(
            f"| {run.scenario} | {run.status} | {run.transitions} | {run.events} "
            f"| {run.total():.8f} | {run.total() * 1e6:,.2f} |"
        )
    lines += [
        "",
        "Consent deletion (by how long the vendor takes)",
        "",
        "| scenario | status | elapsed | vendor checks | transitions | history events | Lambda invocations "
        "| USD per deletion | USD per thousand |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in deletions:
        lines.append(
            f"| {run.scenario} | {run.status} | {_hours(run.elapsed)} | {run.checks} | {run.transitions} "
            f"| {run.events} | {sum(run.lambda_invocations.values())} | {run.total():.6f} "
            f"| {run.total() * 1e3:,.4f} |"
        )
    lines += [
        "",
        "Line items (USD per execution)",
        "",
        "| scenario | Step Functions | Lambda | API Gateway | SNS/SQS/SES | CloudWatch Logs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in [*scheduled, *deletions]:
        items = run.usd()
        lines.append(
            f"| {run.scenario} | {items['step_functions']:.8f} | {items['lambda']:.8f} "
            f"| {items.get('api_gateway', 0.0):.8f} | {items['sns_sqs_ses']:.8f} | {items['logs']:.8f} |"
        )
    happy = scheduled[0].total()
    lines += [
        "",
        "Scheduled request: this design against the alternatives (happy path, 1-day wait)",
        "",
        "| design | USD per request | USD per million | note |",
        "|---|---:|---:|---|",
        f"| Step Functions Standard, Wait state (this) | {happy:.8f} | {happy * 1e6:,.2f} | second-grained |",
    ]
    for design, usd, note in alternatives():
        lines.append(f"| {design} | {usd:.8f} | {usd * 1e6:,.2f} | {note} |")
    lines += [
        "",
        "Consent deletion: USD per thousand, this design against the same checks without Step Functions",
        "",
        "| scenario | this design | EventBridge Scheduler chain | hourly scanning Lambda |",
        "|---|---:|---:|---:|",
    ]
    for run in deletions:
        chain, scan = (usd for _, usd in deletion_alternatives(run))
        lines.append(
            f"| {run.scenario} | {run.total() * 1e3:,.4f} | {chain * 1e3:,.4f} | {scan * 1e3:,.4f} |"
        )
    return "\n".join(lines)


def measurements(scheduled: list[Run], deletions: list[Run]) -> list[Measurement]:
    """The headline numbers for `python -m bench`."""
    results: list[Measurement] = []
    for label, runs, per in (("schedule", scheduled, 1e6), ("deletion", deletions, 1e3)):
        unit = "USD per million" if per == 1e6 else "USD per thousand"
        for run in runs:
            results += [
                Measurement(NAME, f"{label}: {run.scenario}: transitions", run.transitions, "transitions"),
                Measurement(NAME, f"{label}: {run.scenario}: cost", run.total() * per, unit),
            ]
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench cost_model", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/cost-model.md")
    args = parser.parse_args(argv)
    scheduled, deletions = run_all()
    if args.markdown:
        print(markdown(scheduled, deletions))
    elif args.json:
        print(to_json(measurements(scheduled, deletions)))
    else:
        print(format_table(measurements(scheduled, deletions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

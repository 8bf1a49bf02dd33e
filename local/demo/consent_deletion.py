"""Demo scenario: consent revocations in the Customers table become deletions at the vendor, recorded in
the ledger; a deletion the vendor never finishes times out after three (virtual) days and e-mails the
technical contacts.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moto.ses.models import ses_backends
from sqlalchemy import create_engine, text

from catalog.consent_deletion import CONSENT_DELETION, CUSTOMERS_TABLE, LEDGER
from local.demo.clients import call_json
from local.demo.context import DemoContext
from local.inspector.email_text import email_text_lines
from local.stack.config import ACCOUNT_ID, REGION

MACHINE = CONSENT_DELETION.name
TITLE = "revoke consent, delete at the vendor, time out and alert after three days"
COMPLETING_CUSTOMER = "C-1001"
NEVER_FINISHING_CUSTOMER = "C-1002"
CHECK_ROUND = timedelta(minutes=10)
DEADLINE_AND_MARGIN = timedelta(days=3, hours=1)


def run(demo: DemoContext) -> None:
    """Drive the ConsentDeletion workflow through its table, the vendor fake and the clock."""
    _prepare_vendor(demo)
    for customer_id in (COMPLETING_CUSTOMER, NEVER_FINISHING_CUSTOMER):
        _put_consenting_customer(demo, customer_id)
    _revocation_completes(demo)
    _deletion_times_out_and_alerts(demo)


def _prepare_vendor(demo: DemoContext) -> None:
    control = f"{demo.addresses.third_party}/_control/behaviour"
    call_json("POST", control, {"customerId": COMPLETING_CUSTOMER, "afterChecks": 2})
    call_json("POST", control, {"customerId": NEVER_FINISHING_CUSTOMER, "outcome": "NEVER"})
    demo.report.step(
        "POST /_control/behaviour (vendor fake)",
        f"{COMPLETING_CUSTOMER}: done at the 2nd check; {NEVER_FINISHING_CUSTOMER}: never done",
    )


def _put_consenting_customer(demo: DemoContext, customer_id: str) -> None:
    demo.aws("dynamodb").put_item(
        TableName=_table(demo),
        Item={"customerId": {"S": customer_id}, "analyticsConsent": {"BOOL": True}},
    )
    demo.report.step(f"dynamodb.put_item {customer_id}", "analyticsConsent = true")


def _revocation_completes(demo: DemoContext) -> None:
    demo.aws("dynamodb").update_item(
        TableName=_table(demo),
        Key={"customerId": {"S": COMPLETING_CUSTOMER}},
        UpdateExpression="SET analyticsConsent = :revoked",
        ExpressionAttributeValues={":revoked": {"BOOL": False}},
    )
    demo.report.step(f"dynamodb.update_item {COMPLETING_CUSTOMER}", "analyticsConsent = false")
    execution = _started_execution(demo, COMPLETING_CUSTOMER)
    if execution is None:
        return
    now = demo.clock.advance(CHECK_ROUND.total_seconds())
    described = demo.stepfunctions().describe_execution(executionArn=execution["executionArn"])
    demo.report.step(f"advance 10 minutes (to {now:%H:%M}Z); describe_execution", described["status"])
    demo.report.expect(
        "the vendor confirmed the deletion and the execution succeeded",
        described["status"] == "SUCCEEDED" and _output(described).get("state") == "COMPLETED",
        f"checks={_output(described).get('checkCount')}",
    )
    checks = _vendor_requests(demo, COMPLETING_CUSTOMER)
    demo.report.expect(
        "the vendor was asked once and checked until done",
        checks == {"deletion": 1, "operation": 2},
        f"requests={checks}",
    )
    completed = _ledger_rows(demo, "completed_deletion", COMPLETING_CUSTOMER)
    demo.report.step("ledger: SELECT FROM completed_deletion", f"{len(completed)} row(s)")
    demo.report.expect(
        "the ledger recorded the completed deletion",
        [row["execution_name"] for row in completed] == [execution["name"]],
    )


def _deletion_times_out_and_alerts(demo: DemoContext) -> None:
    demo.aws("dynamodb").delete_item(
        TableName=_table(demo), Key={"customerId": {"S": NEVER_FINISHING_CUSTOMER}}
    )
    demo.report.step(f"dynamodb.delete_item {NEVER_FINISHING_CUSTOMER}", "a consenting customer is deleted")
    execution = _started_execution(demo, NEVER_FINISHING_CUSTOMER)
    if execution is None:
        return
    ses = demo.aws("ses")
    sent_before = ses.get_send_quota()["SentLast24Hours"]
    now = demo.clock.advance(DEADLINE_AND_MARGIN.total_seconds())
    described = demo.stepfunctions().describe_execution(executionArn=execution["executionArn"])
    demo.report.step(
        f"advance 3 days 1 hour (to {now:%Y-%m-%d %H:%M}Z); describe_execution",
        f"{described['status']} {described.get('error')}",
    )
    demo.report.expect(
        "a deletion still pending at the deadline times out",
        (described["status"], described.get("error")) == ("FAILED", "DeletionTimedOut"),
        str(described.get("cause", ""))[:90],
    )
    failures = _ledger_rows(demo, "deletion_failure", NEVER_FINISHING_CUSTOMER)
    demo.report.expect(
        "the ledger recorded the failure",
        [row["execution_name"] for row in failures] == [execution["name"]],
        f"failure_kind={[row['failure_kind'] for row in failures]}",
    )
    sent = demo.wait_for(lambda: ses.get_send_quota()["SentLast24Hours"] - sent_before)
    demo.report.step(
        "ses.get_send_quota (alert topic -> alert mailer -> SES)", f"{sent or 0:.0f} e-mail(s) sent"
    )
    demo.report.expect("the technical contacts were e-mailed", bool(sent))
    if failures and sent:
        _show_failure_and_alert(demo, failures[0])


def _show_failure_and_alert(demo: DemoContext, failure: dict[str, Any]) -> None:
    """Print what an operator would find: the ledger's failure row and the e-mail the contacts got."""
    fields = ("customer_id", "execution_name", "operation_id", "check_count", "failure_kind", "failed_at")
    demo.report.note("  ledger deletion_failure: " + ", ".join(f"{name}={failure[name]}" for name in fields))
    # The embedded AWS services run in this process, so the sent e-mail can be read from moto's backend.
    message = ses_backends[ACCOUNT_ID][REGION].sent_messages[-1]
    recipients = ", ".join(message.destinations.get("ToAddresses", []))
    demo.report.note(f"  e-mail from {message.source} to {recipients}: {message.subject}")
    for line in email_text_lines(message.body):
        demo.report.note(f"    {line}")


def _started_execution(demo: DemoContext, customer_id: str) -> dict[str, Any] | None:
    """The execution the stream trigger started for `customer_id` (the stream is read in the background)."""
    sfn = demo.stepfunctions()
    state_machine_arn = demo.workflow(MACHINE).state_machine_arn

    def started() -> dict[str, Any] | None:
        executions = sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]
        return next((e for e in executions if e["name"].startswith(f"{customer_id}-")), None)

    execution = demo.wait_for(started)
    demo.report.step("stream -> stream trigger -> StartExecution", execution["name"] if execution else "none")
    demo.report.expect(f"the revocation of {customer_id} started one deletion", execution is not None)
    return execution


def _vendor_requests(demo: DemoContext, customer_id: str) -> dict[str, int]:
    requests = call_json("GET", f"{demo.addresses.third_party}/_control/requests").body["requests"]
    counts: dict[str, int] = {}
    for request in requests:
        if request.get("customerId") == customer_id and request.get("status") < 300:
            counts[request["endpoint"]] = counts.get(request["endpoint"], 0) + 1
    return counts


def _ledger_rows(demo: DemoContext, table: str, customer_id: str) -> list[dict[str, Any]]:
    engine = create_engine(demo.workflow(MACHINE).resources.database_urls[LEDGER])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT * FROM {table} WHERE customer_id = :customer"),  # table: a fixed name above
                {"customer": customer_id},
            )
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def _output(described: dict[str, Any]) -> dict[str, Any]:
    output = json.loads(described.get("output") or "{}")
    return output if isinstance(output, dict) else {}


def _table(demo: DemoContext) -> str:
    return demo.workflow(MACHINE).resources.table_names[CUSTOMERS_TABLE]

"""Demo scenario: the Schedule API end to end (schedule, read, cancel, run at triggerAt, give up and
dead-letter after every reschedule failed).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from catalog.scheduled_request import DEAD_LETTER_QUEUE, FAILURE_TOPIC, SCHEDULED_REQUEST
from local.demo.clients import ApiAnswer, ScheduleApiClient
from local.demo.context import DemoContext

MACHINE = SCHEDULED_REQUEST.name
TITLE = "schedule, cancel, run at triggerAt, dead-letter what keeps failing"
TWO_DAYS = timedelta(days=2)
ONE_HOUR = timedelta(hours=1)


def run(demo: DemoContext) -> None:
    """Drive the ScheduledRequest workflow through its Schedule API and check every outcome."""
    api = ScheduleApiClient(demo.addresses.api)
    inbox_url = _subscribe_inbox_to_failure_topic(demo)
    succeeded_id = _schedule_and_read(demo, api)
    cancelled_id = _schedule_and_cancel(demo, api)
    _process_at_trigger_time(demo, api, succeeded_id)
    failed_id = _fail_every_attempt(demo, api)
    _check_dead_letter(demo, failed_id, inbox_url)
    _check_executions(demo, {succeeded_id: "SUCCEEDED", cancelled_id: "ABORTED", failed_id: "FAILED"})


def _schedule_and_read(demo: DemoContext, api: ScheduleApiClient) -> str:
    trigger_at = demo.clock.now() + TWO_DAYS
    created = api.create(trigger_at, {"orderId": "A-1001", "action": "send-reminder"})
    demo.report.step("POST /schedules (triggerAt = now + 2 days)", _summary(created))
    _expect_status(demo, "a new schedule is accepted", created, 202, "SCHEDULED")
    schedule_id = str(created.body.get("scheduleId", ""))
    read = api.get(schedule_id)
    demo.report.step(f"GET /schedules/{schedule_id}", _summary(read))
    _expect_status(demo, "it waits for its trigger time", read, 200, "SCHEDULED")
    return schedule_id


def _schedule_and_cancel(demo: DemoContext, api: ScheduleApiClient) -> str:
    created = api.create(demo.clock.now() + TWO_DAYS, {"orderId": "A-1002", "action": "send-reminder"})
    demo.report.step("POST /schedules (a second one)", _summary(created))
    schedule_id = str(created.body.get("scheduleId", ""))
    cancelled = api.cancel(schedule_id)
    demo.report.step(f"DELETE /schedules/{schedule_id}", _summary(cancelled))
    _expect_status(demo, "a waiting schedule can be cancelled", cancelled, 200, "CANCELLED")
    read = api.get(schedule_id)
    _expect_status(demo, "it stays cancelled", read, 200, "CANCELLED")
    return schedule_id


def _process_at_trigger_time(demo: DemoContext, api: ScheduleApiClient, schedule_id: str) -> None:
    now = demo.clock.advance(TWO_DAYS.total_seconds())
    demo.report.step(
        "POST /_local/clock {advanceSeconds: 172800}", f"virtual time is now {now:%Y-%m-%d %H:%M}Z"
    )
    read = api.get(schedule_id)
    demo.report.step(f"GET /schedules/{schedule_id}", _summary(read))
    _expect_status(demo, "the first schedule ran at its trigger time", read, 200, "SUCCEEDED")
    result = read.body.get("result")
    demo.report.expect(
        "its result is the processor's answer",
        isinstance(result, dict) and result.get("scheduleId") == schedule_id and result.get("attempt") == 1,
        f"result={json.dumps(result)}",
    )


def _fail_every_attempt(demo: DemoContext, api: ScheduleApiClient) -> str:
    created = api.create(demo.clock.now() + ONE_HOUR, {"simulate": "failure"})
    demo.report.step('POST /schedules (payload {"simulate": "failure"}, in 1 hour)', _summary(created))
    schedule_id = str(created.body.get("scheduleId", ""))
    demo.clock.advance(ONE_HOUR.total_seconds() + 60)
    read = api.get(schedule_id)
    demo.report.step("advance 1 hour; GET it", _summary(read))
    demo.report.expect(
        "a failed attempt is rescheduled with backoff",
        read.body.get("status") == "SCHEDULED" and read.body.get("attempt") == 2,
        f"attempt={read.body.get('attempt')}, nextAttemptAt={read.body.get('nextAttemptAt')}",
    )
    demo.clock.advance(ONE_HOUR.total_seconds())
    read = api.get(schedule_id)
    demo.report.step("advance 1 hour (every reschedule fails too); GET it", _summary(read))
    _expect_status(demo, "after the last reschedule it gives up", read, 200, "FAILED")
    demo.report.expect(
        "the error names the failure path",
        read.body.get("error") == "ScheduledRequestFailed",
        f"error={read.body.get('error')}",
    )
    return schedule_id


def _check_dead_letter(demo: DemoContext, schedule_id: str, inbox_url: str) -> None:
    resources = demo.workflow(MACHINE).resources
    sqs = demo.aws("sqs")
    dead_letters = _drain(sqs, resources.queue_urls[DEAD_LETTER_QUEUE])
    demo.report.step("sqs.receive_message(dead-letter queue)", f"{len(dead_letters)} message(s)")
    demo.report.expect(
        "the dead-letter queue holds the request",
        any(message.get("scheduleId") == schedule_id for message in dead_letters),
        f"attempts={[message.get('attempts') for message in dead_letters]}",
    )
    notifications = _drain(sqs, inbox_url)
    demo.report.step("sqs.receive_message(queue subscribed to the failure topic)", f"{len(notifications)}")
    demo.report.expect(
        "the failure topic published a notification",
        any(message.get("scheduleId") == schedule_id for message in notifications),
        f"topic={resources.topic_arns[FAILURE_TOPIC].rsplit(':', 1)[-1]}",
    )


def _check_executions(demo: DemoContext, expected: dict[str, str]) -> None:
    state_machine_arn = demo.workflow(MACHINE).state_machine_arn
    executions = demo.stepfunctions().list_executions(stateMachineArn=state_machine_arn)["executions"]
    statuses = {execution["name"]: execution["status"] for execution in executions}
    demo.report.step(
        "stepfunctions.list_executions (boto3, Step Functions port)",
        ", ".join(f"{status}: {count}" for status, count in sorted(Counter(statuses.values()).items())),
    )
    demo.report.expect(
        "Step Functions shows each schedule as one execution",
        all(statuses.get(name) == status for name, status in expected.items()),
        ", ".join(f"{name[:8]}={statuses.get(name)}" for name in expected),
    )


def _subscribe_inbox_to_failure_topic(demo: DemoContext) -> str:
    """A queue that receives what the failure topic publishes, as an operator's subscription would."""
    sqs, sns = demo.aws("sqs"), demo.aws("sns")
    inbox_url = str(sqs.create_queue(QueueName=f"{MACHINE}-demo-failure-inbox")["QueueUrl"])
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox_url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=demo.workflow(MACHINE).resources.topic_arns[FAILURE_TOPIC],
        Protocol="sqs",
        Endpoint=inbox_arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return inbox_url


def _drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def _expect_status(demo: DemoContext, description: str, answer: ApiAnswer, http: int, status: str) -> None:
    demo.report.expect(
        description,
        answer.status == http and answer.body.get("status") == status,
        f"HTTP {answer.status}, status={answer.body.get('status')}",
    )


def _summary(answer: ApiAnswer) -> str:
    body = answer.body
    if "error" in body and "status" not in body:
        return f"{answer.status} {body.get('error')}: {body.get('message')}"
    fields = [f"status={body.get('status')}"]
    if "scheduleId" in body:
        fields.append(f"scheduleId={body['scheduleId']}")
    for name in ("triggerAt", "attempt", "nextAttemptAt", "error"):
        if name in body:
            fields.append(f"{name}={body[name]}")
    return f"{answer.status} " + " ".join(fields)

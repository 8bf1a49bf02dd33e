"""The ScheduledRequest state machine: wait until triggerAt, invoke the target, reschedule, dead-letter."""

from __future__ import annotations

from catalog.locations import ASL_DIRECTORY
from catalog.log_level import LOG_LEVEL, LOG_LEVEL_TUNABLE
from catalog.model import (
    Api,
    Constant,
    ControlExecutions,
    DefaultTarget,
    ExecutionAction,
    Function,
    InvokeTargets,
    PublishMessages,
    Queue,
    QueueUrl,
    ReadWriteItems,
    Route,
    SendMessages,
    StateMachine,
    StateMachineArn,
    Substitution,
    Table,
    TableName,
    TargetFunctions,
    Targets,
    Topic,
    TopicArn,
    Tunable,
    TunableValue,
)

FRONT_DOOR = "FrontDoor"
EXAMPLE_PROCESSOR = "ExampleProcessor"
DEAD_LETTER_QUEUE = "DeadLetterQueue"
FAILURE_TOPIC = "FailureTopic"
IDEMPOTENCY_TABLE = "IdempotencyTable"
METRICS_NAMESPACE = "ScheduledRequests"


SCHEDULED_REQUEST = StateMachine(
    name="ScheduledRequest",
    description="Processes an API request once, at the future time the client supplied.",
    asl_file=ASL_DIRECTORY / "scheduled_request.asl.json",
    substitutions=(
        Substitution(
            name="DeadLetterQueueUrl",
            value=QueueUrl(DEAD_LETTER_QUEUE),
            description="URL of the queue that receives requests which failed every attempt.",
        ),
        Substitution(
            name="FailureTopicArn",
            value=TopicArn(FAILURE_TOPIC),
            description="ARN of the topic told about every request that gave up.",
        ),
        Substitution(
            name="MaxReschedules",
            value=TunableValue("MaxReschedules"),
            description="How many times a failed attempt is rescheduled before the request is dead-lettered.",
        ),
        Substitution(
            name="RescheduleBaseDelaySeconds",
            value=TunableValue("RescheduleBaseDelaySeconds"),
            description="Delay before the first reschedule; it doubles with every further one.",
        ),
    ),
    tunables=(
        Tunable(
            name="MaxReschedules",
            default=3,
            minimum=0,
            # A round (wait, attempt with all its retries, reschedule) adds at most ~40 history events;
            # this keeps an execution far below the 25,000-event limit.
            maximum=50,
            description="Reschedules after a failed attempt before dead-lettering (0 = none).",
        ),
        Tunable(
            name="RescheduleBaseDelaySeconds",
            default=300,
            minimum=1,
            maximum=86_400,
            description="Seconds until the first reschedule; doubles with each further one.",
        ),
        Tunable(
            name="ClockSkewSeconds",
            default=30,
            minimum=0,
            maximum=3_600,
            description="How far in the past a triggerAt may be and still be accepted (runs at once).",
        ),
        Tunable(
            name="MaxHorizonDays",
            default=364,
            minimum=1,
            # The ASL's execution timeout is 365 days less one hour; retries need the room in between.
            maximum=364,
            description="Latest accepted triggerAt, in days from now.",
        ),
        LOG_LEVEL_TUNABLE,
    ),
    functions=(
        Function(
            logical_id=FRONT_DOOR,
            description="Schedule API: validates requests, starts, describes and cancels executions.",
            handler="functions.scheduled_requests.front_door.handler.handler",
            environment={
                "STATE_MACHINE_ARN": StateMachineArn(),
                "TARGET_FUNCTIONS": TargetFunctions(),
                "DEFAULT_TARGET": DefaultTarget(),
                "CLOCK_SKEW_SECONDS": TunableValue("ClockSkewSeconds"),
                "MAX_HORIZON_DAYS": TunableValue("MaxHorizonDays"),
                "POWERTOOLS_SERVICE_NAME": Constant("schedule-api"),
                "POWERTOOLS_METRICS_NAMESPACE": Constant(METRICS_NAMESPACE),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(
                ControlExecutions(
                    frozenset(
                        {
                            ExecutionAction.START,
                            ExecutionAction.DESCRIBE,
                            ExecutionAction.STOP,
                            ExecutionAction.READ_HISTORY,
                        }
                    )
                ),
            ),
            timeout_seconds=10,
        ),
        Function(
            logical_id=EXAMPLE_PROCESSOR,
            description="Example target: where the business logic of a scheduled request goes.",
            handler="functions.scheduled_requests.processor.handler.handler",
            environment={
                "IDEMPOTENCY_TABLE_NAME": TableName(IDEMPOTENCY_TABLE),
                "POWERTOOLS_SERVICE_NAME": Constant("example-processor"),
                "POWERTOOLS_METRICS_NAMESPACE": Constant(METRICS_NAMESPACE),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(ReadWriteItems(IDEMPOTENCY_TABLE),),
            timeout_seconds=60,
        ),
    ),
    queues=(
        Queue(
            logical_id=DEAD_LETTER_QUEUE,
            purpose="Requests that failed every attempt, with their last error, for inspection or replay.",
            dead_letter=True,
        ),
    ),
    topics=(Topic(logical_id=FAILURE_TOPIC, purpose="Tells operators that a scheduled request gave up."),),
    tables=(
        Table(
            logical_id=IDEMPOTENCY_TABLE,
            purpose="Processor idempotency records, so a retried attempt never processes twice.",
            partition_key="id",
            time_to_live_attribute="expiration",
        ),
    ),
    permissions=(InvokeTargets(), SendMessages(DEAD_LETTER_QUEUE), PublishMessages(FAILURE_TOPIC)),
    alarm_topic=FAILURE_TOPIC,
    targets=Targets(bundled={"example-processor": EXAMPLE_PROCESSOR}, default="example-processor"),
    api=Api(
        function=FRONT_DOOR,
        routes=(
            Route("POST", "/schedules"),
            Route("GET", "/schedules/{scheduleId}"),
            Route("DELETE", "/schedules/{scheduleId}"),
        ),
    ),
)

"""Lambda entry point of the Schedule API (API Gateway REST proxy integration).

Routes: POST /schedules, GET /schedules/{scheduleId}, DELETE /schedules/{scheduleId}. Powertools
validates bodies against the Pydantic models (which also generate the OpenAPI document); every error
leaves as `{"error", "message", "field"}` with the status its class declares (`errors`), anything
unexpected as a 500 that says nothing more. Details of failures (stack traces, full error causes) go to
the logs, keyed by the request id, never to a body.
"""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.observability import (
    TRACED_AWS_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
    service_metrics,
)
from functions.scheduled_requests.front_door.adapters import StepFunctionsExecutions, stepfunctions_client
from functions.scheduled_requests.front_door.errors import RouteNotFound, ScheduleApiError
from functions.scheduled_requests.front_door.executions import ExecutionSnapshot
from functions.scheduled_requests.front_door.http import (
    envelope_problem,
    error_response,
    internal_error_response,
    invalid_request_from,
    json_response,
    parse_request_body,
    schedule_location,
)
from functions.scheduled_requests.front_door.logic import (
    MAX_EXECUTION_INPUT_BYTES,
    STEP_FUNCTIONS_DATA_LIMIT_BYTES,
    ScheduleService,
)
from functions.scheduled_requests.front_door.models import (
    MAX_PAYLOAD_DEPTH,
    CreateScheduleRequest,
    ErrorResponse,
    ScheduleAccepted,
    ScheduleView,
)
from functions.scheduled_requests.front_door.settings import FrontDoorSettings

SERVICE_NAME = "schedule-api"
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)
metrics = service_metrics(SERVICE_NAME, default_namespace="ScheduledRequests")


def _parse_body(text: str) -> Any:
    """Powertools' JSON parser for bodies: the envelope is checked before the text is parsed."""
    problem = _envelope_problem()
    if problem is not None:
        raise problem
    return parse_request_body(text)


app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=_parse_body)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


@lru_cache(maxsize=1)
def schedule_service() -> ScheduleService:
    """The service for this execution environment, built on first use from the environment."""
    settings = FrontDoorSettings.from_environ()
    client = stepfunctions_client(settings.stepfunctions_endpoint_url)
    executions = StepFunctionsExecutions(client, settings.state_machine_arn)
    return ScheduleService(settings, executions, failure_log=_log_failure)


def _log_failure(snapshot: ExecutionSnapshot) -> None:
    """The full error of a failed schedule, for the logs only; the answer carries a summary."""
    logger.info("schedule read as failed", extra={"error": snapshot.error, "cause": snapshot.cause})


def _errors(*statuses: HTTPStatus) -> dict[int, Any]:
    return {
        status.value: {
            "description": status.phrase,
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for status in statuses
    }


@app.post(
    "/schedules",
    summary="Schedule a request",
    description=(
        "Accepts a request to be processed once at `triggerAt`. With an `Idempotency-Key`, repeating the "
        "same request (also after it has run) answers with the same schedule and starts nothing; the same "
        "key with a different body is a conflict. The body must be `application/json` in UTF-8 (a "
        "declared charset other than utf-8 is 415) of at most "
        f"{STEP_FUNCTIONS_DATA_LIMIT_BYTES:,} bytes, and the execution input built from it (the compact "
        f"payload plus about 400 bytes) at most {MAX_EXECUTION_INPUT_BYTES:,} bytes: Step Functions' "
        "256 KiB limit, less room for what the state machine adds to its state while it runs. A body "
        "that repeats a key, names a field the schema does not have (`trigger_at` included), or nests "
        f"objects and arrays more than {MAX_PAYLOAD_DEPTH} levels deep in a field is 400 naming that "
        "field. A refused request starts nothing."
    ),
    operation_id="createSchedule",
    tags=["schedules"],
    responses={
        HTTPStatus.ACCEPTED.value: {
            "description": "Scheduled (or an earlier schedule with the same Idempotency-Key)",
            "content": {"application/json": {"model": ScheduleAccepted}},
            "headers": {
                "Location": {
                    "description": (
                        "`/{stage}/schedules/{scheduleId}` on the execute-api endpoint (e.g. "
                        "`/v1/schedules/...`); `/schedules/{scheduleId}` where the stage is not in the "
                        "path (a custom domain)"
                    ),
                    "schema": {"type": "string"},
                },
                "Idempotent-Replayed": {
                    "description": "`true` when the answer is the earlier schedule for this Idempotency-Key",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
            },
        },
        **_errors(
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.CONFLICT,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            HTTPStatus.INTERNAL_SERVER_ERROR,
            HTTPStatus.SERVICE_UNAVAILABLE,
        ),
    },
)
def create_schedule(
    request: Annotated[CreateScheduleRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_KEY_HEADER,
            min_length=1,
            max_length=255,
            description="Makes retries safe: the same key and body always yield the same schedule.",
        ),
    ] = None,
) -> Response[str]:
    """POST /schedules."""
    problem = _envelope_problem()
    if problem is not None:
        raise problem
    outcome = schedule_service().create(request, idempotency_key)
    schedule_id = outcome.accepted.schedule_id
    logger.append_keys(schedule_id=schedule_id)
    tracer.put_annotation("scheduleId", schedule_id)
    metrics.add_metric(
        name="IdempotentReplays" if outcome.replayed else "SchedulesCreated", unit=MetricUnit.Count, value=1
    )
    logger.info("schedule replayed" if outcome.replayed else "schedule created")
    request_context = app.current_event.request_context
    location = schedule_location(schedule_id, stage=request_context.stage, request_path=request_context.path)
    return json_response(
        HTTPStatus.ACCEPTED,
        outcome.accepted,
        headers={
            "Location": location,
            "Idempotent-Replayed": "true" if outcome.replayed else "false",
        },
    )


@app.get(
    "/schedules/<scheduleId>",
    summary="Read a schedule's status",
    description=(
        "Status, timestamps, and the result or error. A failed schedule's `cause` is a summary without "
        "stack traces; the full cause is logged under the request id. Unknown or malformed ids, and "
        "executions of the state machine that were not started as schedules, answer 404."
    ),
    operation_id="getSchedule",
    tags=["schedules"],
    responses={
        HTTPStatus.OK.value: {
            "description": "The schedule",
            "content": {"application/json": {"model": ScheduleView}},
        },
        **_errors(HTTPStatus.NOT_FOUND, HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.SERVICE_UNAVAILABLE),
    },
)
def get_schedule(schedule_id: Annotated[str, Path(alias="scheduleId")]) -> Response[str]:
    """GET /schedules/{scheduleId}."""
    logger.append_keys(schedule_id=schedule_id)
    view = schedule_service().get(schedule_id)
    metrics.add_metric(name="SchedulesRead", unit=MetricUnit.Count, value=1)
    return json_response(HTTPStatus.OK, view)


@app.delete(
    "/schedules/<scheduleId>",
    summary="Cancel a schedule",
    description=(
        "Stops the schedule while it reads `SCHEDULED`: waiting for its first attempt, or for the next "
        "attempt after a failed one was rescheduled; answers the CANCELLED schedule. While an attempt is "
        "under way (`PROCESSING`), or once the schedule has finished or was cancelled already, answers "
        "409. If an attempt begins in the instant between the check and the stop, the execution is "
        "stopped but its target has been invoked: the answer is then 409 saying so, not CANCELLED."
    ),
    operation_id="cancelSchedule",
    tags=["schedules"],
    responses={
        HTTPStatus.OK.value: {
            "description": "Cancelled",
            "content": {"application/json": {"model": ScheduleView}},
        },
        **_errors(
            HTTPStatus.NOT_FOUND,
            HTTPStatus.CONFLICT,
            HTTPStatus.INTERNAL_SERVER_ERROR,
            HTTPStatus.SERVICE_UNAVAILABLE,
        ),
    },
)
def cancel_schedule(schedule_id: Annotated[str, Path(alias="scheduleId")]) -> Response[str]:
    """DELETE /schedules/{scheduleId}."""
    logger.append_keys(schedule_id=schedule_id)
    cancelled = schedule_service().cancel(schedule_id)
    metrics.add_metric(name="SchedulesCancelled", unit=MetricUnit.Count, value=1)
    logger.info("schedule cancelled")
    return json_response(HTTPStatus.OK, cancelled)


@app.exception_handler([RequestValidationError, RequestUnsupportedContentType])
def reject_invalid_request(error: RequestValidationError | RequestUnsupportedContentType) -> Response[str]:
    """Envelope problems (415, 413) come first; otherwise the first validation error becomes a 400."""
    return _rejected(_envelope_problem() or invalid_request_from(error.errors()))


@app.exception_handler(UnicodeDecodeError)
def reject_undecodable_body(error: UnicodeDecodeError) -> Response[str]:
    """Powertools decodes a base64 body as UTF-8 before `_parse_body` sees it; the envelope says why."""
    problem = _envelope_problem()
    return _rejected(problem) if problem is not None else fail_safely(error)


@app.exception_handler(ScheduleApiError)
def reject_by_rule(error: ScheduleApiError) -> Response[str]:
    """Errors raised by the rules and adapters, mapped to their status."""
    return _rejected(error)


@app.not_found
def unknown_route(_: Exception) -> Response[str]:
    """Routes and methods the API does not have."""
    return _rejected(RouteNotFound(app.current_event.http_method, app.current_event.path))


@app.exception_handler(Exception)
def fail_safely(error: Exception) -> Response[str]:
    """Anything unexpected: log it with the stack, answer 500 without details."""
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return internal_error_response()


def _envelope_problem() -> ScheduleApiError | None:
    event = app.current_event
    if event.http_method != "POST":
        return None
    return envelope_problem(event.headers, event.body, bool(event.is_base64_encoded))


def _rejected(error: ScheduleApiError) -> Response[str]:
    metrics.add_metric(name="RequestsRejected", unit=MetricUnit.Count, value=1)
    logger.info("request rejected", extra={"error": error.code.value, "field": error.field})
    return error_response(error)


@lambda_entry_point(logger, tracer, correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda handler: route the API Gateway event."""
    return app.resolve(event, context)

"""The Powertools objects the handlers build through functions.common.observability."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from functions.common.observability import (
    TRACED_AWS_CALLS,
    lambda_entry_point,
    service_logger,
    service_logger_and_tracer,
    service_metrics,
    service_tracer,
)
from tests.unit.consent_deletion_workflow.fakes import LambdaContextStub


def test_metrics_go_to_the_configured_namespace_or_else_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no configured namespace, When metrics are built, Then they use the handler's default
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    assert service_metrics("reconciler", default_namespace="ConsentDeletion").namespace == "ConsentDeletion"

    # Given a configured namespace (the catalog sets one), When metrics are built, Then it wins
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Configured")
    assert service_metrics("reconciler", default_namespace="ConsentDeletion").namespace == "Configured"


def test_logger_and_tracer_carry_the_service_name() -> None:
    # When a handler's logger and tracer are built
    logger = service_logger("schedule-api")
    tracer = service_tracer("schedule-api", traced=TRACED_AWS_CALLS)

    # Then both speak for the service (what each patches is held by test_handler_imports)
    assert logger.service == "schedule-api"
    assert tracer.service == "schedule-api"


def test_an_entry_point_labels_each_invocations_lines_with_its_own_keys_only() -> None:
    # Given an entry point that appends the event's customer and sets its correlation id, when it has them
    logger, tracer = service_logger_and_tracer("entry-point-keys", traced=TRACED_AWS_CALLS)
    lines = io.StringIO()
    assert isinstance(logger.registered_handler, logging.StreamHandler)
    logger.registered_handler.setStream(lines)

    @lambda_entry_point(logger, tracer)
    def handler(event: dict[str, Any], context: Any) -> str:
        if "customer" in event:
            logger.append_keys(customer=event["customer"])
            logger.set_correlation_id(event["execution"])
        logger.info("handled")
        return "done"

    # When it is invoked for a customer, then for an event without one, in the same environment
    assert handler({"customer": "customer-7", "execution": "exec-7"}, LambdaContextStub()) == "done"
    handler({}, LambdaContextStub())

    # Then the second invocation's line carries the Lambda context but nothing the first one added
    first, second = (json.loads(line) for line in lines.getvalue().splitlines())
    assert (first["customer"], first["correlation_id"]) == ("customer-7", "exec-7")
    assert (second.get("customer"), second.get("correlation_id")) == (None, None)
    assert second["function_request_id"] == LambdaContextStub.aws_request_id


def test_an_entry_point_reads_the_correlation_id_at_its_path_in_each_event() -> None:
    # Given an entry point whose correlation id is the event's request id
    logger, tracer = service_logger_and_tracer("entry-point-correlation", traced=TRACED_AWS_CALLS)

    @lambda_entry_point(logger, tracer, correlation_id_path="requestContext.requestId")
    def handler(event: dict[str, Any], context: Any) -> str | None:
        return logger.get_correlation_id()

    # When it is invoked with a request id, then without one, Then each invocation has its own
    assert handler({"requestContext": {"requestId": "request-1"}}, LambdaContextStub()) == "request-1"
    assert handler({}, LambdaContextStub()) is None

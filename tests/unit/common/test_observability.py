"""The Powertools objects the handlers build through functions.common.observability."""

from __future__ import annotations

import pytest

from functions.common.observability import TRACED_AWS_CALLS, service_logger, service_metrics, service_tracer


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

"""The reconciler against the local engine's Step Functions API and moto's SNS, with the real handler."""

from __future__ import annotations

import pytest

from functions.consent_deletion.alert_mailer.models import AlertKind
from functions.consent_deletion.ledger import DeletionState
from functions.consent_deletion.reconciler import adapters as reconciler_adapters
from functions.consent_deletion.reconciler.handler import handler as reconciler_handler
from local.sfn_api import SfnApiServer
from local.third_party_fake import Behaviour, Outcome
from tests.local.consent_deletion.conftest import REVOKED_AT, MakeWorkflow, only_alert
from tests.unit.consent_deletion_workflow.fakes import LambdaContextStub


def test_a_stopped_execution_with_a_pending_row_is_alerted(
    make_workflow: MakeWorkflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two deletions waiting for the vendor, one of which an operator then stopped
    workflow = make_workflow("virtual")
    workflow.vendor.set_behaviour(Behaviour(outcome=Outcome.NEVER))
    running = workflow.start("customer-1")
    stopped = workflow.start("customer-2")
    workflow.engine.advance(90)
    workflow.engine.stop_execution(stopped, error="OperatorStopped", cause="stopped by hand")
    assert workflow.record(stopped).state is DeletionState.PENDING

    # When the scheduled reconciler runs against the engine's Step Functions endpoint
    with SfnApiServer(workflow.engine, host="127.0.0.1", port=0) as sfn_api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", sfn_api.endpoint_url)
        monkeypatch.setenv("STATE_MACHINE_ARN", workflow.state_machine_arn)
        monkeypatch.setenv("ALERT_TOPIC_ARN", workflow.alerts.topic_arn)
        monkeypatch.setenv("STALE_AFTER_SECONDS", "60")
        for cached in (
            reconciler_adapters.step_functions_client,
            reconciler_adapters.sns_client,
            reconciler_adapters.deletion_ledger,
        ):
            cached.cache_clear()
        report = reconciler_handler({"source": "aws.scheduler"}, LambdaContextStub())

    # Then it alerted on the stopped execution only, in the shape the mailer reads
    assert report["alerted"] == [stopped.rsplit(":", 1)[-1]]
    assert (report["examined"], report["stillRunning"]) == (2, 1)
    alert = only_alert(workflow)
    assert (alert.kind, alert.execution_arn, alert.customer_id) == (
        AlertKind.STALE_PENDING,
        stopped,
        "customer-2",
    )
    assert alert.operation_id == workflow.record(stopped).operation_id and alert.requested_at == REVOKED_AT
    assert alert.cause is not None and "ABORTED" in alert.cause
    assert workflow.describe(running)["status"] == "RUNNING"

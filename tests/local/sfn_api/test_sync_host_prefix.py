"""boto3 reaches StartSyncExecution on `python -m local sfn` once it stops prefixing the host with `sync-`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.local.sfn_api.helpers import ROLE_ARN, make_client
from tests.local.sfn_api.sfn_process import SfnProcess


class _Sent(Exception):
    """Raised by a before-send hook: the request was built, not sent."""


@pytest.fixture(scope="module")
def endpoint_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with SfnProcess(log_path=tmp_path_factory.mktemp("sync-host-prefix") / "sfn.log") as server:
        yield server.endpoint_url


def express_machine(sfn: Any) -> str:
    definition = {
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
    }
    arn: str = sfn.create_state_machine(
        name=f"Sync-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn=ROLE_ARN,
        type="EXPRESS",
    )["stateMachineArn"]
    return arn


def url_boto3_would_call(sfn: Any, machine_arn: str) -> str:
    urls: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        urls.append(request.url)
        raise _Sent

    sfn.meta.events.register("before-send", capture)
    with pytest.raises(_Sent):
        sfn.start_sync_execution(stateMachineArn=machine_arn)
    return urls[0]


def test_boto3_prefixes_the_host_of_start_sync_execution_by_default(endpoint_url: str) -> None:
    # Given a client with botocore's defaults
    sfn = make_client(endpoint_url)
    machine_arn = express_machine(sfn)

    # When it builds a StartSyncExecution request
    url = url_boto3_would_call(sfn, machine_arn)

    # Then the host is prefixed, a name that does not resolve to the local endpoint
    assert url.startswith("http://sync-127.0.0.1:")


def test_start_sync_execution_runs_with_inject_host_prefix_off(endpoint_url: str) -> None:
    # Given a client configured with inject_host_prefix=False
    sfn = make_client(endpoint_url, inject_host_prefix=False)
    machine_arn = express_machine(sfn)

    # When it starts a synchronous execution
    result = sfn.start_sync_execution(stateMachineArn=machine_arn, input="{}")

    # Then the local endpoint ran it to its end and answered with the output
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"ok": True}


def test_the_environment_variable_turns_the_prefix_off_too(
    endpoint_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given AWS_DISABLE_HOST_PREFIX_INJECTION=true and a client without any special configuration
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    sfn = make_client(endpoint_url)

    # When it starts a synchronous execution
    result = sfn.start_sync_execution(stateMachineArn=express_machine(sfn), input="{}")

    # Then it reached the local endpoint
    assert result["status"] == "SUCCEEDED"

"""Request members the engine does not model are accepted and ignored over HTTP, as AWS ignores members
it does not know: the engine's methods declare only what they use, and the HTTP boundary drops the rest."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.local.sfn_api.helpers import ROLE_ARN, wait_machine


def test_aws_members_the_engine_does_not_model_are_ignored(
    sfn: Any, unique_name: Callable[[str], str]
) -> None:
    # Given requests carrying members of AWS's API the engine has no use for
    machine = sfn.create_state_machine(
        name=unique_name("ignored"),
        definition=wait_machine(0),
        roleArn=ROLE_ARN,
        publish=True,
        versionDescription="first",
        encryptionConfiguration={"type": "AWS_OWNED_KEY"},
    )
    run = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], traceHeader="Root=1-abc")
    # When they are answered; Then as without those members
    described = sfn.describe_execution(executionArn=run["executionArn"], includedData="METADATA_ONLY")
    assert described["executionArn"] == run["executionArn"]
    described_machine = sfn.describe_state_machine(
        stateMachineArn=machine["stateMachineArn"], includedData="ALL_DATA"
    )
    assert described_machine["roleArn"] == ROLE_ARN


def test_a_member_unknown_to_aws_is_ignored(endpoint_url: str) -> None:
    # Given a ListStateMachines request with a member no version of the API has
    request = urllib.request.Request(
        endpoint_url,
        data=json.dumps({"maxResults": 5, "memberFromTheFuture": True}).encode(),
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
        },
        method="POST",
    )
    # When it is sent; Then it is answered as if the member were absent
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert "stateMachines" in json.loads(response.read())

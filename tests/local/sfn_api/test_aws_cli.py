"""The AWS CLI, when installed, works against the local endpoint like against AWS."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from typing import Any

import pytest

from tests.local.sfn_api.helpers import ROLE_ARN, pass_chain_machine

AWS_CLI = shutil.which("aws")

pytestmark = pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed")


def aws(endpoint_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert AWS_CLI is not None
    return subprocess.run(
        [AWS_CLI, "stepfunctions", *arguments, "--endpoint-url", endpoint_url, "--region", "us-east-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_aws_cli_lists_machines_and_reports_aws_errors(sfn: Any, endpoint_url: str) -> None:
    # Given a state machine created through boto3
    name = f"CliVisible-{uuid.uuid4().hex[:8]}"
    sfn.create_state_machine(name=name, definition=pass_chain_machine(1), roleArn=ROLE_ARN)

    # When the AWS CLI lists machines and describes an execution that does not exist
    listed = aws(endpoint_url, "list-state-machines", "--output", "json")
    missing = aws(
        endpoint_url,
        "describe-execution",
        "--execution-arn",
        f"arn:aws:states:us-east-1:123456789012:execution:{name}:nope",
    )

    # Then the list shows the machine, and the error arrives under its AWS name
    assert listed.returncode == 0, listed.stderr
    assert name in [machine["name"] for machine in json.loads(listed.stdout)["stateMachines"]]
    assert missing.returncode != 0
    assert "ExecutionDoesNotExist" in missing.stderr

"""`python -m local demo --keep-running`: after its report the demo's stack stays up, prints its addresses as
`up` does, serves the demo's executions, and stops cleanly on Ctrl-C."""

from __future__ import annotations

from pathlib import Path

from tests.local.stack.conftest import client
from tests.local.stack.up_process import UpProcess

MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:{}"


def test_keep_running_serves_the_demo_executions_until_sigint(tmp_path: Path) -> None:
    # Given the demo, kept running
    demo = UpProcess(None, tmp_path / "demo.log", command=["demo", "--keep-running"]).start()
    try:
        # When its Step Functions endpoint is asked for the executions
        sfn = client("stepfunctions", demo.stepfunctions)
        executions = {
            machine: sfn.list_executions(stateMachineArn=MACHINE_ARN.format(machine))["executions"]
            for machine in ("ConsentDeletion", "ScheduledRequest")
        }
    finally:
        code = demo.interrupt()
    # Then it had printed its report and every address, the console's included
    assert "Demo passed: 20 of 20 expectations met" in "\n".join(demo.output)
    assert demo.addresses["Execution console"] == f"{demo.stepfunctions}/console/"
    assert {"Schedule API", "AWS services (moto)", "Third-party API"} <= demo.addresses.keys()
    # Then the demo's executions were there, with their outcomes
    consent = {
        execution["name"].split("-")[1]: execution["status"] for execution in executions["ConsentDeletion"]
    }
    assert consent == {"1001": "SUCCEEDED", "1002": "FAILED"}
    assert sorted(execution["status"] for execution in executions["ScheduledRequest"]) == [
        "ABORTED", "FAILED", "SUCCEEDED"
    ]  # fmt: skip
    # Then Ctrl-C stopped it cleanly
    assert code == 0, (tmp_path / "demo.log").read_text()[-2000:]
    assert demo.output[-1] == "Stopping..."

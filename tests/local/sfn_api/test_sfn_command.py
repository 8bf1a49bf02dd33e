"""`python -m local sfn` and `python -m local clock` as separate processes: durable state survives a crash."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from tests.local.local_command import run_local_command
from tests.local.sfn_api.helpers import ROLE_ARN, make_client, wait_for_event, wait_for_status, wait_machine
from tests.local.sfn_api.sfn_process import SfnProcess


def run_clock_command(endpoint_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run_local_command(["clock", "--endpoint", endpoint_url, *arguments])


def test_a_waiting_execution_and_the_clock_position_survive_sigkill(tmp_path: Path) -> None:
    # Given a server with durable state and a virtual clock, an execution waiting one hour,
    # and the clock moved half of that hour forward
    state_dir = tmp_path / "state"
    options = ("--clock", "virtual", "--state-dir", str(state_dir))
    first = SfnProcess(*options, log_path=tmp_path / "first.log")
    sfn = make_client(first.start())
    machine_arn = sfn.create_state_machine(
        name=f"Durable-{uuid.uuid4().hex[:8]}", definition=wait_machine(3600), roleArn=ROLE_ARN
    )["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input='{"kept": true}')["executionArn"]
    wait_for_event(sfn, execution_arn, "WaitStateEntered")
    half_way = run_clock_command(first.endpoint_url, "advance", "30m")

    # When the process is killed without warning and started again on the same state directory,
    # and the clock moves on by just over the half hour that remained
    first.kill()
    second = SfnProcess(*options, log_path=tmp_path / "second.log")
    sfn = make_client(second.start())
    try:
        status_after_restart = sfn.describe_execution(executionArn=execution_arn)["status"]
        clock_after_restart = run_clock_command(second.endpoint_url, "now")
        advanced = run_clock_command(second.endpoint_url, "advance", "31m")
        finished = wait_for_status(sfn, execution_arn)
        clock_now = run_clock_command(second.endpoint_url, "now")
    finally:
        exit_code = second.stop()

    # Then the clock resumed exactly where it stood before the crash, the execution was still waiting,
    # and it finished with its input once the remaining half hour had passed
    assert (state_dir / "sfn.sqlite3").is_file()
    assert half_way.returncode == 0, half_way.stderr
    assert clock_after_restart.stdout == half_way.stdout
    assert status_after_restart == "RUNNING"
    assert advanced.returncode == 0, advanced.stderr
    assert "(virtual clock)" in advanced.stdout
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"kept": True}
    assert clock_now.stdout == advanced.stdout
    assert exit_code == 0


def test_the_clock_command_reports_a_refusal_on_a_real_clock(tmp_path: Path) -> None:
    # Given a server on the real clock, in memory
    with SfnProcess("--clock", "real", log_path=tmp_path / "server.log") as server:
        # When someone tries to advance it
        result = run_clock_command(server.endpoint_url, "advance", "3d")

    # Then the command fails and says why
    assert result.returncode == 1
    assert "only a virtual or skip clock" in result.stderr


def test_a_clock_move_cut_short_by_a_crash_is_completed_at_the_next_start(tmp_path: Path) -> None:
    # Given a server with durable state, an execution waiting one hour, killed while moving its clock
    # two hours ahead (its journal says where the move was going)
    state_dir = tmp_path / "state"
    options = ("--clock", "virtual", "--state-dir", str(state_dir))
    first = SfnProcess(*options, log_path=tmp_path / "first.log")
    sfn = make_client(first.start())
    machine_arn = sfn.create_state_machine(
        name=f"Journal-{uuid.uuid4().hex[:8]}", definition=wait_machine(3600), roleArn=ROLE_ARN
    )["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    wait_for_event(sfn, execution_arn, "WaitStateEntered")
    before_crash = datetime.fromisoformat(run_clock_command(first.endpoint_url, "now").stdout.split()[0])
    first.kill()
    target = before_crash + timedelta(hours=2)
    (state_dir / "clock-move.json").write_text(json.dumps({"target": target.isoformat()}))

    # When it starts again on the same state directory
    second = SfnProcess(*options, log_path=tmp_path / "second.log")
    sfn = make_client(second.start())
    try:
        clock_after_restart = run_clock_command(second.endpoint_url, "now").stdout.split()[0]
        status_after_restart = sfn.describe_execution(executionArn=execution_arn)["status"]
    finally:
        second.stop()

    # Then the clock stands where the move was going, and what fell due on the way has run
    assert datetime.fromisoformat(clock_after_restart) == target
    assert status_after_restart == "SUCCEEDED"

"""`python -m local up` as a person runs it: addresses printed, state kept under --state-dir across a
crash (SIGKILL), a waiting schedule resumed after the restart, Ctrl-C stopping cleanly.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from local.sfn_api.clock_control import format_rfc3339
from tests.local.stack.conftest import clock_now
from tests.local.stack.http_json import call
from tests.local.stack.up_process import UpProcess


def test_a_waiting_schedule_survives_a_crash_and_runs_after_the_restart(tmp_path: Path) -> None:
    state_dir, log = tmp_path / "state", tmp_path / "up.log"
    # Given a stack that accepted a schedule two days ahead
    first = UpProcess(state_dir, log).start()
    assert set(first.addresses) >= {
        "Schedule API",
        "Step Functions API",
        "AWS services (moto)",
        "Third-party API",
    }
    exports = next(line.split() for line in first.output if line.lstrip().startswith("export "))
    assert "AWS_DEFAULT_REGION=us-east-1" in exports  # the region variable boto3 and the AWS CLI read
    try:
        before_crash = clock_now(first.api)
        trigger_at = format_rfc3339((before_crash + timedelta(days=2)).replace(microsecond=0))
        created = call("POST", f"{first.api}/schedules", {"triggerAt": trigger_at, "payload": {"n": 1}})
        assert created.status == 202
        schedule_id = created.body["scheduleId"]
    finally:
        # When the process is killed outright
        first.kill()

    # And started again on the same state directory
    second = UpProcess(state_dir, log).start()
    try:
        # Then the schedule still waits, and the virtual time has not gone back
        assert call("GET", f"{second.api}/schedules/{schedule_id}").body["status"] == "SCHEDULED"
        assert clock_now(second.api) >= before_crash

        # And when the clock passes its trigger time, it runs
        moved = call("POST", f"{second.api}/_local/clock", {"advanceSeconds": 2 * 86_400 + 60})
        assert datetime.fromisoformat(moved.body["now"]) > datetime.fromisoformat(trigger_at)
        read = call("GET", f"{second.api}/schedules/{schedule_id}")
        assert read.body["status"] == "SUCCEEDED"
        assert read.body["result"]["scheduleId"] == schedule_id
    finally:
        # And Ctrl-C stops it cleanly
        exit_code = second.interrupt()
    assert exit_code == 0
    assert "Stopping..." in second.output


def test_a_clock_move_cut_short_by_a_crash_is_completed_by_the_restart(tmp_path: Path) -> None:
    state_dir, log = tmp_path / "state", tmp_path / "up.log"
    # Given a stack that was moving its clock two days ahead when it was killed (its journal says so)
    first = UpProcess(state_dir, log).start()
    try:
        before_crash = clock_now(first.api)
        one_day_later = format_rfc3339((before_crash + timedelta(days=1)).replace(microsecond=0))
        schedule = call("POST", f"{first.api}/schedules", {"triggerAt": one_day_later, "payload": {}})
        assert schedule.status == 202
    finally:
        first.kill()
    target = before_crash + timedelta(days=2)
    (state_dir / "clock-move.json").write_text(json.dumps({"target": target.isoformat()}))

    # When it starts again
    second = UpProcess(state_dir, log).start()
    try:
        # Then it completed the move before serving, ran what fell due on the way, and said so
        assert clock_now(second.api) == target
        assert (
            call("GET", f"{second.api}/schedules/{schedule.body['scheduleId']}").body["status"] == "SUCCEEDED"
        )
        assert any("completed the move to" in line for line in second.output)
    finally:
        second.interrupt()

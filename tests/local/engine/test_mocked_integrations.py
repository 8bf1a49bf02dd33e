"""With a MockConfigFile, a Task may name any service integration AWS offers, also one this engine cannot
call itself: its test cases answer for it, as Step Functions Local's mocked service integrations do."""

from __future__ import annotations

import json

import pytest

from local.engine import ApiError, Engine, MemoryStore, SkipClock

from .conftest import START, output_of

ROLE_ARN = "arn:aws:iam::123456789012:role/sfn"
BATCH_JOB = {
    "StartAt": "RunJob",
    "States": {
        "RunJob": {
            "Type": "Task",
            "Resource": "arn:aws:states:::batch:submitJob.sync",
            "Parameters": {"JobName": "nightly", "JobQueue": "queue", "JobDefinition": "definition"},
            "ResultSelector": {"status.$": "$.Status"},
            "End": True,
        }
    },
}
MOCKS = {
    "StateMachines": {"Nightly": {"TestCases": {"JobSucceeds": {"RunJob": "JobSucceeded"}}}},
    "MockedResponses": {"JobSucceeded": {"0": {"Return": {"Status": "SUCCEEDED", "JobId": "job-1"}}}},
}


def test_a_mocked_integration_the_engine_cannot_call_is_accepted_and_answered_by_its_test_case() -> None:
    # Given an engine with a mock configuration
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore(), mock_config=MOCKS)

    # When a machine names AWS Batch, which the engine cannot call, and runs its test case
    created = engine.create_state_machine(name="Nightly", definition=json.dumps(BATCH_JOB), role_arn=ROLE_ARN)
    arn = engine.start_execution(f"{created['stateMachineArn']}#JobSucceeds", input="{}")["executionArn"]
    engine.run_until_idle()

    # Then it was accepted and the mocked response answered the task
    assert output_of(engine, arn) == {"status": "SUCCEEDED"}


def test_without_mocks_an_integration_the_engine_cannot_call_is_refused_at_create() -> None:
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore())

    with pytest.raises(ApiError) as refused:
        engine.create_state_machine(name="Nightly", definition=json.dumps(BATCH_JOB), role_arn=ROLE_ARN)

    assert refused.value.code == "InvalidDefinition"
    assert "batch:submitJob.sync" in refused.value.message


def test_the_parent_test_case_answers_the_tasks_of_distributed_map_children() -> None:
    # Given a Distributed Map whose children run the mocked job, and the parent's test case mocking it
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore(), mock_config=MOCKS)
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **BATCH_JOB}
    fanout = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": processor, "End": True}}}
    created = engine.create_state_machine(name="Nightly", definition=json.dumps(fanout), role_arn=ROLE_ARN)

    # When it runs that test case over two items
    arn = engine.start_execution(f"{created['stateMachineArn']}#JobSucceeds", input="[1, 2]")["executionArn"]
    engine.run_until_idle()

    # Then each child's task was answered by the mocked response
    assert output_of(engine, arn) == [{"status": "SUCCEEDED"}, {"status": "SUCCEEDED"}]

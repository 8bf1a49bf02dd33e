"""A catalog entry is all the stack needs: a new workflow's resources, functions and machine, no code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.model import (
    CatalogError,
    Constant,
    Function,
    FunctionArn,
    Queue,
    QueueUrl,
    StateMachine,
    Substitution,
)
from local.stack import LocalStack
from tests.local.stack.conftest import client, quiet_config

SAMPLE_DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "${GreeterArn}", "Payload": {"name": "{% $states.input.name %}"}},
            "Output": "{% $states.result.Payload %}",
            "Next": "Post",
        },
        "Post": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Arguments": {"QueueUrl": "${OutboxUrl}", "MessageBody": "{% $states.input.greeting %}"},
            "Output": "{% $states.input %}",
            "End": True,
        },
    },
}


def _sample_machine(asl_file: Path, function_reference: str = "Greeter") -> StateMachine:
    asl_file.write_text(json.dumps(SAMPLE_DEFINITION))
    return StateMachine(
        name="SampleGreeting",
        description="Greets and posts the greeting.",
        asl_file=asl_file,
        substitutions=(
            Substitution(name="GreeterArn", value=FunctionArn(function_reference), description="greeter"),
            Substitution(name="OutboxUrl", value=QueueUrl("Outbox"), description="outbox"),
        ),
        functions=(
            Function(
                logical_id="Greeter",
                description="Greets.",
                handler="tests.local.stack.sample_functions.greet",
                environment={"GREETING": Constant("Hello")},
            ),
        ),
        queues=(Queue(logical_id="Outbox", purpose="Greetings."),),
    )


def test_a_new_entry_runs_with_its_function_queue_and_substitutions(tmp_path: Path) -> None:
    # Given a catalog holding only a new entry
    machine = _sample_machine(tmp_path / "sample.asl.json")
    with LocalStack(quiet_config(), machines={machine.name: machine}) as stack:
        sfn = client("stepfunctions", stack.addresses.stepfunctions)

        # When an execution runs
        started = sfn.start_execution(
            stateMachineArn=stack.workflows[machine.name].state_machine_arn, input='{"name": "Ada"}'
        )
        stack.advance(0)

        # Then its function ran in its own environment and its queue got the rendered message
        described = sfn.describe_execution(executionArn=started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {
            "greeting": "Hello, Ada",
            "functionName": "SampleGreeting-Greeter",
        }
        sqs = client("sqs", stack.addresses.aws)
        queue_url = stack.workflows[machine.name].resources.queue_urls["Outbox"]
        messages = sqs.receive_message(QueueUrl=queue_url).get("Messages", [])
        assert [message["Body"] for message in messages] == ["Hello, Ada"]


def test_an_entry_that_references_something_undeclared_is_refused(tmp_path: Path) -> None:
    # Given an entry whose substitution names a function it does not declare
    machine = _sample_machine(tmp_path / "sample.asl.json", function_reference="Missing")

    # When the stack starts, Then it refuses, naming the problem
    with pytest.raises(CatalogError, match="unknown function Missing"):
        LocalStack(quiet_config(), machines={machine.name: machine}).start()

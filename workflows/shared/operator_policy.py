"""The managed policy an operator of one workflow attaches to their role: run, stop, redrive and read the
state machine's executions, read its logs, work through its dead-letter queues and replay what they hold
(docs/runbook.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from workflows.shared.nag import acknowledge_wildcard_resources
from workflows.shared.state_machine import CatalogStateMachine

# On the state machine itself.
STATE_MACHINE_ACTIONS = ("states:DescribeStateMachine", "states:ListExecutions", "states:StartExecution")
# On its executions.
EXECUTION_ACTIONS = (
    "states:DescribeExecution",
    "states:DescribeStateMachineForExecution",
    "states:GetExecutionHistory",
    "states:RedriveExecution",
    "states:StopExecution",
)
LOG_READ_ACTIONS = ("logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents")
DEAD_LETTER_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
)
# Replaying a failed stream batch reads the records back from the stream.
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


@dataclass(frozen=True)
class Replay:
    """What the runbook's replay procedures touch besides the queues: the functions they hand failed
    events to again, the streams they read records back from, the topics they publish to again."""

    functions: Sequence[lambda_.IFunction] = ()
    streams: Sequence[str] = ()
    topics: Sequence[sns.ITopic] = ()


class OperatorPolicy(Construct):
    """A customer-managed policy, attached to nobody: the account's administrators attach it to the
    operators' roles or permission sets. Every action is named; every resource is this workflow's."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        machine: CatalogStateMachine,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        key: kms.IKey,
        replay: Replay,
    ) -> None:
        super().__init__(scope, construct_id)
        executions = Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{machine.name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        log_streams = machine.log_group.log_group_arn  # ends in ":*", which covers its log streams
        statements = [
            iam.PolicyStatement(
                sid="StartAndListExecutions",
                actions=list(STATE_MACHINE_ACTIONS),
                resources=[machine.state_machine.state_machine_arn],
            ),
            iam.PolicyStatement(
                sid="InspectStopAndRedriveExecutions", actions=list(EXECUTION_ACTIONS), resources=[executions]
            ),
            iam.PolicyStatement(
                sid="ReadExecutionLogs", actions=list(LOG_READ_ACTIONS), resources=[log_streams]
            ),
        ]
        if dead_letter_queues:
            statements += [
                iam.PolicyStatement(
                    sid="WorkThroughDeadLetterQueues",
                    actions=list(DEAD_LETTER_ACTIONS),
                    resources=[queue.queue_arn for queue in dead_letter_queues.values()],
                ),
                iam.PolicyStatement(
                    sid="DecryptDeadLetterMessages", actions=["kms:Decrypt"], resources=[key.key_arn]
                ),
            ]
        statements += self._replay_statements(replay, key)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description=f"Operators of {machine.name}: start, stop, redrive and inspect executions, read "
            "the logs and dead-letter queues (docs/runbook.md).",
            statements=statements,
        )
        acknowledge_wildcard_resources(
            self,
            [executions, log_streams, *replay.streams],
            f"Execution ARNs of {machine.name} end in the execution name, unknown until it starts, so the "
            "policy names the machine's executions by prefix; the log group's ARN ends in ':*' to cover its "
            "log streams; a table's stream ARN ends in its creation time, so streams are named by the "
            "table's ARN. Every action is named; no other machine, log group or table is covered.",
        )

    @staticmethod
    def _replay_statements(replay: Replay, key: kms.IKey) -> list[iam.PolicyStatement]:
        statements = []
        if replay.functions:
            statements.append(
                iam.PolicyStatement(
                    sid="ReplayFailedEvents",
                    actions=["lambda:InvokeFunction"],
                    resources=[function.function_arn for function in replay.functions],
                )
            )
        if replay.streams:
            statements.append(
                iam.PolicyStatement(
                    sid="ReadStreamRecordsBack",
                    actions=list(STREAM_READ_ACTIONS),
                    resources=list(replay.streams),
                )
            )
        if replay.topics:
            statements += [
                iam.PolicyStatement(
                    sid="PublishAgain",
                    actions=["sns:Publish"],
                    resources=[topic.topic_arn for topic in replay.topics],
                ),
                iam.PolicyStatement(
                    sid="EncryptPublishedMessages", actions=["kms:GenerateDataKey"], resources=[key.key_arn]
                ),
            ]
        return statements

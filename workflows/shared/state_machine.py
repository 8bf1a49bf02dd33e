"""A Standard state machine whose definition is a catalog entry's ASL file, inlined into the template."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

import catalog.model as catalog
from workflows import names
from workflows.shared.nag import acknowledge


class CatalogStateMachine(Construct):
    """The ASL file as written, with CloudFormation's DefinitionSubstitutions filling its ``${...}``.

    Logs every event to its own log group and traces with X-Ray. The machine is named
    ``<stack>-<entry name>`` so people find it in the console and policies can name its executions.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: catalog.StateMachine,
        substitutions: Mapping[str, str],
        include_execution_data: bool,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.name = f"{Stack.of(self).stack_name}-{spec.name}"
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"{names.STATE_MACHINE_LOG_GROUP_PREFIX}/{self.name}",
            retention=log_retention,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=self.name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            comment=spec.description,
            definition_body=sfn.DefinitionBody.from_string(spec.definition_text()),
            definition_substitutions=dict(substitutions),
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL,
                include_execution_data=include_execution_data,
            ),
            tracing_enabled=True,
        )
        acknowledge(
            self,
            "AwsSolutions-IAM5[Resource::*]",
            "Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray tracing "
            "(xray:PutTraceSegments and related) support no resource-level permissions; AWS documents "
            "Resource '*' for them.",
        )

"""Builds the CDK app: configuration from context, the workflow stacks, cdk-nag on everything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Aspects, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from workflows import names
from workflows.config import AppConfig
from workflows.consent_deletion.stack import ConsentDeletionStack
from workflows.scheduled_requests.stack import ScheduledRequestsStack
from workflows.shared.lint import AcknowledgeRedundantRoleDependencies


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None) -> App:
    """The app with every stack, checked by cdk-nag's AwsSolutions pack at synthesis; the cfn-lint
    findings that CDK's own output causes are acknowledged in the template with their reasons.

    ``context`` adds to (and overrides) what the CDK CLI passes from cdk.json and ``-c``.
    """
    app = App(context=dict(context or {}), outdir=outdir)
    config = AppConfig.from_context(app.node.try_get_context)
    environment = (
        Environment(account=config.account, region=config.region)
        if config.account is not None or config.region is not None
        else None
    )
    ScheduledRequestsStack(app, names.SCHEDULED_REQUESTS_STACK, config=config, env=environment)
    ConsentDeletionStack(app, names.CONSENT_DELETION_STACK, config=config, env=environment)
    Aspects.of(app).add(AcknowledgeRedundantRoleDependencies())
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app

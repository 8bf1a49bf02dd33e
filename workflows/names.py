"""Constants and names of the CDK app, in one place: runtime, architecture, layer, logging, ids."""

from __future__ import annotations

from typing import Final

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds

# Lambda: the runtime and the Powertools layer must agree on the Python version.
LAMBDA_RUNTIME: Final = lambda_.Runtime.PYTHON_3_13
LAMBDA_ARCHITECTURE: Final = lambda_.Architecture.ARM_64
LAMBDA_LOGGING_FORMAT: Final = lambda_.LoggingFormat.JSON
POWERTOOLS_LAYER_ACCOUNT: Final = "017000801446"
POWERTOOLS_LAYER_NAME: Final = "AWSLambdaPowertoolsPythonV3-python313-arm64"

# Step Functions writes to log groups under this prefix without growing the account's log resource policy.
STATE_MACHINE_LOG_GROUP_PREFIX: Final = "/aws/vendedlogs/states"

# Everything under the repository root is excluded from the Lambda code asset except the functions package.
LAMBDA_ASSET_EXCLUDES: Final = (
    "*",
    "!functions/",
    "!functions/**",
    "**/__pycache__/",
    "**/*.py[cod]",
    "**/.pytest_cache/",
    "**/.mypy_cache/",
    "**/requirements.txt",
)

# Application tags on every resource.
TAG_PROJECT: Final = ("project", "stepfunctions-workflow-patterns")

# Log retention values CloudWatch Logs accepts, by days.
LOG_RETENTION: Final = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}

# Stack and construct ids.
SCHEDULED_REQUESTS_STACK: Final = "ScheduledRequests"
SCHEDULED_REQUESTS_WORKFLOW: Final = "ScheduledRequestsWorkflow"
SCHEDULE_API: Final = "ScheduleApi"
WORKFLOW_KEY: Final = "WorkflowKey"
CONSENT_DELETION_STACK: Final = "ConsentDeletion"
CONSENT_DELETION_WORKFLOW: Final = "ConsentDeletionWorkflow"

# The ledger database: PostgreSQL pinned to a minor version (upgrades are deliberate), reached only from
# inside its VPC over TLS with IAM database authentication.
LEDGER_POSTGRES_VERSION: Final = rds.PostgresEngineVersion.VER_16_10
LEDGER_POSTGRES_PORT: Final = 5432
LEDGER_MASTER_USER: Final = "ledger_admin"
LEDGER_AVAILABILITY_ZONES: Final = 2

# A layer's directories land under /opt in the execution environment; the dependencies layer holds the
# packages (python/) and the RDS certificate bundle the ledger verifies the database against.
LAYER_MOUNT: Final = "/opt"
RDS_CA_BUNDLE_IN_LAYER: Final = "rds-ca/global-bundle.pem"

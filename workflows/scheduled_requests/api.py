"""The Schedule API: a REST API whose routes (from the catalog) all go to the front door function."""

from __future__ import annotations

import re

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

import catalog.model as catalog
from workflows.config import ApiAuthorization, ScheduledRequestsConfig
from workflows.shared.nag import acknowledge, acknowledge_wildcard_resources

_PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
# What API Gateway does with its account-wide role: the actions of the AWS-managed
# AmazonAPIGatewayPushToCloudWatchLogs policy, named, on this account's and region's log groups only.
_PUSH_TO_CLOUDWATCH_LOGS_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:PutLogEvents",
)

# Gateway-level rejections (authorization, throttling, validation) answer in the API's own error shape.
_ERROR_BODY = '{"error": "$context.error.responseType", "message": $context.error.messageString}'


class ScheduleApi(Construct):
    """REST API with the configured authorization, throttling, access logs and request validation.

    API Gateway validates request parameters; the front door validates bodies, so the same rules and
    error messages apply in AWS and in the local runtime (which serves the front door directly).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: catalog.Api,
        handler: lambda_.IFunction,
        config: ScheduledRequestsConfig,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention)
        self.rest_api = self._build_rest_api()
        self._build_routes(spec, apigateway.LambdaIntegration(handler))
        if config.create_api_gateway_cloud_watch_role:
            self._build_account_logging_role()
        self._build_error_responses()
        self._build_api_key_access()
        self._associate_web_acl()
        self._acknowledge_findings()

    def _build_rest_api(self) -> apigateway.RestApi:
        return apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{Stack.of(self).stack_name}-schedule-api",
            description="Schedule API: create, inspect and cancel scheduled requests.",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=self._config.api_stage_name,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                tracing_enabled=True,
                metrics_enabled=True,
                throttling_rate_limit=self._config.throttling_rate_limit,
                throttling_burst_limit=self._config.throttling_burst_limit,
            ),
            default_method_options=self._method_options(),
        )

    def _build_account_logging_role(self) -> None:
        """API Gateway's CloudWatch Logs role, an account and region setting that access logs need.

        Kept when the stack is deleted: other APIs of the account may log through it by then.
        """
        log_groups = Stack.of(self).format_arn(
            service="logs", resource="log-group", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        role = iam.Role(
            self,
            "AccountLoggingRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway's account-wide role for writing access and execution logs.",
            inline_policies={
                "PushToCloudWatchLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=list(_PUSH_TO_CLOUDWATCH_LOGS_ACTIONS), resources=[log_groups]
                        )
                    ]
                )
            },
        )
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigateway.CfnAccount(self, "Account", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        self.rest_api.deployment_stage.node.add_dependency(account)
        acknowledge_wildcard_resources(
            role,
            [log_groups],
            "API Gateway's account-wide role writes the access and execution logs of every API of the "
            "account and region, to log groups it names itself (API-Gateway-Execution-Logs_<api id>/"
            "<stage>); it is bounded to this account's and region's log groups, and its actions are named.",
        )

    def _method_options(self) -> apigateway.MethodOptions:
        match self._config.api_authorization:
            case ApiAuthorization.IAM:
                return apigateway.MethodOptions(authorization_type=apigateway.AuthorizationType.IAM)
            case ApiAuthorization.API_KEY:
                return apigateway.MethodOptions(api_key_required=True)
            case ApiAuthorization.COGNITO:
                assert self._config.cognito_user_pool_arn is not None, "validated by ScheduledRequestsConfig"
                user_pool = cognito.UserPool.from_user_pool_arn(
                    self, "UserPool", self._config.cognito_user_pool_arn
                )
                authorizer = apigateway.CognitoUserPoolsAuthorizer(
                    self, "Authorizer", cognito_user_pools=[user_pool]
                )
                return apigateway.MethodOptions(
                    authorization_type=apigateway.AuthorizationType.COGNITO, authorizer=authorizer
                )

    def _build_routes(self, spec: catalog.Api, integration: apigateway.LambdaIntegration) -> None:
        validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        for route in spec.routes:
            parameters = {f"method.request.path.{name}": True for name in _PATH_PARAMETER.findall(route.path)}
            if route.method == "POST":
                parameters[f"method.request.header.{IDEMPOTENCY_KEY_HEADER}"] = False
            self.rest_api.root.resource_for_path(route.path).add_method(
                route.method,
                integration,
                request_validator=validator,
                request_parameters=parameters,
            )

    def _build_error_responses(self) -> None:
        for response_type in (apigateway.ResponseType.DEFAULT_4_XX, apigateway.ResponseType.DEFAULT_5_XX):
            self.rest_api.add_gateway_response(
                f"Gateway{response_type.response_type}",
                type=response_type,
                templates={"application/json": _ERROR_BODY},
            )

    def _build_api_key_access(self) -> None:
        if self._config.api_authorization is not ApiAuthorization.API_KEY:
            return
        plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            description="Callers of the Schedule API with an API key.",
            throttle=apigateway.ThrottleSettings(
                rate_limit=self._config.throttling_rate_limit,
                burst_limit=self._config.throttling_burst_limit,
            ),
        )
        plan.add_api_stage(stage=self.rest_api.deployment_stage)
        plan.add_api_key(self.rest_api.add_api_key("ApiKey", description="Schedule API key."))

    def _associate_web_acl(self) -> None:
        if self._config.web_acl_arn is None:
            return
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=self._config.web_acl_arn,
        )

    def _acknowledge_findings(self) -> None:
        if self._config.web_acl_arn is None:
            acknowledge(
                self,
                "AwsSolutions-APIG3",
                "No WAF web ACL by default: every route requires authorization and the stage is throttled. "
                "Set scheduledRequests.webAclArn to associate a regional web ACL.",
            )
        acknowledge(
            self,
            "AwsSolutions-APIG6",
            "Execution logging stays off: it can write request and response bodies (client payloads) to the "
            "logs. Access logs (JSON, every request) and X-Ray tracing are enabled instead; like execution "
            "logs they need the account's API Gateway CloudWatch Logs role "
            "(scheduledRequests.createApiGatewayCloudWatchRole).",
        )
        match self._config.api_authorization:
            case ApiAuthorization.IAM:
                acknowledge(
                    self,
                    "AwsSolutions-COG4",
                    "Callers authenticate with IAM (SigV4-signed requests), the configured authorization "
                    "(scheduledRequests.apiAuthorization = IAM); no Cognito user pool is involved.",
                )
            case ApiAuthorization.API_KEY:
                acknowledge(
                    self,
                    "AwsSolutions-APIG4",
                    "Access is by API key and usage plan, as configured "
                    "(scheduledRequests.apiAuthorization = API_KEY); IAM is the default.",
                )
                acknowledge(
                    self,
                    "AwsSolutions-COG4",
                    "Access is by API key and usage plan, as configured "
                    "(scheduledRequests.apiAuthorization = API_KEY); no Cognito user pool is involved.",
                )
            case ApiAuthorization.COGNITO:
                pass

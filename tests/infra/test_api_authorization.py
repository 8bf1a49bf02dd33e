"""The Schedule API uses the configured authorization, validates parameters, throttles and logs access."""

from __future__ import annotations

from catalog import SCHEDULED_REQUEST
from tests.infra.cloud_assembly import SynthesizedApp
from tests.infra.conftest import COGNITO_USER_POOL_ARN


def test_every_route_of_the_catalog_is_a_method(default_app: SynthesizedApp) -> None:
    # Given the catalog's routes and the API methods
    api = SCHEDULED_REQUEST.api
    assert api is not None
    methods = default_app.of_type("AWS::ApiGateway::Method").values()

    # Then there is one method per route
    assert sorted(method["Properties"]["HttpMethod"] for method in methods) == sorted(
        route.method for route in api.routes
    )


def test_iam_authorization_is_the_default(default_app: SynthesizedApp) -> None:
    # Given the app as cdk.json configures it / Then every method requires SigV4 (AWS_IAM)
    methods = default_app.of_type("AWS::ApiGateway::Method").values()
    assert {method["Properties"]["AuthorizationType"] for method in methods} == {"AWS_IAM"}
    assert default_app.of_type("AWS::ApiGateway::ApiKey") == {}


def test_api_key_authorization_requires_a_key_and_a_usage_plan(api_key_app: SynthesizedApp) -> None:
    # Given apiAuthorization = API_KEY
    methods = list(api_key_app.of_type("AWS::ApiGateway::Method").values())
    _, plan = api_key_app.only("AWS::ApiGateway::UsagePlan")

    # Then every method requires a key, and a key is attached to a throttled usage plan
    assert {method["Properties"]["ApiKeyRequired"] for method in methods} == {True}
    assert {method["Properties"]["AuthorizationType"] for method in methods} == {"NONE"}
    api_key_app.only("AWS::ApiGateway::ApiKey")
    api_key_app.only("AWS::ApiGateway::UsagePlanKey")
    assert plan["Properties"]["Throttle"] == {"BurstLimit": 100, "RateLimit": 50}


def test_cognito_authorization_uses_the_configured_user_pool(cognito_app: SynthesizedApp) -> None:
    # Given apiAuthorization = COGNITO with a user pool
    authorizer_id, authorizer = cognito_app.only("AWS::ApiGateway::Authorizer")
    methods = cognito_app.of_type("AWS::ApiGateway::Method").values()

    # Then every method uses that pool's authorizer
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["ProviderARNs"] == [COGNITO_USER_POOL_ARN]
    assert {method["Properties"]["AuthorizationType"] for method in methods} == {"COGNITO_USER_POOLS"}
    assert {method["Properties"]["AuthorizerId"]["Ref"] for method in methods} == {authorizer_id}


def test_requests_are_validated_and_path_parameters_required(default_app: SynthesizedApp) -> None:
    # Given the request validator and the methods
    validator_id, validator = default_app.only("AWS::ApiGateway::RequestValidator")
    methods = list(default_app.of_type("AWS::ApiGateway::Method").values())

    # Then every method uses the validator, and scheduleId is a required path parameter where present
    assert validator["Properties"]["ValidateRequestParameters"] is True
    assert {method["Properties"]["RequestValidatorId"]["Ref"] for method in methods} == {validator_id}
    by_verb = {
        method["Properties"]["HttpMethod"]: method["Properties"].get("RequestParameters", {})
        for method in methods
    }
    assert by_verb["GET"] == {"method.request.path.scheduleId": True}
    assert by_verb["DELETE"] == {"method.request.path.scheduleId": True}
    assert by_verb["POST"] == {"method.request.header.Idempotency-Key": False}


def test_the_stage_throttles_traces_and_writes_access_logs(default_app: SynthesizedApp) -> None:
    # Given the stage
    _, stage = default_app.only("AWS::ApiGateway::Stage")
    properties = stage["Properties"]
    settings = properties["MethodSettings"][0]

    # Then it throttles as configured, traces, and logs every request to a log group
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (50, 100)
    assert properties["TracingEnabled"] is True
    destination = properties["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1]
    (log_group_ref,) = [part for part in destination if isinstance(part, dict) and "AWS::" not in part["Ref"]]
    assert default_app.resources[log_group_ref["Ref"]]["Type"] == "AWS::Logs::LogGroup"
    assert "requestId" in properties["AccessLogSetting"]["Format"]


def test_gateway_rejections_answer_in_the_api_error_shape(default_app: SynthesizedApp) -> None:
    # Given the gateway responses / Then 4XX and 5XX answer JSON with error and message
    responses = default_app.of_type("AWS::ApiGateway::GatewayResponse").values()
    assert {response["Properties"]["ResponseType"] for response in responses} == {
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    }
    for response in responses:
        body = response["Properties"]["ResponseTemplates"]["application/json"]
        assert '"error"' in body and '"message"' in body

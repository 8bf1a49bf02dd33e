"""Lambda tasks answered by the Lambda Invoke API at another endpoint (`--lambda-endpoint-url`).

The endpoint can be `sam local start-lambda`, LocalStack or moto server, as with Step Functions Local's
LAMBDA_ENDPOINT. A function error comes back as the same `LambdaOutcome` an in-process function gives, so
the task fails with the payload's `errorType` as its error and the payload as its cause.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local.engine.lambda_runtime import LambdaOutcome, LambdaServiceError

# Lambda's longest timeout (15 minutes) plus time for the endpoint to start the function.
READ_TIMEOUT_SECONDS = 960
CONNECT_TIMEOUT_SECONDS = 5
UNKNOWN_ERROR = "Lambda.Unknown"  # what Step Functions reports for a function error without an errorType


class RemoteLambdaInvoker:
    """Invokes functions through the Lambda Invoke API at `endpoint_url` (one attempt, as Step Functions)."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        session = boto3.session.Session()
        credentials: dict[str, str] = {}
        if session.get_credentials() is None:  # local endpoints accept any credentials
            credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        self._client = session.client(
            "lambda",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                retries={"total_max_attempts": 1},
                read_timeout=READ_TIMEOUT_SECONDS,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
            ),
            **credentials,
        )

    def invoke(self, function: str, event: Any) -> LambdaOutcome:
        """Invoke `function` (RequestResponse) with `event`; service errors raise `LambdaServiceError`."""
        try:
            response = self._client.invoke(
                FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
            )
            body = response["Payload"].read()
        except ClientError as error:
            details = error.response.get("Error", {})
            metadata = error.response.get("ResponseMetadata", {})
            raise LambdaServiceError(
                str(details.get("Code", "ServiceException")),
                str(details.get("Message", "")),
                status_code=int(metadata.get("HTTPStatusCode", 500)),
                request_id=str(metadata.get("RequestId", "")),
            ) from error
        except BotoCoreError as error:
            raise LambdaServiceError(
                "SdkClientException", f"Unable to execute HTTP request: {error}"
            ) from error
        request_id = str(response.get("ResponseMetadata", {}).get("RequestId", ""))
        payload = _decoded(body)
        if not response.get("FunctionError"):
            return LambdaOutcome(ok=True, payload=payload, request_id=request_id)
        document = payload if isinstance(payload, dict) else {"errorMessage": payload}
        error_type = document.get("errorType")
        return LambdaOutcome(
            ok=False,
            error_type=error_type if isinstance(error_type, str) and error_type else UNKNOWN_ERROR,
            error_payload=document,
            request_id=request_id,
        )


def _decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")

"""How Step Functions names the failure of an optimized integration's AWS call.

Step Functions calls AWS through the Java SDK, so a failed call surfaces as `<Prefix>.<exception class>`: a
service error the SDK models keeps its own class (`DynamoDB.ConditionalCheckFailedException`), any other
one is the service's generic class (`DynamoDB.AmazonDynamoDBException`). The cause is the SDK's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from local.engine.errors import StatesError


@dataclass(frozen=True)
class SdkService:
    """One AWS service as the Java SDK presents it to Step Functions."""

    prefix: str  # "DynamoDB": the first part of every error name
    sdk_name: str  # "AmazonDynamoDBv2": the `Service:` of a cause
    generic_exception: str  # "AmazonDynamoDBException": the class of an error the SDK does not model

    def failure(self, client: Any, exc: Exception) -> StatesError:
        """The Step Functions error for a failed boto3 call of `client`."""
        if isinstance(exc, ClientError):
            return self._service_error(client, exc)
        # Parameters the service would reject as invalid, or an endpoint that cannot be reached.
        return StatesError(f"{self.prefix}.{self.generic_exception}", str(exc))

    def _service_error(self, client: Any, exc: ClientError) -> StatesError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")).rsplit("#", 1)[-1].rsplit(".", 1)[-1]
        modelled = {shape.name for shape in client.meta.service_model.error_shapes}
        exception = code if code.endswith("Exception") else f"{code}Exception"
        name = exception if code in modelled else self.generic_exception
        metadata = exc.response.get("ResponseMetadata", {})
        details = "; ".join(
            (
                f"Service: {self.sdk_name}",
                f"Status Code: {metadata.get('HTTPStatusCode', 400)}",
                f"Error Code: {code}",
                f"Request ID: {metadata.get('RequestId', '')}",
                "Proxy: null",
            )
        )
        return StatesError(f"{self.prefix}.{name}", f"{error.get('Message', '')} ({details})")

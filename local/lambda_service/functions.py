"""A function's settings as the Lambda API creates and changes them, checked with AWS's validation errors."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from local.engine.lambda_runtime import LambdaServiceError

DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128
_LIMITS = {"Timeout": ("timeout", 1, 900), "MemorySize": ("memorySize", 128, 10240)}
_RUNTIME = re.compile(r"^python3\.\d+$")
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class FunctionSettings:
    """What a user sets on a function (everything but its code)."""

    name: str
    runtime: str
    handler: str
    role: str = ""
    description: str = ""
    timeout: int = DEFAULT_TIMEOUT_SECONDS
    memory_size: int = DEFAULT_MEMORY_MB
    environment: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The settings as CreateFunction takes them."""
        return {
            "FunctionName": self.name,
            "Runtime": self.runtime,
            "Handler": self.handler,
            "Role": self.role,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "Environment": {"Variables": dict(self.environment)},
        }


@dataclass(frozen=True)
class FunctionCode:
    """Where a function's code is unpacked, and what Lambda reports about the package."""

    directory: Path
    size: int = 0
    sha256: str = ""


def invalid_parameter(message: str) -> LambdaServiceError:
    return LambdaServiceError("InvalidParameterValueException", message, status_code=400)


def settings_to_create(body: dict[str, Any]) -> FunctionSettings:
    """The settings of a CreateFunction request (or a stored function), checked as Lambda checks them."""
    if body.get("PackageType", "Zip") != "Zip":
        raise invalid_parameter("The local Lambda service runs .zip file archives only (PackageType Zip)")
    if not body.get("Runtime") or not body.get("Handler"):
        raise invalid_parameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    name = function_name_to_create(body.get("FunctionName"))
    return updated_settings(FunctionSettings(name=name, runtime="", handler=""), body)


def updated_settings(settings: FunctionSettings, body: dict[str, Any]) -> FunctionSettings:
    """`settings` with the fields of an UpdateFunctionConfiguration request applied and checked."""
    changes: dict[str, Any] = {}
    if "Runtime" in body:
        changes["runtime"] = _runtime(body["Runtime"])
    if "Handler" in body:
        changes["handler"] = str(body["Handler"])
    for key, attribute in (("Role", "role"), ("Description", "description")):
        if key in body:
            changes[attribute] = str(body[key] or "")
    for key, attribute in (("Timeout", "timeout"), ("MemorySize", "memory_size")):
        if key in body:
            changes[attribute] = _bounded(key, body[key])
    if "Environment" in body:
        variables = (body["Environment"] or {}).get("Variables") or {}
        changes["environment"] = {str(key): str(value) for key, value in variables.items()}
    return replace(settings, **changes)


def function_name_to_create(value: Any) -> str:
    """The name in CreateFunction's FunctionName (a name or an ARN)."""
    text = str(value or "")
    name = text.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in text else text
    if not _NAME.match(name):
        raise LambdaServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{text}' at 'functionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+",
            status_code=400,
        )
    return name


def zip_archive(code: Any) -> bytes:
    """The bytes of `Code.ZipFile` (base64 in the JSON body, as the SDKs send it)."""
    if not isinstance(code, dict) or "ZipFile" not in code:
        raise invalid_parameter(
            "The local Lambda service takes the code as ZipFile bytes (not S3Bucket/S3Key or ImageUri)"
        )
    try:
        return base64.b64decode(str(code["ZipFile"]), validate=True)
    except (binascii.Error, ValueError) as error:
        raise invalid_parameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from error


def _runtime(value: Any) -> str:
    runtime = str(value)
    if not _RUNTIME.match(runtime):
        raise invalid_parameter(
            f"The runtime parameter of {runtime} is not supported by the local Lambda service, "
            "which runs python3.x functions only."
        )
    return runtime


def _bounded(key: str, value: Any) -> int:
    member, low, high = _LIMITS[key]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    too_low = isinstance(value, int) and value < low
    bound = f"greater than or equal to {low}" if too_low else f"less than or equal to {high}"
    raise LambdaServiceError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must have value {bound}",
        status_code=400,
    )

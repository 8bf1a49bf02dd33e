"""Helpers for the Lambda service tests: zips built in memory, a boto3 Lambda client, functions by source."""

from __future__ import annotations

import io
import textwrap
import uuid
import zipfile
from typing import Any

import boto3
from botocore.config import Config

ROLE_ARN = "arn:aws:iam::123456789012:role/lambda-tests"


def zip_of(files: dict[str, str]) -> bytes:
    """A zip archive holding `files` (name -> source), built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, textwrap.dedent(source))
    return buffer.getvalue()


def lambda_client(endpoint_url: str) -> Any:
    """A real boto3 Lambda client for the local endpoint (no retries: errors surface at once)."""
    return boto3.client(
        "lambda",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def create_function(client: Any, source: str, *, prefix: str = "fn", **settings: Any) -> str:
    """Create a python3.12 function whose handler.py is `source` (handler `handler.handler`); its name."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE_ARN,
        Handler="handler.handler",
        Code={"ZipFile": zip_of({"handler.py": source})},
        **settings,
    )
    return name

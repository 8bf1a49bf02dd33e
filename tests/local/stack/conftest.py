"""Fixtures: the local stack on free ports with a virtual clock, shared by the tests of one module.

moto's state is process-wide and a stack resets it when it closes, so no two stacks may overlap in
one process: stacks here are module-scoped and never nested.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest

from catalog import STATE_MACHINES
from local.sfn_api.clock_control import parse_rfc3339
from local.stack import LocalStack, StackConfig
from tests.local.stack.http_json import call


def quiet_config(**options: Any) -> StackConfig:
    """Free ports, a virtual clock, functions' INFO logs and metrics off."""
    overrides = {
        name: {"LogLevel": "WARNING"}
        for name, machine in STATE_MACHINES.items()
        if any(tunable.name == "LogLevel" for tunable in machine.tunables)
    }
    return StackConfig.on_free_ports(
        clock="virtual", function_metrics=False, tunable_overrides=overrides, **options
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(quiet_config()) as running:
        yield running


def clock_now(base_url: str) -> datetime:
    """GET /_local/clock."""
    return parse_rfc3339(call("GET", f"{base_url}/_local/clock").body["now"])


def client(service: str, endpoint_url: str) -> Any:
    """boto3 at a local endpoint (credentials are the suite's fake ones)."""
    return boto3.client(service, endpoint_url=endpoint_url, region_name="us-east-1")

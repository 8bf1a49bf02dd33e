"""What a local stack is asked to be: addresses, clock, where state lives, and local-only choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from local.lambda_service.registry import DEFAULT_CONCURRENCY as DEFAULT_LAMBDA_CONCURRENCY

ClockMode = Literal["real", "virtual", "skip"]
CLOCK_MODES: tuple[ClockMode, ...] = ("real", "virtual", "skip")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_API_PORT = 8080
DEFAULT_SFN_PORT = 8083
DEFAULT_AWS_PORT = 4566
DEFAULT_THIRD_PARTY_PORT = 8090

ACCOUNT_ID = "123456789012"
"""moto's default account: ARNs built here and ARNs moto hands out agree."""
REGION = "us-east-1"


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    """Options of `python -m local up`; a port of 0 means any free port."""

    host: str = DEFAULT_HOST
    api_port: int = DEFAULT_API_PORT
    sfn_port: int = DEFAULT_SFN_PORT
    aws_port: int = DEFAULT_AWS_PORT
    third_party_port: int = DEFAULT_THIRD_PARTY_PORT
    clock: ClockMode = "real"
    state_dir: Path | None = None
    """Executions, histories, timers and the virtual time persist here; None keeps them in memory."""
    tunable_overrides: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """State machine name -> tunable name -> value, validated by the catalog."""
    function_metrics: bool = True
    """False sets POWERTOOLS_METRICS_DISABLED for every function (no EMF lines on stdout)."""
    lambda_concurrency: int = DEFAULT_LAMBDA_CONCURRENCY
    """The most concurrent invocations (worker processes) of one function; a reserved concurrency is lower."""

    @classmethod
    def on_free_ports(cls, **options: object) -> StackConfig:
        """Every port 0 (for tests and the demo); other options as given."""
        ports = {"api_port": 0, "sfn_port": 0, "aws_port": 0, "third_party_port": 0}
        return cls(**{**ports, **options})  # type: ignore[arg-type]

"""The Step Functions API of the local engine: AWS JSON 1.0 over HTTP, plus clock control."""

from __future__ import annotations

from local.sfn_api.server import SfnApiServer

__all__ = ["SfnApiServer"]

"""The Powertools objects every handler module builds at import: its Logger, its Tracer, its Metrics.

Each handler still says what it is (its service name), what it traces and which namespace its metrics go
to; this module holds the choices they share.

Lambda runs the functions with active tracing, so the Tracer is enabled there. Powertools' default is to
patch everything the X-Ray SDK can trace (`patch_all`), which imports every such library that happens
to be installed, used or not: SQLAlchemy, its ORM and pg8000 in every consent-deletion function, because
they share one dependencies layer. `service_tracer` patches only the libraries a handler names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final

from aws_lambda_powertools import Logger, Metrics, Tracer

TRACED_AWS_CALLS: Final = ("botocore",)
"""boto3 and botocore calls: one subsegment per AWS API call."""
# pg8000's patch gives each statement a subsegment. SQLAlchemy's (`sqlalchemy_core`) would trace each
# statement a second time, one level up, and imports SQLAlchemy's ORM, which the ledger does not use.
TRACED_DATABASE_CALLS: Final = ("pg8000",)
"""Statements sent to the ledger database."""

_METRICS_NAMESPACE_VARIABLE: Final = "POWERTOOLS_METRICS_NAMESPACE"


def service_logger(service: str) -> Logger:
    """The structured JSON logger of `service`."""
    return Logger(service=service)


def service_tracer(service: str, *, traced: Sequence[str]) -> Tracer:
    """The X-Ray tracer of `service`, patching only the libraries in `traced` (see the module docstring).

    Disabled outside Lambda and wherever POWERTOOLS_TRACE_DISABLED is set (tests, the local stack).
    """
    return Tracer(service=service, patch_modules=tuple(traced))


def service_metrics(service: str, *, default_namespace: str) -> Metrics:
    """CloudWatch metrics (EMF) of `service`, in POWERTOOLS_METRICS_NAMESPACE or else `default_namespace`."""
    return Metrics(namespace=os.environ.get(_METRICS_NAMESPACE_VARIABLE, default_namespace), service=service)

"""The Powertools objects every handler module builds at import (its Logger, its Tracer, its Metrics) and
the one decorator its entry points wear.

Each handler still says what it is (its service name), what it traces and which namespace its metrics go
to; this module holds the choices they share.

`lambda_entry_point` injects the Lambda context into the logger with its state cleared, then traces the
invocation: keys a handler appends and the correlation id it sets label that invocation's log lines only,
never those of the next invocation in the same execution environment.

Lambda runs the functions with active tracing, so the Tracer is enabled there. Powertools' default is to
patch everything the X-Ray SDK can trace (`patch_all`), which imports every such library that happens
to be installed, used or not: SQLAlchemy, its ORM and pg8000 in every consent-deletion function, because
they share one dependencies layer. `service_tracer` patches only the libraries a handler names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, TypeAlias, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

Event = TypeVar("Event")
Result = TypeVar("Result")
Handler: TypeAlias = "Callable[[Event, LambdaContext], Result]"
"""A Lambda entry point: the event and the context in, the invocation's result out."""

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


def service_logger_and_tracer(service: str, *, traced: Sequence[str]) -> tuple[Logger, Tracer]:
    """The logger and the tracer of `service` (see `service_logger` and `service_tracer`)."""
    return service_logger(service), service_tracer(service, traced=traced)


def lambda_entry_point(
    logger: Logger, tracer: Tracer, *, correlation_id_path: str | None = None
) -> Callable[[Handler[Event, Result]], Handler[Event, Result]]:
    """The decorators of a Lambda entry point: the logger's context, outermost, then the tracer's segment.

    The logger's state is cleared at each invocation (`clear_state`): only the service, the Lambda context
    and what this invocation appends label its log lines. `correlation_id_path`, a JMESPath into the event
    (Powertools' `correlation_paths`), sets the correlation id before the handler runs.
    """

    def decorate(handler: Handler[Event, Result]) -> Handler[Event, Result]:
        traced = tracer.capture_lambda_handler(handler)
        return cast(
            "Handler[Event, Result]",
            logger.inject_lambda_context(traced, correlation_id_path=correlation_id_path, clear_state=True),
        )

    return decorate


def service_metrics(service: str, *, default_namespace: str) -> Metrics:
    """CloudWatch metrics (EMF) of `service`, in POWERTOOLS_METRICS_NAMESPACE or else `default_namespace`."""
    return Metrics(namespace=os.environ.get(_METRICS_NAMESPACE_VARIABLE, default_namespace), service=service)

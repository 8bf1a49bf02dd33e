"""Routes decoded Step Functions API calls to the engine and maps every outcome to an HTTP answer.

This is the one place where engine errors become wire errors: `ApiError.code` becomes `__type`.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from local.engine.errors import ApiError
from local.sfn_api.protocol import (
    ApiCall,
    ProtocolError,
    UnknownOperationError,
    decode_request,
    encode_error,
    encode_response,
)

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

CLIENT_ERROR_STATUS = 400
SERVER_ERROR_STATUS = 500


@dataclass(frozen=True)
class HttpAnswer:
    """Status code and JSON body of one response."""

    status: int
    body: bytes


class ApiDispatcher:
    """Calls the engine method behind each AWS operation (e.g. StartExecution -> `engine.start_execution`)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def handle(self, target: str | None, body: bytes) -> HttpAnswer:
        """Answer one AWS JSON 1.0 request; never raises."""
        try:
            call = decode_request(target, body)
            result = self._invoke(call)
            return HttpAnswer(200, encode_response(result if result is not None else {}))
        except ProtocolError as error:
            return HttpAnswer(CLIENT_ERROR_STATUS, encode_error(error.code, error.message))
        except ApiError as error:
            return HttpAnswer(CLIENT_ERROR_STATUS, encode_error(error.code, error.message))
        except Exception as error:  # an engine bug must not kill the server; the caller sees a 500
            logger.exception("Unexpected error while handling %s", target)
            message = f"{type(error).__name__}: {error}"
            return HttpAnswer(SERVER_ERROR_STATUS, encode_error("InternalFailure", message))

    def _invoke(self, call: ApiCall) -> Any:
        method = getattr(self._engine, call.method_name, None)
        if method is None or not callable(method):
            raise UnknownOperationError(f"Operation {call.operation} is not supported by the local engine")
        arguments = _arguments_accepted_by(method, call)
        return method(**arguments)


def _arguments_accepted_by(method: Callable[..., Any], call: ApiCall) -> dict[str, Any]:
    """Keep the parameters the engine method declares; AWS-only options it does not model are ignored."""
    parameters = _declared_parameters(getattr(method, "__func__", method))
    if parameters is None:
        return call.arguments
    accepted = {name: value for name, value in call.arguments.items() if name in parameters}
    ignored = sorted(set(call.arguments) - set(accepted))
    if ignored:
        logger.debug("%s: ignoring parameters the engine does not model: %s", call.operation, ignored)
    return accepted


@cache
def _declared_parameters(function: Callable[..., Any]) -> frozenset[str] | None:
    """The parameter names `function` declares, or None when it takes any keyword (`**kwargs`).

    Cached: reading a signature costs about a third of answering a small call.
    """
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return None
    return frozenset(parameters)

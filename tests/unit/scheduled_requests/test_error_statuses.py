"""Every reason the front door refuses a request carries its HTTP status; none can fall back to a 500."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest

from functions.scheduled_requests.front_door import errors
from functions.scheduled_requests.front_door.errors import ScheduleApiError, ScheduleNotFound
from functions.scheduled_requests.front_door.http import error_response
from functions.scheduled_requests.front_door.models import ErrorCode
from functions.scheduled_requests.front_door.openapi import openapi_document


def refusals() -> list[type[ScheduleApiError]]:
    """Every subclass of ScheduleApiError, however deep."""
    found: list[type[ScheduleApiError]] = []
    pending = list(ScheduleApiError.__subclasses__())
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_every_refusal_has_a_status_the_openapi_document_lists() -> None:
    # Given every kind of refusal, and the statuses the document lists for the operations
    kinds = refusals()
    documented = {
        int(status)
        for item in openapi_document()["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
    }

    # Then the module's refusals are all found, and each answers with a documented status, never a 500
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, ScheduleApiError) and value is not ScheduleApiError
    }
    assert defined <= set(kinds)
    assert {kind.__name__: kind.status for kind in kinds if kind.status not in documented} == {}
    assert all(kind.status != HTTPStatus.INTERNAL_SERVER_ERROR for kind in kinds)


@pytest.mark.parametrize("status", [None, HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.OK, 404])
def test_a_refusal_without_its_own_error_status_cannot_be_defined(status: object) -> None:
    # When a refusal is defined without a status, with 500, with a success or with a bare number
    # Then the definition itself fails, naming what is missing
    with pytest.raises(TypeError, match="must declare `status`"):
        type("NewRefusal", (ScheduleApiError,), {} if status is None else {"status": status})


def test_the_base_class_is_not_raised() -> None:
    # When the base class is raised as it is, Then it is refused: only a subclass says the status
    with pytest.raises(TypeError, match="subclass"):
        ScheduleApiError(ErrorCode.NOT_FOUND, "no such thing")


def test_an_error_answer_has_the_status_of_its_class_and_the_documented_body() -> None:
    # When a refusal is turned into an answer
    response = error_response(ScheduleNotFound("abc"))

    # Then it has the class's status and the error body
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert json.loads(str(response.body)) == {"error": "NOT_FOUND", "message": "no schedule with id 'abc'"}

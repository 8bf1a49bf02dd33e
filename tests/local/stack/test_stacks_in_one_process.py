"""Two stacks one after the other in one process (tests, a restart in place): the second one's functions
talk to its own services, not to the first one's, whatever their libraries cached."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

from catalog.consent_deletion import CONSENT_DELETION, REQUEST_DELETION, VENDOR_API_KEY
from local.stack import LocalStack
from local.stack.function_environment import FunctionVariables, function_environment
from tests.local.stack.conftest import quiet_config


def _read_vendor_key_as_the_function_does(stack: LocalStack) -> str:
    workflow = stack.workflows[CONSENT_DELETION.name]
    function = workflow.function(REQUEST_DELETION)
    with function_environment(FunctionVariables(dict(function.environment))):
        value = parameters.get_secret(workflow.resources.secret_arns[VENDOR_API_KEY], force_fetch=True)
    return str(value)


def test_a_second_stack_reads_its_secrets_from_its_own_aws_services() -> None:
    # Given a stack whose function read the vendor's key (Powertools made a client for that stack's moto)
    with LocalStack(quiet_config()) as first:
        first_key = _read_vendor_key_as_the_function_does(first)

    # When a second stack starts in the same process and its function reads the key again
    with LocalStack(quiet_config()) as second:
        second_key = _read_vendor_key_as_the_function_does(second)

    # Then it got it from its own services (the first stack's are gone: a stale client would be refused)
    assert second_key == first_key

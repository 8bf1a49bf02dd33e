"""`python -m local consent revoke CUSTOMER`: revoke a customer's analytics consent in a running stack's
Customers table, through DynamoDB on the embedded AWS services, as the product would. The table's stream
then starts the customer's ConsentDeletion execution.

    python -m local consent revoke C-1001
"""

from __future__ import annotations

import argparse
from typing import Any

from botocore.exceptions import ClientError

from catalog.consent_deletion import CONSENT_DELETION, CUSTOMERS_TABLE
from functions.consent_deletion.stream_trigger.logic import CONSENT_ATTRIBUTE as CONSENT
from functions.consent_deletion.stream_trigger.models import CUSTOMER_ID_ATTRIBUTE as CUSTOMER_ID
from local.cli import CommandError
from local.inspector.clients import (
    DEFAULT_AWS_URL,
    Endpoint,
    aws_client,
    aws_services_endpoint,
    http_url,
    reporting_failures,
)
from local.inspector.output import Output
from local.stack.naming import resource_name


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `consent` subcommand with its `revoke` action."""
    parser = subcommands.add_parser(
        "consent",
        help="revoke a customer's analytics consent in the Customers table of a running stack",
        description="Change the Customers table of a running `python -m local up` through DynamoDB.",
    )
    parser.add_argument(
        "--aws-endpoint",
        type=http_url,
        default=DEFAULT_AWS_URL,
        help=f"the stack's AWS services (moto) URL (default: {DEFAULT_AWS_URL})",
    )
    actions = parser.add_subparsers(dest="consent_action", required=True, metavar="ACTION")
    revoke = actions.add_parser(
        "revoke",
        help="set analyticsConsent to false (creating a consenting customer first if there is none)",
    )
    revoke.add_argument("customer", metavar="CUSTOMER", help="the customerId, e.g. C-1001")
    revoke.add_argument("--aws-endpoint", type=http_url, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    revoke.set_defaults(run=run_revoke)


def customers_table() -> str:
    """The Customers table's name in the local stack."""
    return resource_name(CONSENT_DELETION, CUSTOMERS_TABLE)


def run_revoke(args: argparse.Namespace) -> int:
    """Set the customer's consent to false, so that the stream reports a revocation."""
    endpoint = aws_services_endpoint(args.aws_endpoint)
    table = customers_table()
    key = {CUSTOMER_ID: {"S": args.customer}}
    output = Output()
    with reporting_failures(endpoint):
        dynamodb = aws_client("dynamodb", endpoint)
        item = _item(dynamodb, table, key, endpoint)
        if item is None:
            dynamodb.put_item(TableName=table, Item={**key, CONSENT: {"BOOL": True}})
            output.line(f"{args.customer} was not in {table}: added as consenting ({CONSENT} = true)")
        elif item.get(CONSENT) != {"BOOL": True}:
            output.line(
                f"{args.customer} does not consent ({CONSENT} is not true): "
                "nothing to revoke, no deletion starts"
            )
            return 0
        try:
            dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression=f"SET {CONSENT} = :revoked",
                ConditionExpression=f"{CONSENT} = :consenting",
                ExpressionAttributeValues={":revoked": {"BOOL": False}, ":consenting": {"BOOL": True}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            output.line(
                f"{args.customer}: consent was revoked meanwhile by someone else; no second deletion starts"
            )
            return 0
    output.line(f"{args.customer}: {CONSENT} true -> false in {table}")
    output.line(
        f"The table's stream starts a {CONSENT_DELETION.name} execution named {args.customer}-...; "
        f"see it with: python -m local executions list --machine {CONSENT_DELETION.name}"
    )
    return 0


def _item(dynamodb: Any, table: str, key: dict[str, Any], endpoint: Endpoint) -> dict[str, Any] | None:
    try:
        answer = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        raise CommandError(
            f"there is no table {table} at {endpoint.url}: is it the AWS services address "
            f"`python -m local up` printed? (check {endpoint.option})"
        ) from error
    item: dict[str, Any] | None = answer.get("Item")
    return item

"""What a customer does in the Customers table, as a client of a running stack's AWS services would."""

from __future__ import annotations

from catalog.consent_deletion import CONSENT_DELETION, CUSTOMERS_TABLE
from local.stack.naming import resource_name
from tests.local.stack.conftest import client


def revoke_consent(aws_url: str, customer_id: str) -> None:
    """A consenting customer revokes analytics consent: the table's stream starts a deletion."""
    dynamodb = client("dynamodb", aws_url)
    table = resource_name(CONSENT_DELETION, CUSTOMERS_TABLE)
    key = {"customerId": {"S": customer_id}}
    dynamodb.put_item(TableName=table, Item={**key, "analyticsConsent": {"BOOL": True}})
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET analyticsConsent = :revoked",
        ExpressionAttributeValues={":revoked": {"BOOL": False}},
    )

"""What a customer does in the Customers table, as a client of a running stack's AWS services would."""

from __future__ import annotations

from typing import Any

from catalog.consent_deletion import CONSENT_DELETION, CUSTOMERS_TABLE
from local.stack.naming import resource_name


def revoke_consent(dynamodb: Any, customer_id: str) -> None:
    """A consenting customer revokes analytics consent (`dynamodb`: a boto3 client of the stack's
    services): the table's stream starts a deletion."""
    table = resource_name(CONSENT_DELETION, CUSTOMERS_TABLE)
    key = {"customerId": {"S": customer_id}}
    dynamodb.put_item(TableName=table, Item={**key, "analyticsConsent": {"BOOL": True}})
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET analyticsConsent = :revoked",
        ExpressionAttributeValues={":revoked": {"BOOL": False}},
    )

"""Handlers of the sample catalog entry in test_any_catalog_entry.py."""

from __future__ import annotations

import os
from typing import Any


def greet(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Greets with the word its environment declares, and says which function it is."""
    return {
        "greeting": f"{os.environ['GREETING']}, {event['name']}",
        "functionName": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
    }

"""Deterministic Step Functions execution names that are valid whatever text they are derived from.

Step Functions allows 1-80 characters and recommends only ``[0-9A-Za-z_-]`` (other characters
break CloudWatch metrics and log filters). A name is a readable, sanitised label followed by a
digest of the full identity, so the label helps a person searching the console while the digest
keeps distinct identities apart even when their labels sanitise or truncate to the same text.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Final

MAX_EXECUTION_NAME_LENGTH: Final = 80
VALID_EXECUTION_NAME: Final = re.compile(r"[0-9A-Za-z_-]{1,80}")

_DISALLOWED_RUN: Final = re.compile(r"[^0-9A-Za-z_-]+")
# 128 bits of SHA-256: collisions are negligible for any realistic number of executions.
_DIGEST_LENGTH: Final = 32
_LABEL_LENGTH: Final = MAX_EXECUTION_NAME_LENGTH - _DIGEST_LENGTH - 1


def build_execution_name(label: str, *identity: str) -> str:
    """Return a valid execution name that is a pure function of ``label`` and ``identity``.

    Example:
        >>> build_execution_name("customer 42", "event-1")  # doctest: +ELLIPSIS
        'customer_42-...'
    """
    # JSON of a list of strings is an unambiguous encoding: ("a", "bc") and ("ab", "c") differ.
    encoded_identity = json.dumps([label, *identity]).encode("ascii")
    digest = hashlib.sha256(encoded_identity).hexdigest()[:_DIGEST_LENGTH]
    readable = _DISALLOWED_RUN.sub("_", label)[:_LABEL_LENGTH]
    return f"{readable}-{digest}" if readable else digest

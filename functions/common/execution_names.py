"""Step Functions execution names: random ones, and deterministic ones derived from arbitrary keys.

A name is at most 80 characters from [0-9A-Za-z_-]. (Step Functions accepts a few more characters, but
CloudWatch Logs and some consoles do not, so names we generate stay within this set.)
"""

from __future__ import annotations

import hashlib
import re
import uuid

EXECUTION_NAME_MAX_LENGTH = 80
_EXECUTION_NAME = re.compile(r"[0-9A-Za-z_-]{1,80}")
_RANDOM_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SHA256_HEX_LENGTH = 64


def is_valid_execution_name(name: str) -> bool:
    """True when `name` is a well-formed execution name in the character set we use."""
    return _EXECUTION_NAME.fullmatch(name) is not None


def random_execution_name() -> str:
    """A fresh UUID4 string (36 characters)."""
    return str(uuid.uuid4())


def is_random_execution_name(name: str) -> bool:
    """True when `name` has the exact shape `random_execution_name` produces."""
    return _RANDOM_NAME.fullmatch(name) is not None


def hashed_execution_name(prefix: str, key: str) -> str:
    """A deterministic name for any text key: `prefix` + the SHA-256 hex digest of the key.

    The same key always gives the same name, so at-least-once callers cannot start duplicates,
    and the name stays valid whatever characters or length the key has.

    Example:
        >>> hashed_execution_name("idem-", "order-42")[:5]
        'idem-'
    """
    if not is_valid_execution_name(prefix) or len(prefix) > EXECUTION_NAME_MAX_LENGTH - _SHA256_HEX_LENGTH:
        raise ValueError(f"unusable execution name prefix: {prefix!r}")
    # surrogatepass: a str may hold lone surrogates (e.g. decoded from JSON); every key still hashes.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return prefix + digest


def is_hashed_execution_name(prefix: str, name: str) -> bool:
    """True when `name` has the exact shape `hashed_execution_name(prefix, ...)` produces."""
    digest = name.removeprefix(prefix)
    return (
        name.startswith(prefix)
        and len(digest) == _SHA256_HEX_LENGTH
        and all(character in "0123456789abcdef" for character in digest)
    )

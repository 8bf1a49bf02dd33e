"""Keeps a local-runtime process away from real AWS: fake credentials, no profiles, no instance metadata."""

from __future__ import annotations

import os
from collections.abc import Mapping

from local.stack.config import REGION

FAKE_AWS_ENVIRONMENT: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    # A developer's ~/.aws may name a profile, a region or endpoints; none of it applies here.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
_REAL_CREDENTIAL_SOURCES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def use_fake_aws_credentials() -> None:
    """Replace any AWS credentials of this process with fake ones (call before any boto3 client exists)."""
    for name in _REAL_CREDENTIAL_SOURCES:
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS_ENVIRONMENT)

"""Named errors of the third-party deletion API client.

The class names are the error names Step Functions sees (a Lambda reports an uncaught exception
by its class name), so the ASL retries and catches on them: keep them stable.

- ``ThirdPartyUnavailable``: transient (5xx, 429, timeouts, connection failures); retry later.
- ``ThirdPartyRejected``: the vendor refused the request (other 4xx); retrying will not help.
- ``ThirdPartyContractError``: the vendor answered in a shape we do not understand (their
  schema changed); never retried blindly, a person has to look.
- ``ThirdPartyConfigurationError``: our side is misconfigured (unusable URL or API key).
"""

from __future__ import annotations


class ThirdPartyError(Exception):
    """Base class of every error raised by the third-party deletion API client."""


class ThirdPartyUnavailable(ThirdPartyError):
    """The vendor could not serve the request now; the same request may succeed later.

    ``retry_after`` is the vendor's ``Retry-After`` in seconds from now, when it sent one.
    """

    def __init__(self, message: str, *, status_code: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


class ThirdPartyRejected(ThirdPartyError):
    """The vendor refused the request with a 4xx status other than 429."""

    def __init__(self, message: str, *, status_code: int):
        super().__init__(message)
        self.status_code = status_code


class ThirdPartyContractError(ThirdPartyError):
    """The vendor's answer does not match the contract we were built against."""


class ThirdPartyConfigurationError(ThirdPartyError):
    """The client cannot call the vendor because of its own configuration."""

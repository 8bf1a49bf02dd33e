"""Error types of the local Step Functions engine.

`StatesError` is a runtime error inside an execution (what a Catch/Retry sees); `ApiError` is what a
caller of the Step Functions API receives, with `.code` named exactly as AWS names it in `__type`.
"""

from __future__ import annotations


class StatesError(Exception):
    """A runtime error raised while an execution runs (e.g. States.Runtime, States.TaskFailed)."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class EvaluationFailure(StatesError):
    """A failure AWS records with an EvaluationFailed event naming the field it was evaluating."""

    def __init__(self, error: str, cause: str, location: str) -> None:
        super().__init__(error, cause)
        self.location = location


class ApiError(Exception):
    """An API-level error; `.code` is the AWS error code (e.g. "ExecutionDoesNotExist")."""

    code: str = "ValidationException"

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

"""Environment variables as a validated, immutable Pydantic model: how every function reads its settings.

Each settings class declares its variables as fields whose alias is the full variable name, so a search for
the name finds the field. `from_environ()` reads `os.environ` when it is called (at the first invocation,
never at import); a missing or malformed variable fails loudly, naming the variable.

Not pydantic-settings: the Schedule API's functions deploy with the Powertools layer alone, which has
pydantic but not pydantic-settings, and this is all the functions need of it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError


class SettingsError(RuntimeError):
    """The environment does not hold a valid configuration for a function."""


class EnvironmentSettings(BaseModel):
    """Base for a function's configuration; fields name their environment variable as alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_by_alias=True, validate_by_name=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Validate the configuration from `environ` (default: the process environment).

        Raises SettingsError naming every variable that is missing or malformed.
        """
        source = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(source))
        except ValidationError as error:
            problems = "; ".join(
                ": ".join(filter(None, [".".join(str(part) for part in problem["loc"]), problem["msg"]]))
                for problem in error.errors()
            )
            raise SettingsError(f"invalid environment for {cls.__name__}: {problems}") from error

"""The log level every workflow lets an operator tune, and the value its functions read it from."""

from __future__ import annotations

from catalog.model import Tunable, TunableValue

LOG_LEVEL_TUNABLE = Tunable(
    name="LogLevel",
    default="INFO",
    choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    description="Log level of the workflow's functions.",
)
LOG_LEVEL = TunableValue(LOG_LEVEL_TUNABLE.name)

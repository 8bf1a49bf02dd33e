"""Where the catalog finds the files it describes: resolved from here, never from the working directory."""

from __future__ import annotations

from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
"""The root that handler strings are relative to (``functions.x.y.handler``): the Lambda code asset's root."""

ASL_DIRECTORY = REPOSITORY_ROOT / "asl"
FUNCTIONS_PACKAGE = "functions"

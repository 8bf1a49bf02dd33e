"""The layer of third-party packages a catalog entry's functions need, built before synthesis.

`make synth` and `make deploy` build the directory (pip, for the Lambda platform) first. Synthesis never
downloads anything: without the directory it ships a placeholder and warns, and a deployment of that
template cannot succeed, because the deploy-time ledger migration imports the missing packages and fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aws_cdk import Annotations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from workflows import names

PLACEHOLDER_DIRECTORY = Path(__file__).resolve().parent / "placeholder_layer"
PACKAGES_DIRECTORY = "python"


class LayerBuildIncomplete(RuntimeError):
    """The layer directory exists but lacks a file the functions need."""


def dependencies_layer(
    scope: Construct,
    construct_id: str,
    *,
    directory: Path,
    required_files: Sequence[str],
    build_command: str,
    description: str,
) -> lambda_.LayerVersion:
    """The layer from ``directory``, or the placeholder (with a warning) when it has not been built."""
    built = (directory / PACKAGES_DIRECTORY).is_dir()
    if built and (missing := [name for name in required_files if not (directory / name).is_file()]):
        raise LayerBuildIncomplete(f"{directory} lacks {', '.join(missing)}: run `{build_command}` again")
    layer = lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(directory if built else PLACEHOLDER_DIRECTORY)),
        compatible_runtimes=[names.LAMBDA_RUNTIME],
        compatible_architectures=[names.LAMBDA_ARCHITECTURE],
        description=description,
    )
    if not built:
        Annotations.of(layer).add_warning_v2(
            "workflows:DependenciesLayerNotBuilt",
            f"{directory} is not built, so this template ships an empty placeholder layer and cannot be "
            f"deployed successfully: run `{build_command}` (make synth and make deploy do it).",
        )
    return layer

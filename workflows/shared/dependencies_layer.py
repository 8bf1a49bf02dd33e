"""The layer of third-party packages a catalog entry's functions need, built before synthesis.

`make synth` builds the packages (pip, for the Lambda platform, from PyPI) first, and `make deploy` also
fetches the files a deployment needs beyond them (the RDS certificate bundle). Synthesis itself never
downloads anything: without the directory it ships a placeholder, and without a required file it ships the
layer as it is; both warn, because a deployment of that template cannot succeed.
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
            f"deployed successfully: run `{build_command}` (make deploy does it).",
        )
    elif missing := [name for name in required_files if not (directory / name).is_file()]:
        Annotations.of(layer).add_warning_v2(
            "workflows:DependenciesLayerIncomplete",
            f"{directory} lacks {', '.join(missing)}, so this template cannot be deployed successfully: "
            f"run `{build_command}` (make deploy does it).",
        )
    return layer

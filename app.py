"""CDK entry point (cdk.json "app"): synthesize every stack of the project."""

from __future__ import annotations

from workflows.app import build_app

build_app().synth()

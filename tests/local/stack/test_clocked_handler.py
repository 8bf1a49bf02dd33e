"""The wrapper the local stack runs its functions in (`local.clocked_handler`), in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from catalog.locations import REPOSITORY_ROOT

METRIC_HANDLER = """
from aws_lambda_powertools import Metrics

metrics = Metrics(namespace="Local", service="counter")


@metrics.log_metrics
def handler(event, context):
    metrics.add_metric(name="Invocations", unit="Count", value=1)
    return event
"""

INVOKE_MANY = """
import types
import local.clocked_handler as wrapper

context = types.SimpleNamespace(client_context=None)
for number in range({invocations}):
    assert wrapper.handler(number, context) == number
print("invocations done")
"""


def run_invocations(tmp_path: Path, invocations: int, *, metrics_disabled: bool) -> str:
    """Invoke a handler that adds a metric `invocations` times through the wrapper; its standard output."""
    (tmp_path / "counter.py").write_text(METRIC_HANDLER)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPOSITORY_ROOT)]),
        "LOCAL_FUNCTION_HANDLER": "counter.handler",
        "POWERTOOLS_METRICS_DISABLED": "true" if metrics_disabled else "false",
    }
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(INVOKE_MANY.format(invocations=invocations))],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
    )
    return completed.stdout


def test_with_metrics_disabled_no_invocation_prints_metrics_however_many_run(tmp_path: Path) -> None:
    # Given a function that adds one metric per invocation, with POWERTOOLS_METRICS_DISABLED set
    # When it is invoked 250 times in one execution environment (Powertools publishes a metric set on its own
    # once a metric holds 100 values)
    output = run_invocations(tmp_path, 250, metrics_disabled=True)

    # Then nothing but the script's own line reaches standard output
    assert output.splitlines() == ["invocations done"]


def test_with_metrics_enabled_each_invocation_publishes_its_own_metrics(tmp_path: Path) -> None:
    # Given the same function with metrics enabled, When it is invoked 3 times
    output = run_invocations(tmp_path, 3, metrics_disabled=False)

    # Then each invocation printed one EMF document holding its one value
    documents = [line for line in output.splitlines() if line.startswith('{"_aws"')]
    assert len(documents) == 3
    assert all('"Invocations":[1.0]' in document for document in documents)

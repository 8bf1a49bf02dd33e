"""Cold import time of each Lambda handler module the catalog declares, as a Lambda init pays it.

Each module is imported in a fresh interpreter with `python -X importtime`, and the cumulative time of
its own line is reported (everything it pulled in: Powertools, boto3, pydantic, SQLAlchemy, ...).
Target: at most 150 ms each.

python -m bench import_time
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence

from bench.measurement import Measurement, format_table, to_json
from catalog import STATE_MACHINES

NAME = "import_time"
# What the Lambda runtime sets; handlers read their own settings lazily, at the first invocation.
_LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def cold_import_ms(module: str) -> float:
    """Milliseconds a fresh interpreter spends importing `module` and everything it imports."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **_LAMBDA_ENVIRONMENT},
    )
    for line in completed.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package"
        _, _, fields = line.partition("import time:")
        parts = [part.strip() for part in fields.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    raise RuntimeError(f"`python -X importtime` reported no line for {module}")


def run(repeats: int) -> list[Measurement]:
    """The median of `repeats` cold imports of each handler module."""
    modules = sorted(
        {function.module for machine in STATE_MACHINES.values() for function in machine.functions}
    )
    return [
        Measurement(NAME, module, statistics.median(cold_import_ms(module) for _ in range(repeats)), "ms")
        for module in modules
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench import_time", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    parser.add_argument("--repeats", type=int, default=5, help="cold imports per module (the median counts)")
    args = parser.parse_args(argv)
    measurements = run(args.repeats)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())

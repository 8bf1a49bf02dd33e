"""Cold import time of each Lambda handler module the catalog declares, as a deployed function's init pays it.

Each module is imported in a fresh interpreter with `python -X importtime`, after the standard modules
Lambda's Python runtime imports before any handler (`RUNTIME_IMPORTS`), and the cumulative time of its
own line is reported (everything else it pulled in: Powertools, boto3, pydantic, SQLAlchemy, ...); the
fastest of `--repeats` imports counts. Target: at most 150 ms each.

The environment is the one the CDK app deploys (workflows/shared/functions.py): Lambda's own variables,
active X-Ray tracing (so the Tracer is enabled and patches what the handler names, and the X-Ray SDK
takes its Lambda path, which builds no sampling client) and the catalog's constant variables. Nothing is
inherited from the shell, so a POWERTOOLS_TRACE_DISABLED there cannot make the figures look better.

The `floor` row is what every handler pays whatever its own code does: boto3, pydantic and Powertools'
Logger and Tracer, the Tracer enabled and patching botocore as deployed. On the 2-core machine of the
README's table (Python 3.11) it is about 115 ms: boto3 and botocore about 80, pydantic about 12, the
Logger about 6, the X-Ray SDK with its botocore patch about 15. A handler's own row adds the Powertools
utility it is built on and its models: 35 to 65 ms for most (the Schedule API's event handler with
validation and its models, the stream trigger's batch processor, idempotency, parameters), so they land
at 150 to 185 ms; the two ledger functions add SQLAlchemy Core with the PostgreSQL dialect and pg8000,
about 90 ms that every one of their invocations uses, and land at 265 to 280 ms. The 150 ms target is
out of reach for a reason outside our code: with active tracing, boto3 and pydantic it leaves a handler
35 ms above the floor, and only the alert mailer comes near it. Lambda runs Python 3.13: figures there
are likely lower.

python -m bench import_time
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Mapping, Sequence

from bench.measurement import Measurement, format_table, to_json
from catalog import STATE_MACHINES
from catalog.locations import REPOSITORY_ROOT
from catalog.model import Constant, Function

NAME = "import_time"
# What Lambda sets in the environment of a function with active tracing, before the handler is imported.
_LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    "LAMBDA_TASK_ROOT": str(REPOSITORY_ROOT),
    "TZ": ":UTC",
}
# What Lambda's Python runtime has imported when it imports the handler: the runtime interface client's
# bootstrap (awslambdaric: bootstrap.py, lambda_runtime_client.py, lambda_runtime_marshaller.py) imports
# these standard modules first, so a deployed handler's init does not pay for them.
RUNTIME_IMPORTS = ("concurrent.futures", "decimal", "importlib", "json", "logging", "traceback")
_RUNTIME_PRELUDE = f"import {', '.join(RUNTIME_IMPORTS)}"
# The libraries every handler imports, set up as a deployed handler sets them up; the script prints how long
# that took in milliseconds (what `-X importtime` would report as the cumulative time of one such module).
FLOOR = "floor"
_FLOOR_SCRIPT = f"""
{_RUNTIME_PRELUDE}
import time
started = time.perf_counter()
import boto3, pydantic
from aws_lambda_powertools import Logger, Tracer
Logger(service="floor")
Tracer(service="floor", patch_modules=("botocore",))
print((time.perf_counter() - started) * 1000)
"""


def deployed_environment(function: Function) -> dict[str, str]:
    """The variables a deployed `function` has when its handler module is imported."""
    constants = {
        name: value.value for name, value in function.environment.items() if isinstance(value, Constant)
    }
    return {
        **_LAMBDA_ENVIRONMENT,
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        **constants,
        "PATH": "/usr/bin:/bin",
    }


def cold_import_ms(module: str, environment: Mapping[str, str]) -> float:
    """Milliseconds a fresh interpreter spends importing `module` and everything it imports."""
    stderr = _run(["-X", "importtime", "-c", f"{_RUNTIME_PRELUDE}; import {module}"], environment).stderr
    for line in stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package"
        _, _, fields = line.partition("import time:")
        parts = [part.strip() for part in fields.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    raise RuntimeError(f"`python -X importtime` reported no line for {module}")


def floor_ms(environment: Mapping[str, str]) -> float:
    """Milliseconds a fresh interpreter spends on the imports and set-up of `_FLOOR_SCRIPT`.

    Under `-X importtime` too, so that its bookkeeping weighs on the floor as on the handlers.
    """
    return float(_run(["-X", "importtime", "-c", _FLOOR_SCRIPT], environment).stdout)


def _run(arguments: list[str], environment: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY_ROOT,
        env=dict(environment),
    )


def run(repeats: int) -> list[Measurement]:
    """The fastest of `repeats` cold imports of each handler module, and of the library floor.

    The fastest, not the median: other load on the machine only ever adds time to an import.
    """
    functions_by_module: dict[str, Function] = {}
    for machine in STATE_MACHINES.values():
        for function in machine.functions:
            functions_by_module.setdefault(function.module, function)
    measurements = []
    for module, function in sorted(functions_by_module.items()):
        environment = deployed_environment(function)
        fastest = min(cold_import_ms(module, environment) for _ in range(repeats))
        measurements.append(Measurement(NAME, module, fastest, "ms"))
    environment = deployed_environment(next(iter(functions_by_module.values())))
    floor = min(floor_ms(environment) for _ in range(repeats))
    return [*measurements, Measurement(NAME, FLOOR, floor, "ms")]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m bench import_time",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    parser.add_argument("--repeats", type=int, default=5, help="cold imports per module (the fastest counts)")
    args = parser.parse_args(argv)
    measurements = run(args.repeats)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())

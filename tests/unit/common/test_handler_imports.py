"""What each handler module imports when a deployed function's init imports it (tracing active, as in AWS).

The figures are bench/import_time's job; these tests hold the shape that keeps them low: no handler
loads the migration tooling, and only the functions that connect to the ledger load its database stack
(the X-Ray patching of SQLAlchemy and pg8000 used to bring them into every consent-deletion function).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from catalog import STATE_MACHINES
from catalog.locations import REPOSITORY_ROOT
from catalog.model import Function

NEVER_AT_INIT = ("alembic", "mako", "pydantic_settings", "sqlalchemy.orm", "requests")
DATABASE_STACK = ("sqlalchemy", "pg8000")
# What Lambda sets for a function with active tracing; without LAMBDA_TASK_ROOT the Tracer stays disabled.
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "function",
    "LAMBDA_TASK_ROOT": str(REPOSITORY_ROOT),
}
FUNCTIONS = {
    function.module: function for machine in STATE_MACHINES.values() for function in machine.functions
}


def modules_loaded_by_importing(module: str) -> set[str]:
    script = f"import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY_ROOT,
        env={"PATH": "/usr/bin:/bin", **LAMBDA_ENVIRONMENT},
    )
    return set(json.loads(completed.stdout))


@pytest.mark.parametrize("module", sorted(FUNCTIONS))
def test_a_deployed_handler_loads_only_what_its_invocations_use(module: str) -> None:
    # Given a handler module and whether its function connects to the ledger database
    function: Function = FUNCTIONS[module]

    # When a fresh interpreter imports it as a deployed function's init does
    loaded = modules_loaded_by_importing(module)

    # Then no migration tooling or unused library is loaded, and the database stack only where it is used
    assert sorted(name for name in NEVER_AT_INIT if name in loaded) == []
    assert {name: name in loaded for name in DATABASE_STACK} == dict.fromkeys(
        DATABASE_STACK, bool(function.databases)
    )

"""Each in-process Lambda function sees its own environment variables, as it would in its own sandbox.

Handlers read their configuration from `os.environ` (Pydantic settings, Powertools, botocore's endpoint
and region lookups). In one process, the simple way to give each function its variables is to set
`os.environ` around each call under a process-wide lock. That serialises every invocation and can
deadlock: a front-door call holding the lock waits on the Step Functions API, which waits for an
execution whose worker thread waits for the lock to invoke the processor.

Instead, `os.environ` keeps its identity (libraries such as botocore hold a reference to it) but its
class becomes `_ScopedEnviron`: inside `function_environment(variables)`, lookups see `variables` on
top of the process environment, and writes stay with the function. The scope is a context variable, so
concurrent invocations on different threads each see their own function's variables, without a lock.

Trade-offs, acceptable for a local runtime:
- Threads a handler starts itself begin with an empty context and see the process environment only.
- Native code reading the C-level environment (`getenv(3)`), and child processes, see the process
  environment only.
- Module-level state is per module, not per function: two functions sharing a handler module must
  declare the same environment (`LocalStack` checks this).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class FunctionVariables:
    """One function's variables: what it declares, plus what it changed or removed while running."""

    values: dict[str, str]
    removed: set[str] = field(default_factory=set)


_ACTIVE: ContextVar[FunctionVariables | None] = ContextVar("local_function_environment", default=None)


class _ScopedEnviron(os._Environ[str]):
    """`os.environ`, with the active function's variables layered over the process environment."""

    def __getitem__(self, key: str) -> str:
        scope = _ACTIVE.get()
        if scope is not None:
            if key in scope.values:
                return scope.values[key]
            if key in scope.removed:
                raise KeyError(key)
        value: str = super().__getitem__(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        scope = _ACTIVE.get()
        if scope is None:
            super().__setitem__(key, value)
            return
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"str expected, not {type(key).__name__}/{type(value).__name__}")
        scope.values[key] = value
        scope.removed.discard(key)

    def __delitem__(self, key: str) -> None:
        scope = _ACTIVE.get()
        if scope is None:
            super().__delitem__(key)
            return
        present = key in self
        scope.values.pop(key, None)
        scope.removed.add(key)
        if not present:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        scope = _ACTIVE.get()
        process_keys = list(super().__iter__())
        if scope is None:
            yield from process_keys
            return
        yield from list(scope.values)
        yield from (key for key in process_keys if key not in scope.values and key not in scope.removed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)


def install() -> None:
    """Make `os.environ` scope-aware; idempotent, and identical to before outside any scope."""
    if not isinstance(os.environ, _ScopedEnviron):
        os.environ.__class__ = _ScopedEnviron


@contextmanager
def function_environment(variables: FunctionVariables) -> Iterator[None]:
    """Run the body with `variables` layered over the process environment (in this context only)."""
    install()
    token = _ACTIVE.set(variables)
    try:
        yield
    finally:
        _ACTIVE.reset(token)

"""A local AWS Step Functions engine: ASL interpreter, history, clocks, stores and the API."""

from local.engine.clock import RealClock, SkipClock, VirtualClock
from local.engine.engine import Engine
from local.engine.errors import ApiError, StatesError
from local.engine.store_memory import MemoryStore
from local.engine.store_sqlite import SqliteStore

__all__ = [
    "ApiError",
    "Engine",
    "MemoryStore",
    "RealClock",
    "SkipClock",
    "SqliteStore",
    "StatesError",
    "VirtualClock",
]

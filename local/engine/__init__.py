"""A local AWS Step Functions engine: ASL interpreter, history, clocks, stores and the API."""

from local.engine.clock import Clock, RealClock, SkipClock, VirtualClock
from local.engine.engine import Engine
from local.engine.errors import ApiError, StatesError
from local.engine.store import Store
from local.engine.store_memory import MemoryStore
from local.engine.store_sqlite import SqliteStore
from local.engine.store_sqlite_schema import StoreVersionError

__all__ = [
    "ApiError",
    "Clock",
    "Engine",
    "MemoryStore",
    "RealClock",
    "SkipClock",
    "SqliteStore",
    "StatesError",
    "Store",
    "StoreVersionError",
    "VirtualClock",
]

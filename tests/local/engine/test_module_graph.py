"""The engine's module graph: no import cycles, and state types that do not know the interpreter."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "local" / "engine"
STATE_TYPE_MODULES = ("states", "state_task", "state_map", "state_parallel", "state_composite")


def _engine_imports() -> dict[str, set[str]]:
    """Engine modules each engine module imports, `if TYPE_CHECKING:` imports included."""
    modules = {path.stem for path in ENGINE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in ENGINE.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "local.engine":
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("local.engine."):
                imported.add((node.module or "").split(".")[2])
            elif isinstance(node, ast.Import):
                imported |= {
                    alias.name.split(".")[2] for alias in node.names if alias.name.startswith("local.engine.")
                }
        graph[path.stem] = (imported & modules) - {path.stem}
    return graph


def _cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    pending = [(start, [start])]
    seen: set[str] = set()
    while pending:
        module, trail = pending.pop()
        for imported in graph[module]:
            if imported == start:
                return [*trail, start]
            if imported not in seen:
                seen.add(imported)
                pending.append((imported, [*trail, imported]))
    return None


def test_no_engine_module_imports_itself_through_others() -> None:
    # Given the imports between engine modules, type-checking imports included
    graph = _engine_imports()

    # When each module's imports are followed
    cycles = [cycle for module in sorted(graph) if (cycle := _cycle_through(graph, module))]

    # Then none leads back to where it started
    assert cycles == []


def test_state_types_see_the_interpreter_only_through_the_runner_protocol() -> None:
    # Given the imports of the modules that implement state types
    graph = _engine_imports()

    # Then none of them imports the interpreter or the driver
    assert {module: graph[module] & {"interpreter", "driver"} for module in STATE_TYPE_MODULES} == {
        module: set() for module in STATE_TYPE_MODULES
    }

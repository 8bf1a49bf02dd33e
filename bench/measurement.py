"""What a benchmark reports: named numbers with units, printable as a table or as JSON."""

from __future__ import annotations

import json
import resource
from dataclasses import asdict, dataclass
from pathlib import Path

_PROC_STATUS = Path("/proc/self/status")


@dataclass(frozen=True)
class Measurement:
    """One number a benchmark produced."""

    benchmark: str
    metric: str
    value: float
    unit: str


def to_json(measurements: list[Measurement]) -> str:
    """One JSON line holding every measurement (read back by `python -m bench`)."""
    return json.dumps([asdict(m) for m in measurements])


def from_json(text: str) -> list[Measurement]:
    """Inverse of `to_json`."""
    return [Measurement(**item) for item in json.loads(text)]


def format_table(measurements: list[Measurement]) -> str:
    """A plain-text table, one measurement per row."""
    rows = [("benchmark", "metric", "value", "unit")]
    rows += [(m.benchmark, m.metric, _format_value(m.value), m.unit) for m in measurements]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            row[1].ljust(widths[1]),
            row[2].rjust(widths[2]),
            row[3].ljust(widths[3]),
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def current_rss_mb() -> float:
    """Resident set size of this process now, in MiB (Linux), else the peak."""
    if _PROC_STATUS.exists():
        for line in _PROC_STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _format_value(value: float) -> str:
    if value == int(value) and abs(value) >= 100:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.1f}"

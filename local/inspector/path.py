"""The path taken, shortened where a loop went round the same way many times (a status check every few
minutes for three days is hundreds of identical visits): the first round is kept and the others are
summed up in one `LoopRounds` entry.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from local.inspector.history import StateVisit

LONGEST_LOOP = 8
"""The most states a collapsed round may have."""
FEWEST_ROUNDS = 5
"""Fewer rounds than this are shown in full (a few reschedules read better one by one)."""


@dataclass(frozen=True)
class LoopRounds:
    """Rounds of a loop that went exactly like the round shown just before it."""

    visits: Sequence[StateVisit]
    """Every visit of these rounds."""
    round_length: int
    """How many states one round visits."""

    @property
    def rounds(self) -> int:
        """How many rounds are summed up."""
        return len(self.visits) // self.round_length


def visit_key(execution_status: str) -> Callable[[StateVisit], Hashable]:
    """Two visits are alike when they are of the same state, at the same depth, with the same outcome."""
    return lambda visit: (visit.depth, visit.name, visit.outcome(execution_status))


def collapse_loops(
    visits: Sequence[StateVisit], key: Callable[[StateVisit], Hashable]
) -> list[StateVisit | LoopRounds]:
    """`visits` with each run of FEWEST_ROUNDS or more identical rounds reduced to its first round and a
    LoopRounds for the rest."""
    keys = [key(visit) for visit in visits]
    shown: list[StateVisit | LoopRounds] = []
    start = 0
    while start < len(visits):
        length, rounds = _longest_repetition(keys, start)
        if rounds >= FEWEST_ROUNDS:
            shown += visits[start : start + length]
            shown.append(LoopRounds(visits[start + length : start + length * rounds], length))
            start += length * rounds
        else:
            shown.append(visits[start])
            start += 1
    return shown


def _longest_repetition(keys: Sequence[Hashable], start: int) -> tuple[int, int]:
    """(round length, rounds) of the repetition starting at `start` that covers the most visits."""
    best = (1, 1)
    for length in range(1, LONGEST_LOOP + 1):
        block = keys[start : start + length]
        if len(block) < length:
            break
        rounds = 1
        while keys[start + rounds * length : start + (rounds + 1) * length] == block:
            rounds += 1
        if rounds >= FEWEST_ROUNDS and length * rounds > best[0] * best[1]:
            best = (length, rounds)
    return best

"""One computation per key at a time, in this process.

Right after an import every session's next view asks for the same new-version results at once
(the named queries over the whole dataset, the privacy cells, the derived tables). Without
this, each session's thread computed them side by side on the same interpreter: twenty copies
of one piece of work, and every run waited for all of them. With it, the first thread computes
and the others wait for it, then find its result in the memo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class SingleFlight:
    """Per-key turns: `flights.once(key, lookup, build)` builds only what no one has built."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._turns: dict[Hashable, list] = {}  # key -> [its lock, threads holding or waiting]

    @contextmanager
    def turn(self, key: Hashable) -> Iterator[None]:
        with self._guard:
            entry = self._turns.setdefault(key, [threading.RLock(), 0])
            entry[1] += 1
        try:
            with entry[0]:  # re-entrant: a computation may ask for its own key again
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if not entry[1]:
                    del self._turns[key]

    def once(self, key: Hashable, lookup: Callable[[], T | None], build: Callable[[], T]) -> T:
        """What `lookup()` finds; else `build()` (which also keeps it where lookup looks),
        in this key's turn, unless a thread ahead in the turn built it meanwhile."""
        hit = lookup()
        if hit is None:
            with self.turn(key):
                hit = lookup()
                if hit is None:
                    hit = build()
        return hit

    def waiting(self) -> int:
        """Keys with a turn going (for tests)."""
        with self._guard:
            return len(self._turns)

"""Per-minute counts of the two deferrals that mean "authlib failed": for the Workers pane.

`s_connect() failed` (maildrop could not reach authdaemond) and `Temporary
authentication failure` (it got no answer), taken from Postfix's pipe lines for the
maildrop transports, as classified by the log sources.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui.core.logs.kind import Kind

if TYPE_CHECKING:
    from tui.core.logs.entry import LogEntry

S_CONNECT = "s_connect"
TEMPFAIL = "tempfail"
_TEMPFAIL_IDS = frozenset({"maildrop-tempfail", "maildrop-tempfail-timeout"})


def deferral_kind(entry: LogEntry) -> str | None:
    if entry.kind is not Kind.DELIVERY or entry.signature is None:
        return None
    if entry.signature.id.startswith("s-connect"):
        return S_CONNECT
    if entry.signature.id in _TEMPFAIL_IDS:
        return TEMPFAIL
    return None


class DeferralCounts:
    """Counts per minute; minutes older than `keep_minutes` are forgotten."""

    def __init__(self, keep_minutes: int = 60) -> None:
        self.keep_minutes = keep_minutes
        self._counts: Counter[tuple[int, str]] = Counter()
        self._lock = threading.Lock()

    def add(self, entries: Iterable[LogEntry]) -> None:
        with self._lock:
            for entry in entries:
                kind = deferral_kind(entry)
                if kind is not None and entry.timestamp is not None:
                    self._counts[(int(entry.timestamp // 60), kind)] += 1

    def last_minutes(self, now: float, minutes: int = 5) -> list[tuple[int, int]]:
        """(s_connect, tempfail) for each of the last `minutes` minutes, oldest first."""
        current = int(now // 60)
        with self._lock:
            for key in [key for key in self._counts if key[0] <= current - self.keep_minutes]:
                del self._counts[key]
            return [
                (self._counts[(minute, S_CONNECT)], self._counts[(minute, TEMPFAIL)])
                for minute in range(current - minutes + 1, current + 1)
            ]

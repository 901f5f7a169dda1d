"""Per-minute counts of what the log says went wrong: one counter for every pane that shows them.

The Workers pane and the x-ray read the two deferrals that mean "authlib failed"
(`s_connect() failed`: maildrop could not reach authdaemond; `Temporary
authentication failure`: it got no answer), taken from Postfix's pipe lines for the
maildrop transports. The Logs pane reads errors and every deferral or bounce. Each
line is counted once, here, as the monitor's log batches arrive.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui.core.logs.kind import Kind
from tui.core.logs.level import level_of

if TYPE_CHECKING:
    from tui.core.logs.entry import LogEntry

S_CONNECT = "s_connect"
TEMPFAIL = "tempfail"
ERRORS = "error"  # lines of level error
DEFERRED = "deferred"  # a maildrop delivery Postfix deferred, whatever the reason
BOUNCED = "bounced"  # a maildrop delivery Postfix bounced: mail lost for the sender
_TEMPFAIL_IDS = frozenset({"maildrop-tempfail", "maildrop-tempfail-timeout"})


def deferral_kind(entry: LogEntry) -> str | None:
    if entry.kind is not Kind.DELIVERY or entry.signature is None:
        return None
    if entry.signature.id.startswith("s-connect"):
        return S_CONNECT
    if entry.signature.id in _TEMPFAIL_IDS:
        return TEMPFAIL
    return None


def counted_as(entry: LogEntry) -> Iterable[str]:
    """The counters one entry adds to."""
    if level_of(entry) == "error":
        yield ERRORS
    delivery = entry.delivery
    if delivery is not None and delivery.status in (DEFERRED, BOUNCED):
        yield delivery.status
    kind = deferral_kind(entry)
    if kind is not None:
        yield kind


class DeferralCounts:
    """Counts per minute; minutes older than `keep_minutes` are forgotten."""

    def __init__(self, keep_minutes: int = 60) -> None:
        self.keep_minutes = keep_minutes
        self._counts: Counter[tuple[int, str]] = Counter()
        self._lock = threading.Lock()

    def add(self, entries: Iterable[LogEntry]) -> None:
        with self._lock:
            for entry in entries:
                if entry.timestamp is None:
                    continue
                minute = int(entry.timestamp // 60)
                for key in counted_as(entry):
                    self._counts[(minute, key)] += 1

    def _forget_old(self, current: int) -> None:
        for key in [key for key in self._counts if key[0] <= current - self.keep_minutes]:
            del self._counts[key]

    def last_minutes(self, now: float, minutes: int = 5) -> list[tuple[int, int]]:
        """(s_connect, tempfail) for each of the last `minutes` minutes, oldest first."""
        current = int(now // 60)
        with self._lock:
            self._forget_old(current)
            return [
                (self._counts[(minute, S_CONNECT)], self._counts[(minute, TEMPFAIL)])
                for minute in range(current - minutes + 1, current + 1)
            ]

    def per_minute(self, now: float, keys: tuple[str, ...], minutes: int = 60) -> list[int]:
        """The sum of `keys` for each of the last `minutes` minutes, oldest first."""
        current = int(now // 60)
        with self._lock:
            self._forget_old(current)
            return [sum(self._counts[(minute, key)] for key in keys)
                    for minute in range(current - minutes + 1, current + 1)]

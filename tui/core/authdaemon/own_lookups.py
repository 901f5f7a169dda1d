"""Lookups this process makes over authdaemond's socket, counted so they are never taken for load.

The app looks addresses up itself: the health pass (the probe address, queued and
bounced recipients), the Lookup pane, the Workers pane's probe. A worker serving one
of those holds an accepted connection, so the pool sample rightly sees it busy; but
judging whether *other* clients use the pool, it must not count. Every request
`AuthdaemonClient` sends is marked here, so no lookup site can forget to.

A worker closes its end just after it has answered, so a worker may still hold our
connection a moment after the lookup has returned. A reader therefore asks for the
lookups in flight now *and* those that ended since its previous reading: either may
be behind a busy worker it sees.

Counted per socket (resolved path): a lookup against another daemon cannot hold this
one's workers. The lock is held for a few integer updates only.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def _key(socket_path: str | os.PathLike[str]) -> str:
    return _resolved(os.fspath(socket_path))


@functools.lru_cache(maxsize=32)
def _resolved(socket_path: str) -> str:
    """One name per socket file, however it was spelled (/var/run vs /run, relative).

    Resolved once per spelling: resolving walks every directory of the path, and the
    sampler asks every second.
    """
    return os.path.realpath(socket_path)


@dataclass(frozen=True, slots=True)
class OwnLookupsReading:
    """The register for one socket at one moment."""

    in_flight: int  # requests of ours on the socket now
    ended: int  # a running total: two readings' difference is how many ended in between

    def since(self, previous: OwnLookupsReading | None) -> int:
        """How many of our lookups may hold a worker now: those in flight, and those that
        ended after `previous` was read (without a previous reading, only those in flight)."""
        if previous is None:
            return self.in_flight
        return self.in_flight + self.ended - previous.ended


class OwnLookups:
    """A thread-safe count of this process's lookups, per socket: in flight and ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._ended: Counter[str] = Counter()

    @contextmanager
    def marked(self, socket_path: str | os.PathLike[str]) -> Iterator[None]:
        """Count the block as one lookup of ours on `socket_path`, from connect to close."""
        key = _key(socket_path)
        with self._lock:
            self._in_flight[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[key] -= 1
                self._ended[key] += 1

    def reading(self, socket_path: str | os.PathLike[str]) -> OwnLookupsReading:
        key = _key(socket_path)
        with self._lock:
            return OwnLookupsReading(self._in_flight[key], self._ended[key])


# The process's one register: every AuthdaemonClient marks its requests here.
OWN_LOOKUPS = OwnLookups()

"""A log follower run on its own thread, as the app runs it, for the follow tests.

Shared by the file and the journal follower tests. `start` positions the follower
at the end before the thread runs (`start_at_end`), so a line the test writes right
after is delivered however late the thread gets going: no sleep to hope it did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from tui.core.logs.entry import LogEntry

WAIT = 5.0  # seconds a followed line may take to arrive before the test fails


class Follower(Protocol):
    def start_at_end(self) -> None: ...

    def follow(self, on_entries: Callable[[list[LogEntry]], None], stop: threading.Event,
               on_event: Callable[[str], None] | None = None) -> None: ...


@dataclass
class Following:
    """What one follower delivered, and when each entry arrived."""

    follower: Follower
    stop: threading.Event = field(default_factory=threading.Event)
    entries: list[LogEntry] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None

    def start(self) -> Following:
        self.follower.start_at_end()
        self.thread = threading.Thread(
            target=self.follower.follow, args=(self._receive, self.stop, self._event),
            name="test-follower", daemon=True)
        self.thread.start()
        return self

    def _receive(self, entries: list[LogEntry]) -> None:
        with self.lock:
            self.entries.extend(entries)
            self.arrivals.extend(time.monotonic() for _ in entries)

    def _event(self, text: str) -> None:
        with self.lock:
            self.events.append(text)

    def messages(self) -> list[str]:
        with self.lock:
            return [entry.message for entry in self.entries]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what}; got {self.messages()!r}, events {self.events}")
            time.sleep(0.01)

    def wait_messages(self, *expected: str) -> None:
        self.wait_for(lambda: all(m in self.messages() for m in expected), f"{expected}")

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
            assert not self.thread.is_alive(), "follow() did not return after stop was set"


@contextmanager
def followers() -> Iterator[Callable[[Follower], Following]]:
    """Start followers; every one is stopped and joined at the end."""
    started: list[Following] = []

    def start(follower: Follower) -> Following:
        following = Following(follower).start()
        started.append(following)
        return following

    try:
        yield start
    finally:
        for following in started:
            following.close()

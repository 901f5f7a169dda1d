"""The one fan-out: every observation goes to every subscriber, in publication order.

Publishers are the monitor's threads (and the app, for fixes and the incident
mark); subscribers must be cheap and thread-safe (append, count, post a message),
since they run on the publisher's thread. A subscriber that raises is reported
through `on_error` and never stops the others or the publisher.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.monitor.observations import LogBatch, Observation

Subscriber = Callable[[Observation], None]
ErrorHandler = Callable[[Subscriber, BaseException], None]


def _ignore(_subscriber: Subscriber, _error: BaseException) -> None:
    return None


class ObservationStream:
    def __init__(self, on_error: ErrorHandler = _ignore) -> None:
        self._subscribers: tuple[Subscriber, ...] = ()
        self._lock = threading.Lock()
        self.on_error = on_error

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = (*self._subscribers, subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = tuple(s for s in self._subscribers if s is not subscriber)

    def publish(self, observation: Observation) -> None:
        for subscriber in self._subscribers:  # a tuple: subscribing meanwhile is safe
            try:
                subscriber(observation)
            except Exception as exc:  # one bad subscriber must not stop the rest
                self.on_error(subscriber, exc)


def counting_logs(counts: DeferralCounts) -> Subscriber:
    """The subscriber that adds every log batch, backfill included, to `counts`.

    The counter lives with the log lines it counts, below the stream; the stream's
    side of it (which observation carries lines) is said here.
    """
    def count(observation: Observation) -> None:
        if isinstance(observation, LogBatch):
            counts.add(observation.entries)

    return count

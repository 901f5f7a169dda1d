"""One time axis for the incident: probes, pool peaks, log signature hits, check changes, fixes.

Events come from the samplers and readers that already run (nothing here measures).
Pool samples are folded into one event per bucket holding the bucket's peak, so a
burst between two looks is not lost when the axis is coarser than the samples. The
incident mark ("since the incident began") is a moment the views start from.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tui.core.checks.result import CheckResult, Status
from tui.core.durations import seconds_text

if TYPE_CHECKING:
    from tui.core.monitor.observations import Observation

MAX_EVENTS = 5000
POOL_BUCKET_SECONDS = 10.0
NOTABLE_PROBE = 0.5  # seconds: slower probe answers go on the axis (and every failure)


class EventKind(StrEnum):
    PROBE = "probe"
    POOL = "pool"
    LOG = "log"
    CHECK = "check"
    FIX = "fix"
    MARK = "mark"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: float
    kind: EventKind
    text: str
    level: str = "info"  # info, warning, error


class Timeline:
    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self._events: deque[TimelineEvent] = deque(maxlen=max_events)
        self._lock = threading.Lock()
        self._checks: dict[str, Status] = {}
        self._pool_bucket: tuple[float, int, int] | None = None  # (start, peak busy, peak queue)
        self.incident_start: float | None = None

    # -- the stream's subscriber: the same code live and in the replay ---------------------
    def observe(self, observation: Observation) -> None:
        from tui.core.monitor.observations import (
            ChecksRan,
            FixRan,
            IncidentMarked,
            LogBatch,
            PoolSampled,
            ProbeRan,
        )

        if isinstance(observation, LogBatch):
            for hit in observation.hits:
                self.add_signature(hit.at, hit.signature_id, hit.severity, hit.short)
        elif isinstance(observation, PoolSampled):
            pool = observation.pool
            if pool is not None:
                self.add_pool(observation.at, pool.busy, pool.queued)
        elif isinstance(observation, ChecksRan):
            self.add_checks(observation.at, observation.results)
        elif isinstance(observation, ProbeRan):
            probe = observation.probe
            self.add_probe(probe.taken_at, probe.outcome, probe.latency, probe.answered)
        elif isinstance(observation, FixRan):
            self.add_fix(observation.at, observation.command, observation.exit_code)
        elif isinstance(observation, IncidentMarked):
            self.mark_incident(observation.at)

    # -- adding ------------------------------------------------------------------------
    def add(self, event: TimelineEvent) -> None:
        with self._lock:
            self._events.append(event)

    def mark_incident(self, at: float) -> None:
        self.incident_start = at
        self.add(TimelineEvent(at, EventKind.MARK, "incident began (marked)", "warning"))

    def add_checks(self, at: float, results: tuple[CheckResult, ...]) -> None:
        """One event per check whose status changed since the last run (the first run too)."""
        for result in results:
            before = self._checks.get(result.id)
            if before is result.status:
                continue
            self._checks[result.id] = result.status
            if before is None and result.status in (Status.OK, Status.SKIP):
                continue  # a healthy start is not news
            level = {Status.FAIL: "error", Status.WARN: "warning"}.get(result.status, "info")
            was = f"{before.value} → " if before is not None else ""
            self.add(TimelineEvent(at, EventKind.CHECK,
                                   f"{result.id}: {was}{result.status.value} — {result.finding}",
                                   level))

    def add_probe(self, at: float, outcome: str | None, latency: float, answered: bool) -> None:
        """Only the probes that say something: a failure, or an answer slower than NOTABLE_PROBE."""
        if outcome is None or (answered and latency < NOTABLE_PROBE):
            return
        text = f"probe {outcome} after {seconds_text(latency)}"
        self.add(TimelineEvent(at, EventKind.PROBE, text, "info" if answered else "error"))

    def add_signature(self, at: float, signature_id: str, severity: str, short: str) -> None:
        """A log line with a known meaning; the info-level ones are not incident news."""
        if severity == "info":
            return
        self.add(TimelineEvent(at, EventKind.LOG, f"{signature_id}: {short}", severity))

    def add_fix(self, at: float, command: str, exit_code: int | None) -> None:
        self.add(TimelineEvent(at, EventKind.FIX, f"ran {command} → exit {exit_code}",
                               "info" if exit_code == 0 else "error"))

    def add_pool(self, at: float, busy: int | None, queued: int | None) -> None:
        """Fold samples into buckets; a bucket becomes an event when the next one starts."""
        busy_value, queued_value = busy or 0, queued or 0
        with self._lock:
            bucket = self._pool_bucket
            if bucket is not None and at - bucket[0] < POOL_BUCKET_SECONDS:
                self._pool_bucket = (bucket[0], max(bucket[1], busy_value),
                                     max(bucket[2], queued_value))
                return
            self._pool_bucket = (at, busy_value, queued_value)
        if bucket is not None and (bucket[1] or bucket[2]):
            level = "error" if bucket[2] else "info"
            self.add(TimelineEvent(bucket[0], EventKind.POOL,
                                   f"peak {bucket[1]} busy, {bucket[2]} queued", level))

    # -- reading -----------------------------------------------------------------------
    def events(self, since: float | None = None) -> list[TimelineEvent]:
        """Oldest first; from the incident mark when `since` is None and a mark is set."""
        start = since if since is not None else self.incident_start
        with self._lock:
            events = list(self._events)
        events.sort(key=lambda event: event.at)
        if start is None:
            return events
        # Syslog stamps have whole seconds: a line from the mark's own second counts.
        floor = math.floor(start)
        return [e for e in events if e.at >= floor]

"""The last few minutes of pool samples and probes: the sparklines and the probe statistics.

Samples arrive from two threads (the pool sampler and the slower probe), so the
window is guarded by a lock; everything older than the window is dropped.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import Counter, deque
from dataclasses import dataclass
from itertools import islice

from tui.core.authdaemon.outcome import Outcome
from tui.core.workers.pool import PoolSample
from tui.core.workers.probe import ProbeSample

WINDOW_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Probe latency over the window, seconds; None when no probe was answered."""

    probes: int  # probes that ran (not skipped)
    p50: float | None
    p95: float | None
    max: float | None
    tempfails: int
    timeouts: int
    connect_failures: int
    skipped: int


def nearest_rank(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that was actually measured."""
    index = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[index]


class WorkersHistory:
    """The window of samples, with its statistics kept up to date as samples come and go.

    The pane asks for the statistics and the series every second over a window of
    300 samples; counting them again each time cost more than taking the samples.
    So each sample is counted once when it arrives and once when it leaves.
    """

    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self._pools: deque[PoolSample] = deque()
        self._probes: deque[ProbeSample] = deque()
        self._lock = threading.Lock()
        # Running aggregates of the window: changed as samples enter (add_*) and leave (_trim).
        self._ran: deque[ProbeSample] = deque()  # the probes that ran (outcome not None)
        self._answered: list[float] = []  # latencies of answered probes, sorted
        self._outcomes: Counter[Outcome] = Counter()
        self._busy_for_others = 0  # pool samples in the window with a worker busy for others
        self._queue_series: deque[float] = deque()  # one per pool sample
        self._busy_series: deque[float] = deque()
        self._latency_series: deque[float] = deque()  # one per probe that ran

    def add_pool(self, sample: PoolSample) -> None:
        with self._lock:
            self._pools.append(sample)
            self._busy_for_others += sample.busy_for_others > 0
            self._queue_series.append(float(sample.queued or 0))
            self._busy_series.append(float(sample.busy or 0))
            self._trim(sample.taken_at)

    def add_probe(self, sample: ProbeSample) -> None:
        with self._lock:
            self._probes.append(sample)
            self._count_probe(sample, +1)
            self._trim(sample.taken_at)

    def _count_probe(self, probe: ProbeSample, sign: int) -> None:
        """Add a probe to the aggregates (+1) or take the oldest one out (-1)."""
        if probe.outcome is None:
            return
        if sign > 0:
            self._ran.append(probe)
            self._latency_series.append(probe.latency)
            if probe.answered:
                bisect.insort(self._answered, probe.latency)
        else:
            self._ran.popleft()  # the oldest probe that ran: this one
            self._latency_series.popleft()
            if probe.answered:
                del self._answered[bisect.bisect_left(self._answered, probe.latency)]
        self._outcomes[probe.outcome] += sign

    def _trim(self, now: float) -> None:
        oldest = now - self.window
        while self._pools and self._pools[0].taken_at < oldest:
            self._busy_for_others -= self._pools.popleft().busy_for_others > 0
            self._queue_series.popleft()
            self._busy_series.popleft()
        while self._probes and self._probes[0].taken_at < oldest:
            self._count_probe(self._probes.popleft(), -1)

    def pools(self) -> list[PoolSample]:
        with self._lock:
            return list(self._pools)

    def probes(self) -> list[ProbeSample]:
        with self._lock:
            return list(self._probes)

    def latest_pool(self) -> PoolSample | None:
        with self._lock:
            return self._pools[-1] if self._pools else None

    def busy_for_others_seen(self) -> bool:
        """Did any pool sample in the window see a worker busy for someone else?"""
        with self._lock:
            return self._busy_for_others > 0

    def recent_outcomes(self, count: int) -> tuple[Outcome, ...]:
        """The outcomes of the last `count` probes that ran, newest last."""
        with self._lock:
            newest = islice(self._ran, max(0, len(self._ran) - count), None)
            return tuple(probe.outcome for probe in newest if probe.outcome is not None)

    def latency_stats(self) -> LatencyStats:
        with self._lock:
            answered, outcomes = self._answered, self._outcomes
            return LatencyStats(
                probes=len(self._ran),
                p50=nearest_rank(answered, 0.50) if answered else None,
                p95=nearest_rank(answered, 0.95) if answered else None,
                max=answered[-1] if answered else None,
                tempfails=outcomes[Outcome.TEMPFAIL],
                timeouts=outcomes[Outcome.TIMEOUT],
                connect_failures=sum(count for outcome, count in outcomes.items()
                                     if outcome.is_connect_failure),
                skipped=len(self._probes) - len(self._ran),
            )

    def series(self) -> tuple[list[float], list[float], list[float]]:
        """Queue depth, busy workers and probe latency (s), oldest first, for sparklines."""
        with self._lock:
            return list(self._queue_series), list(self._busy_series), list(self._latency_series)

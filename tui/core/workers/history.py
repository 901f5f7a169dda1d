"""The last few minutes of pool samples and probes: the sparklines and the probe statistics.

Samples arrive from two threads (the pool sampler and the slower probe), so the
window is guarded by a lock; everything older than the window is dropped.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

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
    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self._pools: deque[PoolSample] = deque()
        self._probes: deque[ProbeSample] = deque()
        self._lock = threading.Lock()

    def add_pool(self, sample: PoolSample) -> None:
        with self._lock:
            self._pools.append(sample)
            self._trim(sample.taken_at)

    def add_probe(self, sample: ProbeSample) -> None:
        with self._lock:
            self._probes.append(sample)
            self._trim(sample.taken_at)

    def _trim(self, now: float) -> None:
        oldest = now - self.window
        for samples in (self._pools, self._probes):
            while samples and samples[0].taken_at < oldest:
                samples.popleft()

    def pools(self) -> list[PoolSample]:
        with self._lock:
            return list(self._pools)

    def probes(self) -> list[ProbeSample]:
        with self._lock:
            return list(self._probes)

    def latest_pool(self) -> PoolSample | None:
        with self._lock:
            return self._pools[-1] if self._pools else None

    def latency_stats(self) -> LatencyStats:
        probes = self.probes()
        ran = [probe for probe in probes if probe.outcome is not None]
        answered = sorted(probe.latency for probe in ran if probe.answered)
        return LatencyStats(
            probes=len(ran),
            p50=nearest_rank(answered, 0.50) if answered else None,
            p95=nearest_rank(answered, 0.95) if answered else None,
            max=answered[-1] if answered else None,
            tempfails=sum(1 for probe in ran if probe.outcome is Outcome.TEMPFAIL),
            timeouts=sum(1 for probe in ran if probe.outcome is Outcome.TIMEOUT),
            connect_failures=sum(
                1 for probe in ran if probe.outcome is not None and probe.outcome.is_connect_failure
            ),
            skipped=len(probes) - len(ran),
        )

    def series(self) -> tuple[list[float], list[float], list[float]]:
        """Queue depth, busy workers and probe latency (s), oldest first, for sparklines."""
        pools = self.pools()
        queue = [float(pool.queued or 0) for pool in pools]
        busy = [float(pool.busy or 0) for pool in pools]
        latency = [probe.latency for probe in self.probes() if probe.outcome is not None]
        return queue, busy, latency

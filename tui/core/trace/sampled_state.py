"""The pool and socket state at a failure's moment, where the monitor sampled it.

The logs say what maildrop saw ("Temporary authentication failure") but not
always why. The monitor's stream says it when it was running (the app) or when
a recording holds it (`record`, the app's record toggle): pool samples (workers
alive, busy, queued, a listener) and the checks' runs (socket-present,
daemon-listening, pool-saturation, with their diagnosis). `SampledStates`
subscribes to that stream like the timeline does, live or fed from a
recording's rows, and answers "what did the samples say around this moment",
in the cause ids `check` prints.

Samples older than STALE_SECONDS before the attempt say nothing about it: the
monitor samples the pool every second and runs the checks every few seconds.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from dataclasses import dataclass

from tui.core.checks.result import Status
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.monitor.observations import ChecksRan, Observation, PoolSampled
from tui.core.workers.pool import PoolSample

STALE_SECONDS = 15.0  # three check runs at the app's 5 s schedule
MAX_SAMPLES = 100_000  # per kind: over a day of 1 Hz pool samples
# The causes a sample of the pool or the socket can name.
STATE_CAUSES = frozenset({DiagnosisId.WORKERS_SATURATED, DiagnosisId.SOCKET_MISSING,
                          DiagnosisId.DAEMON_STOPPED})


@dataclass(frozen=True, slots=True)
class SampledCause:
    """One sample's word on the chain: a cause (None: nothing wrong) and what showed it."""

    at: float
    cause: DiagnosisId | None
    evidence: str


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def pool_cause(at: float, pool: PoolSample) -> SampledCause:
    """Stopped: no worker and no listener. Saturated: every worker busy and lookups queued."""
    if pool.alive == 0 and not pool.listening:
        return SampledCause(at, DiagnosisId.DAEMON_STOPPED,
                            f"pool {_clock(at)}: no authdaemond worker alive, nothing listening")
    busy, queued = pool.busy or 0, pool.queued or 0
    if queued > 0 and pool.alive and busy >= pool.alive:
        return SampledCause(at, DiagnosisId.WORKERS_SATURATED,
                            f"pool {_clock(at)}: {busy}/{pool.alive} workers busy, "
                            f"{queued} queued")
    return SampledCause(at, None, f"pool {_clock(at)}: {busy}/{pool.alive} workers busy")


def checks_cause(observation: ChecksRan) -> SampledCause:
    """The first failing or warning check whose diagnosis is a state cause, if any."""
    for result in observation.results:
        if result.status in (Status.FAIL, Status.WARN) and result.diagnosis in STATE_CAUSES:
            return SampledCause(observation.at, DiagnosisId(result.diagnosis),
                                f"check {_clock(observation.at)} {result.id}: "
                                f"{result.status.value}: {result.finding}")
    return SampledCause(observation.at, None, "")


class _Series:
    """One kind of sample in time order (they arrive in order; a late one is slotted in)."""

    def __init__(self) -> None:
        self.samples: deque[SampledCause] = deque(maxlen=MAX_SAMPLES)

    def add(self, sample: SampledCause) -> None:
        if self.samples and sample.at < self.samples[-1].at:
            ordered = sorted([*self.samples, sample], key=lambda item: item.at)
            self.samples = deque(ordered, maxlen=MAX_SAMPLES)
        else:
            self.samples.append(sample)

    def around(self, start: float, end: float) -> list[SampledCause]:
        """The last sample before `start` (if fresh) and every sample up to `end`."""
        samples = list(self.samples)
        times = [sample.at for sample in samples]
        first = max(0, bisect.bisect_left(times, start) - 1)
        last = bisect.bisect_right(times, end)
        return [sample for sample in samples[first:last] if sample.at >= start - STALE_SECONDS]


class SampledStates:
    """Subscribe `observe` to the monitor's stream (or feed it a recording's observations)."""

    def __init__(self) -> None:
        self._pool = _Series()
        self._checks = _Series()

    def observe(self, observation: Observation) -> None:
        if isinstance(observation, PoolSampled):
            pool = observation.peak or observation.pool
            if pool is not None:
                self._pool.add(pool_cause(observation.at, pool))
        elif isinstance(observation, ChecksRan):
            self._checks.add(checks_cause(observation))

    @property
    def empty(self) -> bool:
        return not self._pool.samples and not self._checks.samples

    def cause_between(self, start: float, end: float) -> SampledCause | None:
        """What the samples around [start, end] name; the checks' word first (they know the
        socket file), then the pool's; None when none names a cause."""
        for series in (self._checks, self._pool):
            named = [sample for sample in series.around(start, end) if sample.cause is not None]
            if named:
                return named[-1]
        return None

"""The window's running statistics agree with counting the window again from scratch."""

from __future__ import annotations

import random

from tui.core.authdaemon.outcome import Outcome
from tui.core.workers.history import WorkersHistory, nearest_rank
from tui.core.workers.pool import PoolSample
from tui.core.workers.probe import ProbeSample


def _pool(at: float, rng: random.Random) -> PoolSample:
    busy = rng.choice([None, 0, 0, 1, 2])
    return PoolSample(at, 2, 2, busy, rng.choice([None, 0, 3]), 128, (1, 2), (),
                      listening=True, own_lookups=rng.choice([0, 0, 1]))


def _probe(at: float, rng: random.Random) -> ProbeSample:
    outcome = rng.choice([None, *Outcome])
    # Equal latencies on purpose: taking one out of the sorted list must take only one.
    latency = 0.0 if outcome is None else rng.choice([0.001, 0.002, 0.002, rng.random()])
    return ProbeSample(at, outcome, latency, "saturated" if outcome is None else "")


def _from_scratch(history: WorkersHistory, recent: int) -> tuple[object, ...]:
    pools, probes = history.pools(), history.probes()
    ran = [probe for probe in probes if probe.outcome is not None]
    answered = sorted(probe.latency for probe in ran if probe.answered)
    return (
        len(ran),
        nearest_rank(answered, 0.5) if answered else None,
        nearest_rank(answered, 0.95) if answered else None,
        answered[-1] if answered else None,
        sum(probe.outcome is Outcome.TEMPFAIL for probe in ran),
        sum(probe.outcome is Outcome.TIMEOUT for probe in ran),
        sum(probe.outcome is not None and probe.outcome.is_connect_failure for probe in ran),
        len(probes) - len(ran),
        [float(pool.queued or 0) for pool in pools],
        [float(pool.busy or 0) for pool in pools],
        [probe.latency for probe in ran],
        tuple(probe.outcome for probe in ran[-recent:]),
        any(pool.busy_for_others for pool in pools),
    )


def _running(history: WorkersHistory, recent: int) -> tuple[object, ...]:
    stats = history.latency_stats()
    queue, busy, latency = history.series()
    return (stats.probes, stats.p50, stats.p95, stats.max, stats.tempfails, stats.timeouts,
            stats.connect_failures, stats.skipped, queue, busy, latency,
            history.recent_outcomes(recent), history.busy_for_others_seen())


def test_running_statistics_match_a_recount_as_samples_enter_and_leave_the_window() -> None:
    rng = random.Random(7)
    history = WorkersHistory(window=20.0)
    now, left = 1000.0, 0
    for _ in range(2000):
        now += rng.choice([0.1, 0.5, 1.0, 3.0])
        before = len(history.pools()) + len(history.probes())
        if rng.random() < 0.5:
            history.add_pool(_pool(now, rng))
        else:
            history.add_probe(_probe(now, rng))
        left += before + 1 - len(history.pools()) - len(history.probes())
        assert _running(history, 5) == _from_scratch(history, 5)
    assert left > 1000  # most samples have left the window again: the removals were tested


def test_an_empty_window_has_no_statistics() -> None:
    history = WorkersHistory(window=5.0)
    history.add_probe(ProbeSample(0.0, Outcome.FOUND, 0.004))
    history.add_pool(PoolSample(100.0, 2, 2, 1, 0, 128, (1, 2), (1,), listening=True))
    stats = history.latency_stats()
    assert (stats.probes, stats.p50, stats.max) == (0, None, None)
    assert history.recent_outcomes(5) == ()
    assert history.busy_for_others_seen()  # the pool sample itself is in the window

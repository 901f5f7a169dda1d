"""One timed lookup per interval: how long does the pool take to answer right now?

By default the probe asks for an address no system has, so each probe costs
authdaemond one query and comes back FAIL. It is skipped while the pool is
saturated: a queued request is still executed after its client gave up
(docs/authlib-behaviour.md), so a probe then would only lengthen the queue it measures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tui.core.authdaemon.client import AuthdaemonClient, LookupResult
from tui.core.authdaemon.outcome import Outcome
from tui.core.workers.pool import PoolSample

PROBE_CONNECT_TIMEOUT = 5.0
# Shorter than the real clients' 30 s, so the graph keeps moving while the pool is stuck.
PROBE_READ_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ProbeSample:
    """One probe. `outcome` None means skipped; `skipped` says why."""

    taken_at: float  # time.time() when it started
    outcome: Outcome | None
    latency: float  # seconds; 0 when skipped
    skipped: str = ""
    # The whole answer, for the checks that read the latest probe instead of looking up
    # again; never recorded (a configured probe address may have a real account).
    lookup: LookupResult | None = field(default=None, compare=False, repr=False)

    @property
    def answered(self) -> bool:
        """authdaemond gave a definite answer (found or not found)."""
        return self.outcome in (Outcome.FOUND, Outcome.NOT_FOUND)


def is_saturated(pool: PoolSample | None) -> bool:
    """Every worker busy with connections waiting, or every worker busy (queue unknown)."""
    if pool is None or pool.alive == 0 or pool.busy is None:
        return False
    return pool.busy >= pool.alive and (pool.queued is None or pool.queued > 0)


def probe_pool(client: AuthdaemonClient, address: str, pool: PoolSample | None) -> ProbeSample:
    """Look `address` up once and time it, unless the last pool sample says it is saturated."""
    started = time.time()
    if is_saturated(pool):
        return ProbeSample(started, None, 0.0, "pool saturated: probing would add to the queue")
    result = client.lookup(address)
    return ProbeSample(started, result.outcome, result.latency_ms / 1000.0, lookup=result)


def probe_client(socket_path: str) -> AuthdaemonClient:
    return AuthdaemonClient(
        socket_path, connect_timeout=PROBE_CONNECT_TIMEOUT, read_timeout=PROBE_READ_TIMEOUT
    )

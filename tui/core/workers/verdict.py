"""One sentence about the pool, with the evidence behind it and the fix for this platform.

Order of questions: is anything running at all (stopped), is it being replaced
(restarting), is work waiting (saturated), are all workers taken (busy), do the
lookups themselves fail (failing), and only then healthy or idle. For a
saturated pool the database sessions decide the advice: if the mail role's
queries run long, more workers only pile more load on a slow query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise, takewhile
from pathlib import Path

from tui.core.authdaemon.client_timeouts import DEFAULT_READ_SECONDS
from tui.core.authdaemon.socket_state import SocketState
from tui.core.durations import seconds_text
from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.platforms.platform import Platform, PlatformCommands
from tui.core.workers.database_sessions import SessionsSample
from tui.core.workers.history import LatencyStats
from tui.core.workers.pool import PoolSample

RESTART_WINDOW = 10.0  # worker pids changing within this many seconds = restarting
SLOW_QUERY_SECONDS = 0.5  # a lookup query running longer than this is the bottleneck
RECENT_PROBES = 3  # failures among the last few probes make the pool "failing"


class PoolState(StrEnum):
    HEALTHY = "healthy"
    IDLE = "idle"
    BUSY = "busy"
    SATURATED = "saturated"
    FAILING = "failing"
    STOPPED = "stopped"
    RESTARTING = "restarting"
    UNKNOWN = "unknown"


_SEVERITY = {
    PoolState.HEALTHY: Severity.INFO,
    PoolState.IDLE: Severity.INFO,
    PoolState.BUSY: Severity.WARNING,
    PoolState.RESTARTING: Severity.WARNING,
    PoolState.UNKNOWN: Severity.WARNING,
    PoolState.SATURATED: Severity.ERROR,
    PoolState.FAILING: Severity.ERROR,
    PoolState.STOPPED: Severity.ERROR,
}


# The wizard step that deals with each verdict (a state not here has nothing to fix).
WIZARD_STEP_OF_STATE: dict[PoolState, WizardStep] = {
    PoolState.SATURATED: WizardStep.WORKERS_SATURATED,
    PoolState.BUSY: WizardStep.WORKERS_SATURATED,
    PoolState.STOPPED: WizardStep.DAEMON_NOT_RUNNING,
    PoolState.FAILING: WizardStep.TEMPORARY_FAILURE,
    PoolState.RESTARTING: WizardStep.DAEMON_NOT_RUNNING,
}


@dataclass(frozen=True)
class Verdict:
    state: PoolState
    headline: str  # "Saturated: 2/2 workers busy, 9 queued, probe p95 4.1 s; …"
    evidence: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()  # shell commands, in order
    advice: str = ""

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self.state]


@dataclass(frozen=True)
class PoolContext:
    """What the verdict is judged on, gathered by the sampler."""

    pools: tuple[PoolSample, ...]  # the window, oldest first
    stats: LatencyStats
    recent_probe_outcomes: tuple[str, ...]  # Outcome values of the last probes, newest last
    sessions: SessionsSample | None
    socket: Path | None
    socket_state: SocketState | None
    platform: Platform
    commands: PlatformCommands
    # How long maildrop waits for a reply here (TIMEOUT_READ from Postfix, else 30 s).
    maildrop_read_timeout: float = DEFAULT_READ_SECONDS
    # Whether any pool sample of the window saw a worker busy for other clients, when the
    # caller keeps count (the sampler's history does, as samples come and go); None: the
    # verdict looks through `pools` itself.
    busy_for_others_seen: bool | None = None


def suggested_workers(pool: PoolSample) -> int:
    """A first step up, as ApisCP's Authlib page suggests (5), or double what runs now."""
    return max(5, 2 * max(pool.alive, pool.configured or 0))


def _stopped(context: PoolContext, pool: PoolSample) -> Verdict:
    path = context.socket
    evidence = ["no authdaemond worker process is running", *pool.notes]
    if context.socket_state is SocketState.STALE:
        headline = f"Stopped: no workers, and {path} is stale (nothing listens on it)"
        evidence.append("clients get `s_connect() failed: Connection refused`")
    elif context.socket_state is SocketState.MISSING:
        headline = f"Stopped: no workers and no socket at {path}"
        evidence.append("clients get `s_connect() failed: No such file or directory`")
    elif pool.listening:
        headline = "Stopped: a listener exists but no worker serves it"
    else:
        headline = "Stopped: no authdaemond workers"
    advice = "Start it, then check its log for start-up errors (Bad line in authdaemonrc, …)."
    if context.platform is Platform.APISCP:
        advice += (" On ApisCP the unit has RemainAfterExit=true: `systemctl is-active` can say "
                   "active while nothing runs, so trust the processes, not the unit state.")
    return Verdict(PoolState.STOPPED, headline, tuple(evidence), (context.commands.start,), advice)


def _restarting(context: PoolContext, pool: PoolSample) -> Verdict | None:
    since = pool.taken_at - RESTART_WINDOW  # the newest samples only: walk back from the end
    recent = list(takewhile(lambda p: p.taken_at >= since, reversed(context.pools)))[::-1]
    changes = sum(
        1 for before, after in pairwise(recent)
        if set(before.worker_pids) != set(after.worker_pids)
    )
    if not changes:
        return None
    return Verdict(
        PoolState.RESTARTING,
        f"Restarting: the worker processes changed {changes} time(s) in the last "
        f"{RESTART_WINDOW:.0f} s ({pool.alive} alive now)",
        (f"worker pids now: {', '.join(map(str, pool.worker_pids)) or 'none'}",),
        advice="A reload (authdaemond restart / SIGHUP) replaces every worker. If this goes on, "
        "the workers are crashing: read the authdaemond log.",
    )


def _database_part(sessions: SessionsSample | None) -> tuple[str, bool, str]:
    """(text for the headline, whether the query is slow, the longest query's text)."""
    if sessions is None:
        return "", False, ""
    if sessions.error:
        return "", False, ""
    running = [s for s in sessions.running if s.query_seconds is not None]
    if not running:
        return "PostgreSQL shows no running query of the mail role", False, ""
    ages = [s.query_seconds or 0.0 for s in running]
    longest = max(ages)
    if max(ages) - min(ages) >= 0.2:
        each = f"for up to {seconds_text(longest)}"
    else:
        each = f"for {seconds_text(longest)}" + (" each" if len(ages) > 1 else "")
    queries = "query" if len(running) == 1 else "queries"
    text = f"PostgreSQL shows {len(running)} {queries} running {each}"
    slow = longest >= SLOW_QUERY_SECONDS
    query = sessions.longest.query if sessions.longest else ""
    return text, slow, query


def _numbers(pool: PoolSample, stats: LatencyStats) -> str:
    busy = "?" if pool.busy is None else str(pool.busy)
    text = f"{busy}/{pool.alive} workers busy, {pool.queued or 0} queued"
    if stats.p95 is not None:
        text += f", probe p95 {seconds_text(stats.p95)}"
    return text


def _saturated(context: PoolContext, pool: PoolSample) -> Verdict:
    db_text, slow, query = _database_part(context.sessions)
    headline = f"Saturated: {_numbers(pool, context.stats)}"
    if db_text:
        headline += f"; {db_text}"
        if slow:
            headline += " — the lookup query is slow"
    evidence = [
        f"{pool.queued} connection(s) wait in the listen backlog (limit {pool.backlog})",
        f"maildrop gives up after {context.maildrop_read_timeout:g} s: 'Temporary "
        "authentication failure' with no authdaemond error, and past the backlog "
        "'s_connect() failed: Resource temporarily unavailable'",
    ]
    if query:
        evidence.append(f"longest running query: {query}")
    if context.sessions is not None and context.sessions.error:
        evidence.append(context.sessions.error)
    if slow:
        advice = ("Look at the slow query before adding workers: more workers only send more "
                  "queries to a database that is already the bottleneck (EXPLAIN it, check "
                  "indexes and locks).")
    else:
        advice = "The database answers quickly: the pool is too small for the load. Add workers."
    fix = context.commands.resize(suggested_workers(pool))
    return Verdict(PoolState.SATURATED, headline, tuple(evidence), fix, advice)


def _mismatch(pool: PoolSample) -> str:
    if pool.configured is None or pool.configured == pool.alive:
        return ""
    return (f"authdaemonrc says daemons={pool.configured} but {pool.alive} worker(s) run: "
            "the change has not been applied (authdaemond restart)")


def judge(context: PoolContext) -> Verdict:
    """The verdict for the newest pool sample in `context`."""
    if not context.pools:
        return Verdict(PoolState.UNKNOWN, "No sample yet")
    pool = context.pools[-1]
    if pool.alive == 0:
        return _stopped(context, pool)
    restarting = _restarting(context, pool)
    if restarting is not None:
        return restarting
    if pool.queued:
        return _saturated(context, pool)
    mismatch = _mismatch(pool)
    flags = (mismatch,) if mismatch else ()
    fix = (context.commands.restart,) if mismatch else ()
    stats = context.stats
    if pool.busy is not None and pool.busy >= pool.alive:
        return Verdict(
            PoolState.BUSY,
            f"Busy: all {pool.alive} workers busy, nothing queued yet",
            (*flags, "the next lookups will wait in the backlog"),
            fix,
            "Watch the queue: if it grows, the pool is saturated.",
        )
    failures = [o for o in context.recent_probe_outcomes if o not in ("found", "not-found")]
    if failures:
        return Verdict(
            PoolState.FAILING,
            f"Lookups fail: {len(failures)} of the last {len(context.recent_probe_outcomes)} "
            f"probes got {failures[-1]}; the pool has spare workers",
            (*flags, f"probe outcomes, newest last: {', '.join(context.recent_probe_outcomes)}"),
            fix,
            "The workers are free but the lookups fail: open the wizard (5) to find out why.",
        )
    was_busy = context.busy_for_others_seen
    if was_busy is None:
        was_busy = any(p.busy_for_others for p in context.pools)
    state = PoolState.HEALTHY if was_busy else PoolState.IDLE
    word = "Healthy" if was_busy else "Idle"
    headline = f"{word}: {_numbers(pool, stats)}"
    if pool.busy is None:
        headline += " (busy workers need root to see)"
    if mismatch:
        headline += f"; daemons={pool.configured} configured"
    return Verdict(state, headline, (*flags, *pool.notes), fix)

"""Saturation: lookups that wait for a worker, or take too long.

A queue in the listen backlog is saturation now. A single lookup taking a second
or more is saturation waiting to happen: each one holds a worker that long, and
Postfix runs up to 40 deliveries at once against ApisCP's two workers.
"""

from __future__ import annotations

from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, check
from tui.core.checks.result import Fix, Status
from tui.core.durations import seconds_text
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.workers.verdict import SLOW_QUERY_SECONDS, suggested_workers

SLOW_LOOKUP_SECONDS = 1.0


def _resize_fix(context: CheckContext, workers: int, slow_query: bool) -> Fix:
    commands = context.commands.resize(workers)
    why = (f"Raise the pool to {workers} workers so lookups stop queueing."
           + (" But look at the slow query first: more workers only send more queries to a "
              "database that is already the bottleneck." if slow_query else ""))
    return Fix(why, commands)


@check(CheckId.POOL_SATURATION, "Lookups do not wait for a worker", hop=HopId.POOL,
       steps=(WizardStep.BACKLOG_FULL, WizardStep.WORKERS_SATURATED,
              WizardStep.AUTHDAEMONRC_DAEMONS),
       decides={DiagnosisId.WORKERS_SATURATED: WizardStep.WORKERS_SATURATED})
def pool_saturation(context: CheckContext) -> Answer:
    pool = context.pool
    if pool is None or pool.alive == 0:
        return Answer(Status.SKIP, "No worker pool to measure.")
    evidence = [f"{'?' if pool.busy is None else pool.busy}/{pool.alive} workers busy, "
                f"{pool.queued if pool.queued is not None else '?'} queued "
                f"(backlog limit {pool.backlog if pool.backlog is not None else '?'})"]
    sessions = context.sessions
    running = sessions.running if sessions is not None else ()
    slow_query = any((s.query_seconds or 0) >= SLOW_QUERY_SECONDS for s in running)
    if running:
        longest = max(s.query_seconds or 0.0 for s in running)
        evidence.append(f"PostgreSQL: {len(running)} lookup queries running, the longest for "
                        f"{seconds_text(longest)}")
    workers = suggested_workers(pool)
    if pool.backlog and pool.queued is not None and pool.queued >= pool.backlog:
        return Answer(
            Status.FAIL,
            f"The listen backlog is full ({pool.queued}/{pool.backlog}): new connections get "
            "'s_connect() failed: Resource temporarily unavailable'.", tuple(evidence),
            _resize_fix(context, workers, slow_query), diagnosis=DiagnosisId.WORKERS_SATURATED)
    delivery = context.installation.delivery_timeouts
    if delivery.changed:
        evidence.append(f"maildrop waits {delivery.read:g} s for a reply ({delivery.source})")
    if pool.queued:
        return Answer(
            Status.FAIL,
            f"Saturated: {pool.queued} lookup(s) wait for one of {pool.alive} busy workers; past "
            f"{delivery.read:g} s maildrop defers with 'Temporary authentication failure' and "
            "no authdaemond error.", tuple(evidence), _resize_fix(context, workers, slow_query),
            diagnosis=DiagnosisId.WORKERS_SATURATED)
    probe = context.probe
    if probe is not None and probe.outcome is Outcome.TIMEOUT:
        evidence.append(f"probe lookup of {context.probe_address}: no answer in "
                        f"{context.timeout:g} s")
        return Answer(
            Status.FAIL,
            "A lookup got no answer within the timeout: the pool is stuck or the database hangs.",
            tuple(evidence), _resize_fix(context, workers, True),
            diagnosis=DiagnosisId.WORKERS_SATURATED)
    return Answer(Status.OK,
                  "Nothing waits for a worker.", tuple(evidence))


@check(CheckId.LOOKUP_SPEED, "A lookup holds a worker only briefly", hop=HopId.POOL,
       decides={DiagnosisId.WORKERS_SATURATED: WizardStep.WORKERS_SATURATED})
def lookup_speed(context: CheckContext) -> Answer:
    """Slow lookups saturate the pool as soon as mail arrives, even when it is idle now."""
    pool, probe = context.pool, context.probe
    if pool is None or pool.alive == 0 or probe is None or probe.outcome not in (
        Outcome.FOUND, Outcome.NOT_FOUND
    ):
        return Answer(Status.SKIP, "No answered lookup to time.")
    seconds = probe.latency_ms / 1000
    evidence = [f"probe lookup of {context.probe_address}: {probe.outcome} in "
                f"{seconds_text(seconds)}"]
    if seconds < SLOW_LOOKUP_SECONDS:
        return Answer(Status.OK,
                      f"A lookup takes {seconds_text(seconds)}.", tuple(evidence))
    sessions = context.sessions
    if sessions is not None and sessions.longest is not None:
        evidence.append(f"longest running query: {sessions.longest.query}")
    return Answer(
        Status.WARN,
        f"One lookup takes {seconds_text(seconds)}: {pool.alive} workers serve at most "
        f"{pool.alive / seconds:.1f} lookups/s, and Postfix runs up to 40 deliveries at "
        "once. The pool saturates under load.", tuple(evidence),
        _resize_fix(context, suggested_workers(pool), True),
        diagnosis=DiagnosisId.WORKERS_SATURATED)


@check(CheckId.LOOKUP_ANSWERS, "A lookup gets an answer", steps=(WizardStep.TEMPORARY_FAILURE,))
def lookup_answers(context: CheckContext) -> Answer:
    """The symptom itself: does a lookup get a definite answer? (No diagnosis of its own.)"""
    probe = context.probe
    if probe is None:
        return Answer(Status.SKIP, "No socket to ask.")
    evidence = (f"PRE . login {context.probe_address} → {probe.outcome} in "
                f"{seconds_text(probe.latency_ms / 1000)}",)
    if probe.outcome in (Outcome.FOUND, Outcome.NOT_FOUND):
        return Answer(Status.OK,
                      "authdaemond answers lookups.", evidence)
    return Answer(Status.FAIL, probe.outcome.meaning, evidence)

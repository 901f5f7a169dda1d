"""The observation stream, a sampler's failure and recovery, and the retry watch.

The pipe lines are Postfix's own format, as the lab's Postfix writes them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.waiting import wait_until
from tui.core.authdaemon.own_lookups import OWN_LOOKUPS
from tui.core.durations import seconds_text
from tui.core.health import State
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import BOUNCED, DEFERRED, ERRORS, DeferralCounts
from tui.core.logs.entry import LogEntry, build_entry
from tui.core.monitor.monitor import Monitor
from tui.core.monitor.observations import (
    ChecksRan,
    ComponentFailed,
    ComponentRecovered,
    HealthSampled,
    IncidentMarked,
    LogBatch,
    Observation,
    PoolSampled,
    QueueSampled,
)
from tui.core.monitor.retry_watch import LINE_GRACE, RetryWatch
from tui.core.monitor.stream import ObservationStream, counting_logs
from tui.core.postfix.queue import QueuedMessage, QueuedRecipient, QueueSnapshot, chain_reason
from tui.core.timeline import EventKind, Timeline
from tui.lab.lab import Lab

AT = 1_800_000_000.0
TEMPFAIL = ("temporary failure. Command output: ERR: authdaemon: s_connect() failed: "
            "Connection refused /usr/bin/maildrop: Temporary authentication failure. ")


def pipe(queue_id: str, status: str, reason: str, at: float) -> LogEntry:
    dsn = {"sent": "2.0.0", "deferred": "4.3.0", "bounced": "5.1.1"}[status]
    message = (f"{queue_id}: to=<foo@domain.com>, relay=vmaildrop, delay=0.05, "
               f"delays=0.01/0/0/0.03, dsn={dsn}, status={status} ({reason})")
    return build_entry(message=message, tag="postfix/pipe", source="t", timestamp=at, pid=1,
                       cursor=None)


def waiting(queue_id: str) -> QueuedMessage:
    return QueuedMessage(queue_id, "deferred", AT - 600, "root@lab",
                         (QueuedRecipient("foo@domain.com", TEMPFAIL, chain_reason(TEMPFAIL)),))


def test_one_subscriber_that_raises_stops_neither_the_others_nor_the_publisher() -> None:
    errors: list[BaseException] = []
    seen: list[Observation] = []
    stream = ObservationStream(on_error=lambda _subscriber, error: errors.append(error))

    def broken(_observation: Observation) -> None:
        raise RuntimeError("a subscriber's bug")

    def keep(observation: Observation) -> None:
        seen.append(observation)

    stream.subscribe(broken)
    stream.subscribe(keep)
    stream.publish(IncidentMarked(AT))
    assert seen == [IncidentMarked(AT)] and [str(e) for e in errors] == ["a subscriber's bug"]
    stream.unsubscribe(keep)
    stream.publish(IncidentMarked(AT + 1))
    assert len(seen) == 1


def test_a_failing_run_is_published_once_failed_and_once_recovered(lab: Lab) -> None:
    seen: list[Observation] = []
    stream = ObservationStream()
    stream.subscribe(seen.append)
    monitor = Monitor(Installation.from_flags({"config": str(lab.settings_file)}), stream)
    runs = iter([ValueError("first"), ValueError("second"), None, None])

    def run() -> None:
        error = next(runs)
        if error is not None:
            raise error

    assert not monitor.attempt("pool", run) and not monitor.attempt("pool", run)
    assert monitor.attempt("pool", run) and monitor.attempt("pool", run)  # recovered once
    assert [type(o).__name__ for o in seen] == ["ComponentFailed", "ComponentFailed",
                                                "ComponentRecovered"]
    failed = seen[0]
    assert isinstance(failed, ComponentFailed)
    assert failed.sentence == "Sampling the worker pool failed: first (ValueError); retrying."
    assert seen[2] == ComponentRecovered("pool")


def test_the_monitor_stops_its_loops(lab: Lab) -> None:
    stream = ObservationStream()
    done = threading.Event()
    stream.subscribe(lambda o: done.set() if isinstance(o, QueueSampled) else None)
    monitor = Monitor(Installation.from_flags({"config": str(lab.settings_file)}), stream,
                      health_interval=0.2, sample_interval=0.2)
    monitor.start("health", "pool", "logs")
    assert done.wait(30), "no queue sample after a run of the checks"
    monitor.stop(wait=15)
    assert not any(thread.is_alive() for thread in threading.enumerate()
                   if thread.name.startswith("monitor-"))


def test_the_watch_follows_each_message_to_its_fate() -> None:
    watch = RetryWatch((waiting("AAA111"), waiting("BBB222")), AT)
    assert watch.summary() == "0 of 2 delivered, 2 waiting" and not watch.done
    watch.observe(LogBatch.of([pipe("AAA111", "sent", "delivered via vmaildrop service",
                                    AT + 1)], AT + 1))
    assert not watch.done
    watch.observe(LogBatch.of([pipe("BBB222", "deferred", TEMPFAIL, AT + 2)], AT + 2))
    assert watch.done
    assert watch.summary().startswith("1 of 2 delivered, 1 still deferred: temporary failure.")
    # A line from before the retry is not an outcome of it.
    late = RetryWatch((waiting("CCC333"),), AT + 100)
    late.observe(LogBatch.of([pipe("CCC333", "sent", "delivered", AT + 50)], AT + 101))
    assert not late.done


def _empty_queue(at: float) -> QueueSampled:
    return QueueSampled(at, QueueSnapshot(at, Path("/etc/postfix")), None)


def test_a_message_gone_from_the_queue_without_a_line_says_so() -> None:
    watch = RetryWatch((waiting("AAA111"),), AT)
    watch.observe(_empty_queue(AT + 5))
    assert not watch.done  # its line may not be read yet
    watch.observe(_empty_queue(AT + 5 + LINE_GRACE - 1))
    assert not watch.done
    watch.observe(_empty_queue(AT + 5 + LINE_GRACE))
    assert watch.done and watch.summary() == "0 of 1 delivered, 1 left the queue"


def test_a_line_read_after_the_message_left_the_queue_still_tells_its_fate() -> None:
    watch = RetryWatch((waiting("AAA111"),), AT)
    watch.observe(_empty_queue(AT + 2))  # the queue is read first ...
    watch.observe(LogBatch.of([pipe("AAA111", "sent", "delivered via vmaildrop service",
                                    AT + 1)], AT + 3))  # ... then the line
    watch.observe(_empty_queue(AT + 2 + LINE_GRACE))
    assert watch.done and watch.summary() == "1 of 1 delivered"


def test_one_counter_counts_errors_deferrals_and_bounces_once_per_minute() -> None:
    counts = DeferralCounts()
    counting_logs(counts)(LogBatch.of([
        pipe("AAA111", "deferred", TEMPFAIL, AT - 30),
        pipe("BBB222", "bounced", "user unknown. Command output: Invalid user specified. ",
             AT - 20),
        build_entry(message="PGSQL_CONNECTION could not be established", tag="authdaemond",
                    source="t", timestamp=AT - 10, pid=2, cursor=None),
    ], AT))
    assert sum(counts.per_minute(AT, (DEFERRED,))) == 1
    assert sum(counts.per_minute(AT, (BOUNCED,))) == 1
    assert sum(counts.per_minute(AT, (ERRORS,))) >= 2  # the bounce and the connect error
    assert sum(pair[0] for pair in counts.last_minutes(AT)) == 1  # s_connect


def test_the_timeline_reads_observations_the_same_live_and_replayed() -> None:
    timeline = Timeline()
    timeline.observe(IncidentMarked(AT))
    timeline.observe(LogBatch.of([pipe("AAA111", "deferred", TEMPFAIL, AT + 1)], AT + 1))
    kinds = [event.kind for event in timeline.events()]
    assert kinds[0] is EventKind.MARK and EventKind.LOG in kinds


def test_the_health_run_reads_the_pool_and_sessions_the_loops_sampled(healthy_lab: Lab) -> None:
    """One sample per fact: with the pool and sessions loops running, the strip and the
    checks get the very samples the Workers pane got, not a second measurement."""
    pools: list[PoolSampled] = []
    health: list[HealthSampled] = []
    stream = ObservationStream()
    stream.subscribe(lambda o: pools.append(o) if isinstance(o, PoolSampled) else None)
    stream.subscribe(lambda o: health.append(o) if isinstance(o, HealthSampled) else None)
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file)})
    monitor = Monitor(installation, stream, sample_interval=0.2)
    try:
        monitor.health_once()  # no loop runs: the run measures for itself
        assert health[-1].snapshot.pool is not None
        assert all(sampled.pool is not health[-1].snapshot.pool for sampled in pools)
        monitor.start("pool", "sessions")
        wait_until(lambda: pools and monitor.sampler.latest_sessions is not None, 30,
                   "a pool and a sessions sample")
        measured = monitor.latest_measured()
        assert measured is not None and measured.sessions is monitor.sampler.latest_sessions
        monitor.health_once()
        sampled = {id(o.pool) for o in pools}
        assert id(health[-1].snapshot.pool) in sampled
    finally:
        monitor.stop(wait=15)


def test_the_health_run_reads_the_probe_the_probe_loop_took(healthy_lab: Lab) -> None:
    """The checks that judge lookups read the probe loop's latest lookup: the health run
    makes no lookup of its own while that sample is fresh, and its evidence is that one."""
    checks: list[ChecksRan] = []
    stream = ObservationStream()
    stream.subscribe(lambda o: checks.append(o) if isinstance(o, ChecksRan) else None)
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file)})
    monitor = Monitor(installation, stream, sample_interval=1.0)
    socket = installation.socket
    assert socket is not None
    try:
        monitor.start("pool", "probe")
        wait_until(lambda: (probe := monitor.sampler.latest_probe) is not None
                   and probe.lookup is not None, 30, "a probe lookup")
        monitor.probing.clear()  # the loop keeps running, and looks nothing up meanwhile
        wait_until(lambda: not monitor.sampler.probe_in_flight, 10, "the probe to end")
        sampled = monitor.sampler.latest_probe
        assert sampled is not None and sampled.lookup is not None
        measured = monitor.latest_measured()
        assert measured is not None and measured.probe is sampled.lookup
        before = OWN_LOOKUPS.reading(socket)
        monitor.health_once()
        assert OWN_LOOKUPS.reading(socket).ended == before.ended
        answers = next(r for r in checks[-1].results if r.id == "lookup-answers")
        assert any(seconds_text(sampled.lookup.latency_ms / 1000) in line
                   for line in answers.evidence)
    finally:
        monitor.stop(wait=15)


def test_a_new_authdaemond_error_runs_the_health_pass_at_once(
        break_lab: Callable[..., Lab]) -> None:
    """The strip's last error and the Overview's list come from one health run; a new
    error in the followed log starts that run, not the end of the (here ten-minute)
    interval, so both show it within a moment of the line."""
    lab = break_lab()
    health: list[HealthSampled] = []
    stream = ObservationStream()
    stream.subscribe(lambda o: health.append(o) if isinstance(o, HealthSampled) else None)
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    monitor = Monitor(installation, stream, health_interval=600.0)
    try:
        monitor.start("logs", "health")
        wait_until(lambda: health, 60, "the first health run")
        first = health[-1].snapshot
        break_lab("db-password-wrong")
        since = float(int(time.time()))  # syslog stamps have whole seconds
        lab.client(connect_timeout=2, read_timeout=10).lookup("foo@domain.com")

        def shows_new_error() -> bool:
            snapshot = health[-1].snapshot
            errors = snapshot.recent.errors if snapshot.recent is not None else []
            return (snapshot is not first and bool(errors)
                    and (errors[-1].line.timestamp or 0.0) >= since)

        wait_until(shows_new_error, 120, "a health run showing the new error")
        newest = health[-1].snapshot
        assert newest.recent is not None
        cell = newest.cell("last_error")
        assert cell.state is State.BAD
        assert cell.word.startswith(newest.recent.errors[-1].signature.id)
    finally:
        monitor.stop(wait=15)

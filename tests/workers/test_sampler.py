"""The Workers pane's sampler against the real lab: idle, saturated and stopped pools."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from tests.waiting import sample_until
from tui.core.authdaemon.outcome import Outcome
from tui.core.installation import Installation
from tui.core.workers.sampler import WorkersSampler
from tui.core.workers.verdict import SLOW_QUERY_SECONDS, PoolState
from tui.lab.lab import Lab
from tui.lab.seed import LAB_DB_PASSWORD, LAB_DB_USER

MAILBOX = "foo@domain.com"
PASSWORD_FAILED = f'password authentication failed for user "{LAB_DB_USER}"'


@pytest.fixture
def make_sampler(lab: Lab) -> Iterator[Callable[[], WorkersSampler]]:
    made: list[WorkersSampler] = []

    def build() -> WorkersSampler:
        sampler = WorkersSampler(Installation.from_flags({"config": str(lab.settings_file)}))
        made.append(sampler)
        return sampler

    yield build
    for sampler in made:
        sampler.close()


def test_idle_pool_is_idle_with_nothing_busy_or_queued(
    healthy_lab: Lab, make_sampler: Callable[[], WorkersSampler]
) -> None:
    sampler = make_sampler()
    for _ in range(3):
        sampler.sample_pool()
        probe = sampler.probe()
        assert probe is not None
        assert probe.outcome is Outcome.NOT_FOUND  # the probe address cannot exist
        assert probe.latency > 0
    # The worker that answered the last probe closes its end just after the answer: a pool
    # sampled at once may still see it holding that connection.
    pool = sample_until(sampler.sample_pool, lambda p: p.busy == 0 and p.queued == 0, 10.0,
                        "the worker to let go of the probe's connection")
    sessions = sampler.sample_sessions()
    snapshot = sampler.snapshot()
    assert pool.configured == 2 and pool.alive == 2
    assert snapshot.verdict.state is PoolState.IDLE
    assert snapshot.verdict.headline.startswith("Idle: 0/2 workers busy, 0 queued, probe p95 ")
    assert snapshot.stats.probes == 3 and snapshot.stats.tempfails == 0
    assert snapshot.stats.p50 is not None and snapshot.stats.p95 is not None
    assert sessions is not None and sessions.error == ""
    # The workers keep their database connections open: idle sessions of the mail role.
    assert all(not session.running for session in sessions.sessions)
    assert len(snapshot.queue_series) >= 4 and set(snapshot.queue_series) == {0.0}


def test_saturated_pool_busy_queue_verdict_and_database_sessions(
    break_lab: Callable[..., Lab], make_sampler: Callable[[], WorkersSampler]
) -> None:
    lab = break_lab("workers-saturated")  # daemons=2, a 3 s SELECT (pg_sleep)
    sampler = make_sampler()
    sampler.sample_pool()
    sampler.probe()  # before the burst: the pool is free, the probe runs (3 s query)
    outcomes: list[Outcome] = []

    def client() -> None:
        outcomes.append(lab.client(read_timeout=8).lookup(MAILBOX).outcome)

    clients = [threading.Thread(target=client) for _ in range(10)]
    for thread in clients:
        thread.start()
    try:
        # Two clients inside the 3 s query, the other eight queued behind them (some may not
        # have connected yet when the first sample is taken: sample until they have).
        pool = sample_until(sampler.sample_pool,
                            lambda p: p.busy == 2 and p.queued is not None and p.queued >= 5,
                            timeout=2.5, what="2 busy workers and at least 5 queued lookups")
        skipped = sampler.probe()
        # The two queries in PostgreSQL, once they have run long enough to count as slow.
        sessions = sample_until(
            sampler.sample_sessions,
            lambda s: s is not None and len(s.running) == 2
            and all((q.query_seconds or 0) >= SLOW_QUERY_SECONDS for q in s.running),
            timeout=2.5, what="two lookup queries running for longer than the slow mark")
        snapshot = sampler.snapshot()
    finally:
        for thread in clients:
            thread.join()
    assert pool.busy == 2 and pool.alive == 2
    assert pool.queued is not None and pool.queued >= 5
    assert skipped is not None and skipped.outcome is None and "saturated" in skipped.skipped
    verdict = snapshot.verdict
    assert verdict.state is PoolState.SATURATED
    assert verdict.headline.startswith(f"Saturated: 2/2 workers busy, {pool.queued} queued")
    assert "PostgreSQL shows 2 queries running" in verdict.headline
    assert "the lookup query is slow" in verdict.headline
    assert sessions is not None
    running = sessions.running
    assert len(running) == 2
    assert all(session.query.lstrip().upper().startswith("SELECT") for session in running)
    assert any("PgSleep" in session.wait_event for session in running)
    assert "slow query" in verdict.advice
    # The lab platform: its own stand-in for cpcmd + upcp.
    assert len(verdict.fix) == 1
    assert verdict.fix[0].endswith(f"authlib-tui lab --dir {lab.root} set-workers 5")
    assert outcomes.count(Outcome.FOUND) >= 2  # the first two were really served


def test_stopped_daemon_names_the_stale_socket(
    break_lab: Callable[..., Lab], make_sampler: Callable[[], WorkersSampler]
) -> None:
    lab = break_lab("daemon-stopped")
    sampler = make_sampler()
    pool = sampler.sample_pool()
    probe = sampler.probe()
    snapshot = sampler.snapshot()
    assert pool.alive == 0 and not pool.listening
    assert probe is not None and probe.outcome is Outcome.CONNECT_REFUSED
    verdict = snapshot.verdict
    assert verdict.state is PoolState.STOPPED
    assert str(lab.socket_path) in verdict.headline and "stale" in verdict.headline
    assert any("Connection refused" in line for line in verdict.evidence)
    assert verdict.fix and "start" in verdict.fix[0]


def test_wrong_database_password_shows_as_a_session_error_without_the_password(
    break_lab: Callable[..., Lab], make_sampler: Callable[[], WorkersSampler]
) -> None:
    lab = break_lab("db-password-wrong")
    sampler = make_sampler()
    sampler.sample_pool()
    for _ in range(3):
        sampler.probe()
    sessions = sampler.sample_sessions()
    snapshot = sampler.snapshot()
    assert sessions is not None and sessions.sessions == ()
    assert PASSWORD_FAILED in sessions.error
    assert LAB_DB_PASSWORD not in sessions.error
    assert snapshot.verdict.state is PoolState.FAILING
    assert "tempfail" in snapshot.verdict.headline
    # Retried only after a pause, so PostgreSQL's log is not flooded: asking again at once
    # gives the same error without a new login (PostgreSQL logs each failed one).
    failed_logins = lab.pg.log_file.read_text(errors="replace").count(PASSWORD_FAILED)
    again = sampler.sample_sessions()
    assert again is not None and again.error == sessions.error
    assert lab.pg.log_file.read_text(errors="replace").count(PASSWORD_FAILED) == failed_logins


def test_a_fixed_password_is_used_by_the_next_sample(
    break_lab: Callable[..., Lab], make_sampler: Callable[[], WorkersSampler]
) -> None:
    """The installation was read while the password was wrong; the fix rewrites authpgsqlrc."""
    lab = break_lab("db-password-wrong")
    sampler = make_sampler()
    sampler.sample_pool()
    broken = sampler.sample_sessions()
    assert broken is not None and PASSWORD_FAILED in broken.error
    lab.fix_sync_password()  # the lab's stand-in for the platform's fix: authpgsqlrc rewritten
    sampler.sample_pool()
    fixed = sampler.sample_sessions()
    assert fixed is not None
    assert fixed.error == "", fixed.error


def test_a_sampler_built_on_an_old_reading_reads_the_configs_afresh(
    break_lab: Callable[..., Lab], lab: Lab
) -> None:
    """The app reads its installation at start; the Workers pane may open after a fix."""
    break_lab("db-password-wrong")
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    assert installation.authpgsqlrc is not None  # read now, with the wrong password
    lab.fix_sync_password()
    sampler = WorkersSampler(installation)
    try:
        sampler.sample_pool()
        sessions = sampler.sample_sessions()
        assert sessions is not None
        assert sessions.error == "", sessions.error
    finally:
        sampler.close()

"""The app's own lookups are never other clients' load on the Workers pane, against the real lab.

The health pass looks addresses up over the same socket the pool sample watches. A
worker serving one of those lookups is busy (the kernel says so, and the gauge shows
it), but an idle lab must still be judged Idle, not Healthy.

To catch a worker busy at a known moment, without timing: the lab's mail table is
locked, so the worker serving a lookup waits inside its SELECT and keeps the
connection until the lock is released. Another client is a real connection that has
sent nothing yet: a worker accepted it and waits for its request.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.waiting import sample_until
from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.context import CheckContext
from tui.core.installation import Installation
from tui.core.recording import observations as rows
from tui.core.workers.sampler import WorkersSampler
from tui.core.workers.verdict import PoolState
from tui.lab.lab import Lab
from tui.lab.seed import LAB_DB_NAME

CHECK_TIMEOUT = 60.0  # the held lookup must outlast the test's wait, whatever the machine's load
WAIT = 20.0  # deadline for a worker to pick a connection up


@pytest.fixture
def installation(healthy_lab: Lab) -> Installation:
    return Installation.from_flags({"config": str(healthy_lab.settings_file)})


@pytest.fixture
def sampler(installation: Installation) -> Iterator[WorkersSampler]:
    made = WorkersSampler(installation)
    yield made
    made.close()


@contextmanager
def held_in_flight(lab: Lab, lookup: Callable[[], object]) -> Iterator[threading.Thread]:
    """Run `lookup` on a thread and keep it in flight until the block ends.

    The lab's mail table stays locked meanwhile: the worker serving the lookup waits in
    its SELECT, holding the connection, until the lock is released on the way out.
    """
    thread = threading.Thread(target=lookup, name="held-lookup", daemon=True)
    with lab.pg.superuser(LAB_DB_NAME) as conn:
        try:
            with conn.transaction():
                conn.execute("LOCK TABLE email_lookup IN ACCESS EXCLUSIVE MODE")
                thread.start()
                yield thread
        finally:
            if thread.ident is not None:
                thread.join(CHECK_TIMEOUT)
    assert not thread.is_alive(), "the held lookup did not end once the table was unlocked"


@contextmanager
def other_client(lab: Lab) -> Iterator[socket.socket]:
    """A real client of the daemon that has connected and sent nothing yet."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(lab.socket_path))
        yield client


def health_probe(installation: Installation) -> Callable[[], object]:
    """The health pass's own lookup of the probe address, as the monitor runs it."""
    context = CheckContext(installation, timeout=CHECK_TIMEOUT)
    return lambda: context.probe


def test_a_health_lookup_in_flight_is_busy_but_not_load(
    healthy_lab: Lab, installation: Installation, sampler: WorkersSampler
) -> None:
    with held_in_flight(healthy_lab, health_probe(installation)) as lookup:
        pool = sample_until(sampler.sample_pool, lambda p: p.busy == 1, WAIT,
                            "the worker serving the health check's lookup to be busy")
        snapshot = sampler.snapshot()
        assert lookup.is_alive()  # still in flight when the pool was sampled
    assert pool.busy == 1 and pool.busy_pids  # the gauge tells the truth: a worker is busy
    assert not pool.probe_in_flight  # the sampler's own probe did not run
    assert pool.busy_for_others == 0
    assert snapshot.verdict.state is PoolState.IDLE, snapshot.verdict.headline
    assert snapshot.verdict.headline.startswith("Idle: 1/2 workers busy, 0 queued")


def test_another_clients_connection_is_load(
    healthy_lab: Lab, sampler: WorkersSampler
) -> None:
    with other_client(healthy_lab):
        pool = sample_until(sampler.sample_pool, lambda p: p.busy == 1, WAIT,
                            "a worker to accept the other client's connection")
        snapshot = sampler.snapshot()
    assert pool.busy_for_others == 1
    assert snapshot.verdict.state is PoolState.HEALTHY, snapshot.verdict.headline
    assert snapshot.verdict.headline.startswith("Healthy: 1/2 workers busy, 0 queued")


def test_with_ours_and_anothers_in_flight_only_the_other_counts(
    healthy_lab: Lab, installation: Installation, sampler: WorkersSampler
) -> None:
    with held_in_flight(healthy_lab, health_probe(installation)):
        sample_until(sampler.sample_pool, lambda p: p.busy == 1, WAIT,
                     "the worker serving the health check's lookup to be busy")
        with other_client(healthy_lab):
            pool = sample_until(sampler.sample_pool, lambda p: p.busy == 2, WAIT,
                                "the second worker to accept the other client's connection")
    assert pool.busy == 2 and pool.alive == 2
    assert pool.busy_for_others == 1


def test_a_lookup_of_ours_that_just_ended_counts_for_the_next_sample_only(
    healthy_lab: Lab, installation: Installation, sampler: WorkersSampler
) -> None:
    """The worker that answered may not have closed its end yet when the pool is sampled."""
    sample_until(sampler.sample_pool, lambda p: p.own_lookups == 0, WAIT,
                 "a sample with no lookup of ours about")
    context = CheckContext(installation, timeout=CHECK_TIMEOUT)
    assert context.probe is not None and context.probe.outcome is Outcome.NOT_FOUND
    just_after = sampler.sample_pool()
    later = sampler.sample_pool()
    assert just_after.own_lookups == 1
    assert later.own_lookups == 0


def test_the_labs_client_stands_in_for_the_mail_system_and_is_not_ours(
    healthy_lab: Lab, sampler: WorkersSampler
) -> None:
    sample_until(sampler.sample_pool, lambda p: p.own_lookups == 0, WAIT,
                 "a sample with no lookup of ours about")
    assert healthy_lab.client().lookup("foo@domain.com").outcome is Outcome.FOUND
    assert sampler.sample_pool().own_lookups == 0


def test_a_recorded_sample_keeps_its_own_lookups(
    healthy_lab: Lab, installation: Installation, sampler: WorkersSampler
) -> None:
    with held_in_flight(healthy_lab, health_probe(installation)):
        pool = sample_until(sampler.sample_pool, lambda p: p.busy == 1, WAIT,
                            "the worker serving the health check's lookup to be busy")
        snapshot = sampler.snapshot()
    assert snapshot.pool == pool and pool.own_lookups == 1
    row = rows.pool_row(snapshot, str)
    replayed = rows.pool_sample(pool.taken_at, row)
    assert replayed is not None
    assert (replayed.busy, replayed.own_lookups, replayed.busy_for_others) == (1, 1, 0)
    # A row recorded before our own lookups were counted: only the probe was known as ours.
    del row["own_lookups"]
    probing = rows.pool_sample(pool.taken_at, {**row, "probe_in_flight": True})
    not_probing = rows.pool_sample(pool.taken_at, {**row, "probe_in_flight": False})
    assert probing is not None and probing.busy_for_others == 0
    assert not_probing is not None and not_probing.busy_for_others == 1

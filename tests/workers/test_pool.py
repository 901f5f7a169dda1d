"""The pool as sample_pool sees it, against the real authdaemond of the lab."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_as_nobody
from tests.waiting import sample_until
from tui.core.authdaemon.client import LookupResult
from tui.core.config.authdaemonrc import load_authdaemonrc
from tui.core.discovery.discover import discover
from tui.core.discovery.processes import DaemonProcesses, find_daemon_processes
from tui.core.settings import load_settings
from tui.core.workers import pool
from tui.core.workers.pool import NOT_ROOT_NOTE, PoolSample, sample_pool, sample_pool_for
from tui.lab.lab import Lab

MAILBOX = "foo@domain.com"


def lab_sample(lab: Lab, configured: int | None) -> PoolSample:
    processes = find_daemon_processes(lab.socket_path.parent / "pid")
    return sample_pool(lab.socket_path, processes, configured)


def test_healthy_pool_is_idle_and_listening(healthy_lab: Lab) -> None:
    sample = lab_sample(healthy_lab, configured=2)
    assert sample.configured == 2
    assert sample.alive == 2
    assert len(sample.worker_pids) == 2
    assert set(sample.worker_pids) <= set(healthy_lab.daemon_pids())
    assert sample.busy == 0
    assert sample.busy_pids == ()
    assert sample.queued == 0
    assert sample.backlog is not None and sample.backlog > 0
    assert sample.listening
    assert sample.notes == ()
    assert abs(sample.taken_at - time.time()) < 5


def test_worker_database_connections_do_not_count_as_busy(healthy_lab: Lab) -> None:
    """After lookups every worker holds its PostgreSQL connection; none is serving a client."""
    for _ in range(4):  # more lookups than workers, so both have connected to the database
        assert healthy_lab.client(read_timeout=5).lookup(MAILBOX).found
    processes = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    held_sockets = sum(
        1
        for pid in processes.worker_pids
        for fd in os.listdir(f"/proc/{pid}/fd")
        if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")
    )
    # listener + database connection per worker: the workers do hold non-listening sockets
    assert held_sockets > len(processes.worker_pids)
    sample = sample_pool(healthy_lab.socket_path, processes, configured=2)
    assert sample.busy == 0
    assert sample.alive == 2


@pytest.mark.parametrize("asked", ["one by one", "by a dump"])
def test_saturated_pool_shows_the_busy_worker_and_the_queue(
    break_lab: Callable[..., Lab], monkeypatch: pytest.MonkeyPatch, asked: str,
) -> None:
    """The same answer whether the workers' sockets are asked about one by one or dumped."""
    if asked == "by a dump":
        monkeypatch.setattr(pool, "EXACT_LIMIT", 0)
    lab = break_lab("workers-saturated")  # two workers, a 3 s query
    results: list[LookupResult] = []

    def lookup() -> None:
        results.append(lab.client(read_timeout=5).lookup(MAILBOX))

    threads = [threading.Thread(target=lookup) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        # Both workers inside the 3 s query and the other two lookups waiting in the backlog.
        sample = sample_until(lambda: lab_sample(lab, configured=2),
                              lambda s: s.busy == 2 and s.queued == 2, timeout=2.5,
                              what="two busy workers and two queued lookups")
    finally:
        for thread in threads:
            thread.join()
    assert sample.alive == 2
    assert sample.busy == 2
    assert sample.busy_pids == sample.worker_pids
    assert sample.queued == 2
    assert sample.listening
    assert len(results) == 4  # the lookups really ran (two found, the others queued)
    assert any(result.found for result in results)


def test_stopped_daemon_has_no_workers_and_no_listener(break_lab: Callable[..., Lab]) -> None:
    lab = break_lab("daemon-stopped")
    assert lab.socket_path.exists()  # the stale socket file is left behind
    sample = lab_sample(lab, configured=2)
    assert sample.alive == 0
    assert sample.worker_pids == ()
    assert sample.listening is False
    assert sample.queued is None
    assert sample.backlog is None
    assert sample.busy == 0
    assert any("nothing listens" in note for note in sample.notes)


def test_without_a_socket_path_the_queue_is_unknown(healthy_lab: Lab) -> None:
    processes = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    sample = sample_pool(None, processes, configured=None)
    assert sample.alive == 2
    assert sample.busy == 0  # busy does not need the path: the workers hold the listener
    assert sample.queued is None and sample.backlog is None
    assert not sample.listening
    assert sample.notes


def test_a_worker_that_exited_is_left_out(healthy_lab: Lab) -> None:
    real = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    gone = DaemonProcesses(
        logger_pid=real.logger_pid,
        parent_pid=real.parent_pid,
        worker_pids=(*real.worker_pids, 2**22 + 1),  # above pid_max's default: never running
    )
    sample = sample_pool(healthy_lab.socket_path, gone, configured=2)
    assert sample.worker_pids == real.worker_pids
    assert sample.alive == 2


def test_as_nobody_busy_is_unknown_and_says_why(healthy_lab: Lab) -> None:
    processes = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    sample = run_as_nobody(lambda: sample_pool(healthy_lab.socket_path, processes, 2))
    assert sample.busy is None
    assert NOT_ROOT_NOTE in sample.notes
    assert sample.alive == 2  # /proc/PID itself stays visible
    assert sample.listening  # sock_diag answers unprivileged users too
    assert sample.queued == 0


def test_sample_pool_for_uses_discovery_and_authdaemonrc(healthy_lab: Lab, tmp_path: Path) -> None:
    settings = load_settings(
        {"conf_dir": None, "socket": None, "config": str(healthy_lab.settings_file)},
        environ={},
        home=tmp_path,
    )
    found = discover(settings)
    assert found.socket.value == healthy_lab.socket_path
    sample = sample_pool_for(found, load_authdaemonrc(healthy_lab.authdaemonrc))
    assert sample.configured == 2
    assert sample.alive == 2
    assert sample.listening
    assert sample.busy == 0


def test_refresh_workers_reads_the_parents_children_like_a_full_scan(healthy_lab: Lab) -> None:
    from tui.core.discovery.processes import refresh_workers

    full = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    quick = refresh_workers(full)
    assert quick is not None
    assert quick.worker_pids == full.worker_pids and len(quick.worker_pids) == 2
    assert quick.worker_started == full.worker_started
    healthy_lab.fix_restart()  # new parent and workers: the old parent is gone
    assert refresh_workers(full) is None
    assert refresh_workers(DaemonProcesses()) is None


def test_workers_listening_on_another_file_leave_this_one_without_listener(
    healthy_lab: Lab, tmp_path: Path
) -> None:
    """A stale socket file elsewhere: the workers' own listener is not taken for its."""
    stale = tmp_path / "socket"
    orphan = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    orphan.bind(str(stale))
    orphan.close()  # the file stays, nothing listens on it
    processes = find_daemon_processes(healthy_lab.socket_path.parent / "pid")
    sample = sample_pool(stale, processes, configured=2)
    assert sample.alive == 2 and sample.busy == 0
    assert not sample.listening and sample.queued is None
    assert f"nothing listens on {stale}: no listen queue" in sample.notes

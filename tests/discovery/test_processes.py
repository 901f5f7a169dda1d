"""Finding the authdaemond tree in /proc: a fake procfs for the odd cases, real processes too."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.zombie import unreaped_authdaemond
from tui.core.discovery.processes import DaemonProcesses, find_daemon_processes

BTIME = 1_700_000_000


def fake_proc(
    proc: Path,
    entries: list[tuple[int, str, int]],
    *,
    argv0: dict[int, str] | None = None,
    start_ticks: int = 500,
    states: dict[int, str] | None = None,
) -> Path:
    """A procfs with /proc/stat (btime) and <pid>/stat + cmdline for each (pid, comm, ppid);
    every process sleeps (state S) unless `states` says otherwise."""
    proc.mkdir(parents=True, exist_ok=True)
    (proc / "stat").write_text(f"cpu  1 2 3\nbtime {BTIME}\nprocesses 9\n")
    for pid, comm, ppid in entries:
        pid_dir = proc / str(pid)
        pid_dir.mkdir()
        fields = " ".join(["0"] * 17)  # fields 5..21
        state = (states or {}).get(pid, "S")
        (pid_dir / "stat").write_text(
            f"{pid} ({comm}) {state} {ppid} {fields} {start_ticks + pid} 0\n")
        name = (argv0 or {}).get(pid, f"/usr/lib/courier/courier-authlib/{comm}")
        (pid_dir / "cmdline").write_bytes(name.encode() + b"\0arg\0")
    return proc


STANDARD_TREE = [
    (1, "systemd", 0),
    (700, "courierlogger", 1),
    (701, "authdaemond", 700),
    (702, "authdaemond", 701),
    (703, "authdaemond", 701),
    (704, "authdaemond", 701),
    (900, "postgres", 1),
]


def test_no_pid_file_and_nothing_running_is_empty(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", [(1, "systemd", 0), (50, "sshd", 1)])
    assert find_daemon_processes(None, proc=proc) == DaemonProcesses()


def test_nonexistent_pid_file_gives_an_empty_result(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", [(1, "systemd", 0)])
    result = find_daemon_processes(tmp_path / "no-such-dir" / "pid", proc=proc)
    assert result.logger_pid is None
    assert result.parent_pid is None
    assert result.worker_pids == ()
    assert result.notes == ()  # a missing pid file is normal when stopped
    assert not result.running


def test_nonexistent_pid_file_on_the_real_proc(tmp_path: Path) -> None:
    result = find_daemon_processes(tmp_path / "pid")
    assert not any("pid file" in note for note in result.notes)
    if result.parent_pid is None:  # none, or several trees (labs) and no pid file to choose
        assert result.worker_pids == () and result.logger_pid is None
    else:  # one daemon runs here: whatever was found is a consistent tree
        assert result.parent_pid not in result.worker_pids


def test_missing_proc_is_tolerated(tmp_path: Path) -> None:
    assert find_daemon_processes(None, proc=tmp_path / "no-proc") == DaemonProcesses()


def test_standard_tree_through_the_pid_file(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    pid_file = tmp_path / "pid"
    pid_file.write_text("700\n")

    result = find_daemon_processes(pid_file, proc=proc)

    ticks = os.sysconf("SC_CLK_TCK")
    assert result.logger_pid == 700
    assert result.parent_pid == 701
    assert result.worker_pids == (702, 703, 704)
    assert set(result.worker_started) == {702, 703, 704}
    assert result.worker_started[703] == pytest.approx(BTIME + (500 + 703) / ticks)
    assert result.other_parent_pids == ()
    assert result.notes == ()


def test_standard_tree_without_pid_file_finds_logger_from_parent(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    result = find_daemon_processes(None, proc=proc)
    assert (result.logger_pid, result.parent_pid) == (700, 701)
    assert result.worker_pids == (702, 703, 704)


def test_stale_pid_file_pointing_at_another_program(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    pid_file = tmp_path / "pid"
    pid_file.write_text("900\n")

    result = find_daemon_processes(pid_file, proc=proc)

    # Still found by scanning, and the logger is taken from the parent's parent.
    assert (result.logger_pid, result.parent_pid) == (700, 701)
    assert any("stale" in note and "900" in note for note in result.notes)


def test_pid_file_naming_a_dead_pid(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", [(1, "systemd", 0)])
    pid_file = tmp_path / "pid"
    pid_file.write_text("4242\n")
    result = find_daemon_processes(pid_file, proc=proc)
    assert result.logger_pid is None
    assert result.notes == (f"pid file {pid_file} names pid 4242, which is not running",)


def test_garbage_pid_file(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", [(1, "systemd", 0)])
    pid_file = tmp_path / "pid"
    pid_file.write_text("not a pid\n")
    result = find_daemon_processes(pid_file, proc=proc)
    assert result.notes == (f"pid file {pid_file} does not hold a pid",)


def test_pid_file_naming_authdaemond_directly(tmp_path: Path) -> None:
    """openSUSE's unit may start authdaemond without courierlogger and name it in PIDFile."""
    proc = fake_proc(
        tmp_path / "proc",
        [(1, "systemd", 0), (20, "authdaemond", 1), (21, "authdaemond", 20)],
    )
    pid_file = tmp_path / "pid"
    pid_file.write_text("20")
    result = find_daemon_processes(pid_file, proc=proc)
    assert (result.logger_pid, result.parent_pid, result.worker_pids) == (None, 20, (21,))


def test_logger_tree_is_preferred_and_others_are_reported(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path / "proc",
        [
            (1, "systemd", 0),
            (10, "authdaemond", 1),  # a stray daemon started by hand
            (11, "authdaemond", 10),
            *STANDARD_TREE[1:],
        ],
    )
    result = find_daemon_processes(None, proc=proc)
    assert result.parent_pid == 701
    assert result.worker_pids == (702, 703, 704)
    assert result.other_parent_pids == (10,)
    assert any("10" in note for note in result.notes)


def test_pid_file_pins_the_tree_among_several(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path / "proc",
        [
            *STANDARD_TREE,
            (800, "courierlogger", 1),
            (801, "authdaemond", 800),
            (802, "authdaemond", 801),
        ],
    )
    pid_file = tmp_path / "pid"
    pid_file.write_text("800\n")
    result = find_daemon_processes(pid_file, proc=proc)
    assert (result.logger_pid, result.parent_pid, result.worker_pids) == (800, 801, (802,))
    assert result.other_parent_pids == (701,)


def test_wrapper_shell_script_is_not_the_daemon(tmp_path: Path) -> None:
    """`/usr/sbin/authdaemond start` is a sh script: comm says authdaemond, argv[0] says sh."""
    proc = fake_proc(
        tmp_path / "proc",
        [(1, "systemd", 0), (30, "authdaemond", 1)],
        argv0={30: "/bin/sh"},
    )
    assert find_daemon_processes(None, proc=proc).parent_pid is None


def test_argv0_names_the_process_when_comm_differs(tmp_path: Path) -> None:
    """`exec -a authdaemond` changes argv[0] but not comm; both must be recognised."""
    proc = fake_proc(
        tmp_path / "proc",
        [(1, "systemd", 0), (40, "bash", 1), (41, "sleep", 40)],
        argv0={40: "authdaemond", 41: "authdaemond"},
    )
    result = find_daemon_processes(None, proc=proc)
    assert (result.parent_pid, result.worker_pids) == (40, (41,))


def test_broken_and_vanished_entries_are_skipped(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    (proc / "self").mkdir()  # non-numeric entries are ignored
    (proc / "702" / "stat").unlink()  # vanished between listing and reading
    (proc / "703" / "stat").write_text("703 (authdaemond\n")  # garbled
    (proc / "704" / "cmdline").unlink()  # unreadable cmdline: comm is used
    (proc / "950").mkdir()
    (proc / "950" / "stat").write_text("950 (weird) name) S 1 " + " ".join(["0"] * 17) + " 5\n")

    result = find_daemon_processes(None, proc=proc)

    assert result.parent_pid == 701
    assert result.worker_pids == (704,)


def test_unreadable_entries_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    real_open = os.open

    def guarded_open(path: str, flags: int, *args: int) -> int:
        # As root nothing in a test directory is unreadable: refuse this one file instead.
        if path == f"{proc}/703/stat":
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded_open)
    result = find_daemon_processes(None, proc=proc)
    assert result.worker_pids == (702, 704)


def test_without_btime_start_times_are_left_out(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    (proc / "stat").write_text("cpu 1 2 3\n")
    result = find_daemon_processes(None, proc=proc)
    assert result.worker_pids == (702, 703, 704)
    assert dict(result.worker_started) == {}


# --- a real process tree --------------------------------------------------------------------

BASH = shutil.which("bash")

# courierlogger (bash) → authdaemond (bash) → 2 × authdaemond (sleep), all named by argv[0].
TREE_SCRIPT = (
    "(exec -a authdaemond bash -c '"
    "for i in 1 2; do (exec -a authdaemond sleep 120) & done; wait') & wait"
)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.fixture
def real_tree() -> Iterator[tuple[int, int, list[int]]]:
    """Start the fake daemon tree in its own session; yield (logger, parent, workers)."""
    assert BASH is not None
    logger = subprocess.Popen(
        ["courierlogger", "-c", TREE_SCRIPT], executable=BASH, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 10
        parent, workers = 0, []
        while time.monotonic() < deadline:
            kids = _children(logger.pid)
            if kids:
                parent = kids[0]
                workers = _children(parent)
                if len(workers) == 2:
                    break
            time.sleep(0.05)
        assert parent and len(workers) == 2, "the test process tree did not come up"
        # Wait for the exec in each worker so argv[0] is the final one.
        time.sleep(0.2)
        yield logger.pid, parent, sorted(workers)
    finally:
        os.killpg(logger.pid, signal.SIGTERM)  # only the session we started
        logger.wait(timeout=10)


@pytest.mark.skipif(
    BASH is None or not Path("/proc/self/stat").exists(), reason="needs bash, /proc"
)
def test_real_tree_through_pid_file(tmp_path: Path, real_tree: tuple[int, int, list[int]]) -> None:
    logger_pid, parent_pid, worker_pids = real_tree
    pid_file = tmp_path / "pid"
    pid_file.write_text(f"{logger_pid}\n")

    result = find_daemon_processes(pid_file)

    assert result.logger_pid == logger_pid
    assert result.parent_pid == parent_pid
    assert result.worker_pids == tuple(worker_pids)
    now = time.time()
    for pid in worker_pids:
        # /proc start times have clock-tick resolution and btime is whole seconds.
        assert now - 60 < result.worker_started[pid] <= now + 2


@pytest.mark.skipif(
    BASH is None or not Path("/proc/self/stat").exists(), reason="needs bash, /proc"
)
def test_real_tree_without_pid_file_and_a_worker_dying(
    tmp_path: Path, real_tree: tuple[int, int, list[int]]
) -> None:
    logger_pid, parent_pid, worker_pids = real_tree

    result = find_daemon_processes(None)
    # Another authdaemond may run on the machine; ours must be one of the trees found.
    assert parent_pid in (result.parent_pid, *result.other_parent_pids)

    os.kill(worker_pids[0], signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and worker_pids[0] in _children(parent_pid):
        time.sleep(0.05)
    pid_file = tmp_path / "pid"
    pid_file.write_text(f"{logger_pid}\n")
    after = find_daemon_processes(pid_file)
    assert after.parent_pid == parent_pid
    assert after.worker_pids == (worker_pids[1],)


def test_another_tree_is_not_taken_for_this_sockets_daemon(tmp_path: Path) -> None:
    """Two trees and a stale pid file: neither is taken for this socket's daemon."""
    second_tree = [(800, "courierlogger", 1), (801, "authdaemond", 800),
                   (802, "authdaemond", 801)]
    proc = fake_proc(tmp_path / "proc", [*STANDARD_TREE, *second_tree])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "pid").write_text("4242\n")  # a pid that is not running
    result = find_daemon_processes(run_dir / "pid", proc=proc)
    assert result.parent_pid is None and result.worker_pids == ()
    assert set(result.other_parent_pids) == {701, 801}
    assert any("names none of them" in note for note in result.notes)


def test_a_logged_tree_without_this_dirs_pid_file_is_another_instance(tmp_path: Path) -> None:
    """Stopped here, running elsewhere: courierlogger keeps a pid file, and this dir has none."""
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    result = find_daemon_processes(run_dir / "pid", proc=proc)
    assert (result.logger_pid, result.parent_pid, result.worker_pids) == (None, None, ())
    assert not result.running
    assert result.other_parent_pids == (701,)
    assert any("names none of them" in note for note in result.notes)


def test_a_tree_started_without_courierlogger_needs_no_pid_file(tmp_path: Path) -> None:
    """authdaemond run in the foreground writes no pid file: the one such tree is this one."""
    proc = fake_proc(tmp_path / "proc", [(1, "systemd", 0), (20, "authdaemond", 1),
                                         (21, "authdaemond", 20)])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    result = find_daemon_processes(run_dir / "pid", proc=proc)
    assert (result.logger_pid, result.parent_pid, result.worker_pids) == (None, 20, (21,))
    assert result.notes == ()


@pytest.mark.parametrize("state", ["Z", "X"])
def test_an_exited_authdaemond_is_no_second_tree(tmp_path: Path, state: str) -> None:
    """A restarted daemon's unreaped parent keeps its name: it must not hide the running tree."""
    proc = fake_proc(tmp_path / "proc", [*STANDARD_TREE, (650, "authdaemond", 1)],
                     states={650: state})
    pid_file = tmp_path / "run" / "pid"
    pid_file.parent.mkdir()
    pid_file.write_text("700\n")

    result = find_daemon_processes(pid_file, proc)

    assert result.parent_pid == 701
    assert result.worker_pids == (702, 703, 704)
    assert result.other_parent_pids == ()
    assert not any("650" in note for note in result.notes)


def test_a_zombie_worker_is_not_counted(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE, states={703: "Z"})

    assert find_daemon_processes(None, proc).worker_pids == (702, 704)


def test_a_real_zombie_named_authdaemond_is_left_out(tmp_path: Path) -> None:
    """A real exited child that nobody reaped yet, its comm `authdaemond`, as after a restart
    in a container whose PID 1 does not reap orphans."""
    with unreaped_authdaemond(tmp_path) as pid:
        assert Path(f"/proc/{pid}/comm").read_text().strip() == "authdaemond"

        result = find_daemon_processes(None)

        assert pid != result.parent_pid
        assert pid not in result.other_parent_pids
        assert pid not in result.worker_pids


def test_a_pid_file_naming_a_gone_process_means_stopped_here_not_the_other_tree(
        tmp_path: Path) -> None:
    """This dir's courierlogger exited (or is an unreaped zombie): the one tree still running
    is another instance's, not this socket's daemon."""
    proc = fake_proc(tmp_path / "proc", STANDARD_TREE)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "pid").write_text("4242\n")  # a pid that is not running
    result = find_daemon_processes(run_dir / "pid", proc=proc)
    assert (result.parent_pid, result.worker_pids) == (None, ())
    assert not result.running
    assert result.other_parent_pids == (701,)

"""Find the running authdaemond tree by reading /proc (no psutil, no signals, no sockets).

Tree: `courierlogger -pid=<authdaemonvar>/pid` → parent `authdaemond`
→ N worker `authdaemond` children. The pid file holds courierlogger's pid, but it
survives a stop, so it only counts when that pid is still a courierlogger (or, where
a unit starts the daemon directly, an authdaemond).

Processes come and go while we scan; every read tolerates a pid that vanished or a
/proc entry we may not read, and simply leaves that process out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DAEMON_NAME = "authdaemond"
LOGGER_NAME = "courierlogger"
# A shell running the /usr/sbin/authdaemond wrapper script has comm "authdaemond" too.
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})


@dataclass(frozen=True)
class DaemonProcesses:
    """What is running now. Empty (all None / ()) when no daemon was found."""

    logger_pid: int | None = None
    parent_pid: int | None = None
    worker_pids: tuple[int, ...] = ()
    # pid → start time, epoch seconds; only for workers whose stat could be read.
    worker_started: Mapping[int, float] = field(default_factory=dict)
    # Other authdaemond trees (e.g. a second instance or a lab daemon) left out of the above.
    other_parent_pids: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.parent_pid is not None


@dataclass(frozen=True)
class _ProcInfo:
    pid: int
    ppid: int
    name: str
    start_ticks: int


# A zombie (Z) or a dying task (X) has exited: it keeps its name until its parent reaps it,
# which on a host whose PID 1 reaps no orphans may be never. It is no daemon.
_GONE_STATES = frozenset({"Z", "X"})


def _read_stat(proc: Path, pid: int) -> tuple[str, int, int] | None:
    """(comm, ppid, starttime ticks) from /proc/<pid>/stat, or None if it is gone, exited
    (a zombie) or garbled."""
    try:  # os-level: the sampler reads a few of these every second
        descriptor = os.open(f"{proc}/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
        try:
            text = os.read(descriptor, 4096).decode("utf-8", errors="replace")
        finally:
            os.close(descriptor)
    except OSError:
        return None
    # comm is in parentheses and may itself contain spaces or ')'; the last ')' ends it.
    open_paren, close_paren = text.find("("), text.rfind(")")
    if open_paren < 0 or close_paren < open_paren:
        return None
    comm = text[open_paren + 1 : close_paren]
    rest = text[close_paren + 1 :].split()
    # rest[0] is field 3 (state): ppid is field 4, starttime field 22.
    if not rest or rest[0] in _GONE_STATES:
        return None
    try:
        return comm, int(rest[1]), int(rest[19])
    except (IndexError, ValueError):
        return None


def _argv0_name(proc: Path, pid: int) -> str | None:
    """Basename of argv[0]: `exec -a`/courierlogger set it, while comm is the executable's name."""
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    argv0 = raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")
    if not argv0:
        return None  # kernel threads and zombies have no cmdline
    return argv0.rsplit("/", 1)[-1].split(" ", 1)[0]


def _process_name(proc: Path, pid: int, comm: str) -> str:
    argv0 = _argv0_name(proc, pid)
    if argv0 is None:
        return comm
    if argv0 in _SHELLS:
        return argv0
    if comm in (DAEMON_NAME, LOGGER_NAME):
        return comm
    return argv0


def _read_process(proc: Path, pid: int) -> _ProcInfo | None:
    stat = _read_stat(proc, pid)
    if stat is None:
        return None
    comm, ppid, start_ticks = stat
    return _ProcInfo(pid, ppid, _process_name(proc, pid, comm), start_ticks)


def _scan(proc: Path) -> dict[int, _ProcInfo]:
    try:
        entries = [entry.name for entry in os.scandir(proc) if entry.name.isdigit()]
    except OSError:
        return {}
    table: dict[int, _ProcInfo] = {}
    for name in entries:
        info = _read_process(proc, int(name))
        if info is not None:
            table[info.pid] = info
    return table


_BOOT_TIMES: dict[Path, float] = {}  # the boot time does not change: read once per procfs


def _boot_time(proc: Path) -> float | None:
    if proc in _BOOT_TIMES:
        return _BOOT_TIMES[proc]
    try:
        for line in (proc / "stat").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("btime "):
                _BOOT_TIMES[proc] = float(line.split()[1])
                return _BOOT_TIMES[proc]
    except (OSError, ValueError, IndexError):
        return None
    return None


def _clock_ticks() -> int:
    try:
        ticks = os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError):
        return 100
    return ticks if ticks > 0 else 100


def _read_pid_file(pid_file: Path) -> tuple[int | None, str | None]:
    """The pid in the file and, when it cannot be used, a note saying why."""
    try:
        text = pid_file.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"pid file {pid_file} cannot be read ({exc.strerror})"
    first = text.split()[0] if text else ""
    if not first.isdigit():
        return None, f"pid file {pid_file} does not hold a pid"
    return int(first), None


def _known_absent(path: Path) -> bool:
    """The file is known not to exist; False when it exists or cannot be looked at (a dir
    this user may not search)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def find_daemon_processes(pid_file: Path | None, proc: Path = Path("/proc")) -> DaemonProcesses:
    """The authdaemond tree: courierlogger (via `pid_file`), parent, workers and their start times.

    `proc` is the procfs mount, replaceable so tests can feed a fake tree.
    """
    notes: list[str] = []
    table = _scan(proc)

    logger_pid: int | None = None
    pinned_parent: int | None = None
    names_a_gone_process = False  # this socket dir's daemon ran and has stopped
    if pid_file is not None:
        file_pid, note = _read_pid_file(pid_file)
        if note:
            notes.append(note)
        if file_pid is not None:
            holder = table.get(file_pid)
            if holder is None:
                names_a_gone_process = True
                notes.append(f"pid file {pid_file} names pid {file_pid}, which is not running")
            elif holder.name == LOGGER_NAME:
                logger_pid = file_pid
            elif holder.name == DAEMON_NAME:
                pinned_parent = file_pid  # started without courierlogger
            else:
                notes.append(
                    f"pid file {pid_file} names pid {file_pid}, which is {holder.name!r} "
                    "now (stale pid file)"
                )

    daemons = {pid: info for pid, info in table.items() if info.name == DAEMON_NAME}
    # A parent is an authdaemond not forked by another authdaemond.
    parents = sorted(
        pid for pid, info in daemons.items() if table.get(info.ppid, _NO_PROC).name != DAEMON_NAME
    )

    parent_pid: int | None
    if pinned_parent is not None:
        parent_pid = pinned_parent
    elif logger_pid is not None:
        under_logger = [pid for pid in parents if daemons[pid].ppid == logger_pid]
        parent_pid = under_logger[0] if under_logger else None
        if parent_pid is None:
            notes.append(f"courierlogger {logger_pid} has no authdaemond child")
    elif names_a_gone_process:
        # The pid file is this socket dir's and its process is gone (an unreaped courierlogger
        # included): the daemon here stopped, and any tree still running is another instance's.
        parent_pid = None
        if parents:
            trees = "an authdaemond tree runs" if len(parents) == 1 else (
                f"{len(parents)} authdaemond trees run")
            notes.append(f"{trees} and {pid_file} names none of them")
    elif pid_file is not None and pid_file.parent.is_dir() and len(parents) > 1:
        # Several trees and this socket dir's pid file names none of them: taking one would
        # show another instance's workers as this socket's. Say so instead.
        parent_pid = None
        notes.append(f"{len(parents)} authdaemond trees run and {pid_file} names none of them")
    elif (pid_file is not None and pid_file.parent.is_dir() and _known_absent(pid_file)
          and len(parents) == 1
          and table.get(daemons[parents[0]].ppid, _NO_PROC).name == LOGGER_NAME):
        # Stopped here, running elsewhere: courierlogger keeps its pid file while its tree
        # runs, and this socket dir has none, so the one tree is another instance's (another
        # socket dir, or a lab in another mount namespace). A tree started without
        # courierlogger writes no pid file and is still taken below.
        parent_pid = None
        notes.append(f"an authdaemond tree runs and {pid_file} names none of them")
    else:
        # Prefer a tree started the usual way, under courierlogger.
        logged = [
            pid for pid in parents if table.get(daemons[pid].ppid, _NO_PROC).name == LOGGER_NAME
        ]
        candidates = logged or parents
        parent_pid = candidates[0] if candidates else None
        if parent_pid is not None and logged:
            logger_pid = daemons[parent_pid].ppid

    others = tuple(pid for pid in parents if pid != parent_pid)
    if others:
        notes.append(
            "other authdaemond trees are running too: " + ", ".join(str(pid) for pid in others)
        )

    workers: tuple[int, ...] = ()
    started: dict[int, float] = {}
    if parent_pid is not None:
        workers = tuple(sorted(pid for pid, info in daemons.items() if info.ppid == parent_pid))
        boot = _boot_time(proc)
        if boot is not None:
            ticks = _clock_ticks()
            for pid in workers:
                started[pid] = boot + daemons[pid].start_ticks / ticks

    return DaemonProcesses(
        logger_pid=logger_pid,
        parent_pid=parent_pid,
        worker_pids=workers,
        worker_started=started,
        other_parent_pids=others,
        notes=tuple(notes),
    )


_NO_PROC = _ProcInfo(pid=0, ppid=0, name="", start_ticks=0)


def _read_children(proc: Path, pid: int) -> tuple[int, ...] | None:
    """The pid's children, sorted, from its main thread's children list; None if unreadable."""
    try:
        descriptor = os.open(f"{proc}/{pid}/task/{pid}/children", os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            while chunk := os.read(descriptor, 65536):
                chunks.append(chunk)
        finally:
            os.close(descriptor)
        return tuple(sorted(int(name) for name in b"".join(chunks).split()))
    except (OSError, ValueError):
        return None


def refresh_workers(known: DaemonProcesses, proc: Path = Path("/proc")) -> DaemonProcesses | None:
    """`known` with its current workers, read from the parent's children list.

    A full scan reads every process on the machine (~9 ms for 90 processes, more on a
    busy server); once the parent is known its children say the same for a few file
    reads. When the children are exactly the known workers, `known` itself comes back
    without reading each child again: a worker that exited and was replaced within the
    second between two samples would need the kernel's pid counter to wrap around.
    None when the parent is gone or changed, or the kernel has no children file
    (CONFIG_PROC_CHILDREN): then scan again.
    """
    parent = known.parent_pid
    if parent is None:
        return None
    stat = _read_stat(proc, parent)
    if stat is None or stat[0] != DAEMON_NAME:
        return None
    children = _read_children(proc, parent)
    if children is None:
        return None
    if children == known.worker_pids:
        return known
    boot = _boot_time(proc)
    ticks = _clock_ticks()
    workers: list[int] = []
    started: dict[int, float] = {}
    for pid in children:
        child = _read_stat(proc, pid)
        if child is None or child[0] != DAEMON_NAME:
            continue  # exited meanwhile, or not a worker
        workers.append(pid)
        if boot is not None:
            started[pid] = boot + child[2] / ticks
    return replace(known, worker_pids=tuple(workers), worker_started=started)

"""How busy is the worker pool right now? Measured without connecting.

A test connection would tie up one of the few workers, so we look instead:
* alive: the worker processes (children of the authdaemond parent);
* queued / backlog: Recv-Q / Send-Q of the listener bound to the socket file;
* busy: workers holding an accepted connection. An accepted Unix socket inherits
  the listener's file (the kernel reports the same VFS inode for it), so it is an
  ESTABLISHED stream socket with the listener's file inode, found in the worker's
  /proc/PID/fd as `socket:[N]`. A worker's own database connection (TCP, or a Unix
  client socket, which is unbound) never has that inode, so it never counts.

One exact sock_diag request per socket the workers hold (a dump of the listeners when that
is not enough); processes that exit mid-scan are dropped, not errors.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.authdaemon.socket_state import (
    SS_ESTABLISHED,
    SS_LISTEN,
    UDIAG_SHOW_NAME,
    UDIAG_SHOW_RQLEN,
    UDIAG_SHOW_VFS,
    dump_unix_sockets,
    query_unix_sockets,
)
from tui.core.discovery.processes import DaemonProcesses, find_daemon_processes

if TYPE_CHECKING:
    from tui.core.config.authdaemonrc import AuthdaemonRc
    from tui.core.discovery.discover import Discovery

NOT_ROOT_NOTE = "not root: cannot see which workers hold a connection (run as root)"
_SOCKET_LINK_PREFIX = "socket:["

# (file inode, kernel-encoded device) of the file a Unix socket is bound to.
FileKey = tuple[int, int]


@dataclass(frozen=True)
class PoolSample:
    """One look at the pool. None means "could not be measured"; `notes` says why."""

    taken_at: float  # time.time()
    configured: int | None  # workers authdaemonrc asks for
    alive: int  # worker processes
    busy: int | None  # workers holding an accepted connection
    queued: int | None  # connections waiting for a worker (Recv-Q of the listener)
    backlog: int | None  # listen backlog limit (Send-Q)
    worker_pids: tuple[int, ...]
    busy_pids: tuple[int, ...]
    listening: bool  # a listener is bound to the socket file
    notes: tuple[str, ...] = ()
    # (pid, start time in epoch seconds) of the workers whose start time could be read.
    worker_started: tuple[tuple[int, float], ...] = ()
    # The Workers pane's probe was in flight (or had just ended): the pane says it waits for
    # an answer. Only the pane's note reads this; `own_lookups` counts the probe too.
    probe_in_flight: bool = False
    # Lookups of this process (the probe, the health checks', the Lookup pane's) that may hold
    # a worker in this sample: in flight, or ended since the previous sample, since a worker
    # lets go of a connection only just after answering. An upper bound, set by the sampler.
    own_lookups: int = 0

    @property
    def busy_for_others(self) -> int:
        """Busy workers that may serve other clients: `busy` less the lookups of ours that may
        be among them. `busy` itself stays what the kernel says (the gauge shows it)."""
        return max(0, (self.busy or 0) - self.own_lookups)


@dataclass(frozen=True, slots=True)
class _UnixStream:
    """A Unix stream socket from the sock_diag dump."""

    inode: int  # udiag_ino: the N in /proc/PID/fd -> socket:[N]
    state: int
    bound_file: FileKey | None  # listeners and the connections they accepted have one
    queued: int
    backlog: int


def _kernel_file_key(info: os.stat_result) -> FileKey:
    """The file's key in sock_diag's encoding of dev_t (major << 20 | minor)."""
    return info.st_ino, (os.major(info.st_dev) << 20) | os.minor(info.st_dev)


_SHOW = UDIAG_SHOW_VFS | UDIAG_SHOW_RQLEN | UDIAG_SHOW_NAME
EXACT_LIMIT = 64  # held sockets asked about one by one; with more, one dump costs less


def _streams_of(messages: list[dict[str, Any]]) -> dict[int, _UnixStream]:
    """Listening and established stream sockets among sock_diag's entries, by inode."""
    streams: dict[int, _UnixStream] = {}
    for message in messages:
        if message["udiag_type"] != socket.SOCK_STREAM:
            continue  # connected datagram sockets (e.g. to /dev/log) are ESTABLISHED too
        if message["udiag_state"] not in (SS_LISTEN, SS_ESTABLISHED):
            continue
        attrs = dict(message["attrs"])
        vfs = attrs.get("UNIX_DIAG_VFS")
        rqlen = attrs.get("UNIX_DIAG_RQLEN") or {}
        inode = int(message["udiag_ino"])
        streams[inode] = _UnixStream(
            inode=inode,
            state=int(message["udiag_state"]),
            bound_file=(int(vfs["udiag_vfs_ino"]), int(vfs["udiag_vfs_dev"])) if vfs else None,
            queued=int(rqlen.get("udiag_rqueue", 0)),
            backlog=int(rqlen.get("udiag_wqueue", 0)),
        )
    return streams


def _dump_unix_streams(held: Collection[int] | None = None) -> dict[int, _UnixStream]:
    """Listening Unix stream sockets of this network namespace, and established ones (those
    among `held` when given: the rest cannot be a worker's), by inode."""

    def select(kind: int, state: int, inode: int) -> bool:
        return kind == socket.SOCK_STREAM and (state == SS_LISTEN or held is None
                                               or inode in held)

    return _streams_of(dump_unix_sockets(
        states=(1 << SS_LISTEN) | (1 << SS_ESTABLISHED), show=_SHOW, select=select))


def _unix_streams(held: frozenset[int] | None,
                  socket_key: FileKey | None) -> dict[int, _UnixStream]:
    """The sockets the sample needs: the workers' own, and the listener of the socket file.

    The workers inherit the listener, so when it is among their sockets, asking the
    kernel about those few (one exact request each) is enough, on a host with any
    number of other sockets. Otherwise (no worker, fds unreadable, many sockets, or
    the workers listen on another file) one dump of every listener answers.
    """
    if held and len(held) <= EXACT_LIMIT:
        streams = _streams_of(query_unix_sockets(held, _SHOW))
        if socket_key is None or _listener_bound_to(socket_key, streams) is not None:
            return streams
    return _dump_unix_streams(held)


class _FdsDenied(Exception):
    """/proc/PID/fd exists but may not be listed by this user."""

    def __init__(self, pid: int, reason: str) -> None:
        super().__init__(reason)
        self.pid = pid
        self.reason = reason


def _held_socket_inodes(pid: int, proc: Path) -> frozenset[int] | None:
    """Socket inodes among the pid's open fds; None if the process is gone."""
    fd_dir = f"{proc}/{pid}/fd"  # strings, not Paths: this runs every second
    try:
        fds = os.listdir(fd_dir)
    except (FileNotFoundError, ProcessLookupError):
        return None
    except PermissionError as exc:
        raise _FdsDenied(pid, exc.strerror or "permission denied") from exc
    inodes = set()
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue  # closed between listdir and readlink
        if target.startswith(_SOCKET_LINK_PREFIX) and target.endswith("]"):
            number = target[len(_SOCKET_LINK_PREFIX) : -1]
            if number.isdigit():
                inodes.add(int(number))
    return frozenset(inodes)


def _socket_file_key(socket_path: Path | None, notes: list[str]) -> FileKey | None:
    """The socket file's key, as sock_diag reports a listener's bound file."""
    if socket_path is None:
        notes.append("no socket path known: the listen queue cannot be measured")
        return None
    try:
        return _kernel_file_key(os.stat(socket_path))
    except FileNotFoundError:
        notes.append(f"{socket_path} does not exist: nothing to listen on")
    except OSError as exc:
        notes.append(f"cannot stat {socket_path} ({exc.strerror}): the listen queue is unknown")
    return None


def _listener_bound_to(key: FileKey, streams: dict[int, _UnixStream]) -> _UnixStream | None:
    for stream in streams.values():
        if stream.state == SS_LISTEN and stream.bound_file == key:
            return stream
    return None


def _busy_workers(
    held: dict[int, frozenset[int]],
    streams: dict[int, _UnixStream],
    path_listener: _UnixStream | None,
) -> tuple[int, ...]:
    """Workers holding an ESTABLISHED socket accepted on the daemon's listener."""
    listener_files: set[FileKey] = {
        stream.bound_file
        for inodes in held.values()
        for inode in inodes
        if (stream := streams.get(inode)) is not None
        and stream.state == SS_LISTEN
        and stream.bound_file is not None
    }
    if path_listener is not None and path_listener.bound_file is not None:
        listener_files.add(path_listener.bound_file)

    def accepted(inode: int) -> bool:
        stream = streams.get(inode)
        if stream is None or stream.state != SS_ESTABLISHED or stream.bound_file is None:
            return False
        # No known listener: any accepted (file-bound) connection; clients are unbound.
        return not listener_files or stream.bound_file in listener_files

    return tuple(sorted(pid for pid, inodes in held.items() if any(accepted(i) for i in inodes)))


def sample_pool(
    socket_path: Path | None,
    processes: DaemonProcesses,
    configured: int | None,
    proc: Path = Path("/proc"),
) -> PoolSample:
    """Measure the pool now. Never raises for permissions or vanished processes.

    `proc` is the procfs mount, replaceable for tests.
    """
    taken_at = time.time()
    notes: list[str] = []
    held: dict[int, frozenset[int]] = {}
    exited: set[int] = set()
    denied: _FdsDenied | None = None
    for pid in processes.worker_pids:
        try:
            inodes = _held_socket_inodes(pid, proc)
        except _FdsDenied as exc:
            denied = denied or exc
            continue
        if inodes is None:
            exited.add(pid)
        else:
            held[pid] = inodes
    worker_pids = tuple(pid for pid in processes.worker_pids if pid not in exited)

    # The workers' sockets first: then only those (and, if need be, the listeners) are read.
    socket_key = _socket_file_key(socket_path, notes)
    try:
        streams: dict[int, _UnixStream] | None = _unix_streams(
            None if denied is not None else frozenset().union(*held.values()), socket_key)
    except OSError as exc:
        streams = None
        notes.append(f"cannot query the kernel's socket table ({exc.strerror or exc})")
    listener: _UnixStream | None = None
    if streams is not None and socket_key is not None:
        listener = _listener_bound_to(socket_key, streams)
        if listener is None:
            notes.append(f"nothing listens on {socket_path}: no listen queue")

    busy_pids: tuple[int, ...] = ()
    busy: int | None = None
    if denied is not None:
        notes.append(
            NOT_ROOT_NOTE
            if os.geteuid() != 0
            else f"cannot list /proc/{denied.pid}/fd ({denied.reason}): busy workers unknown"
        )
    elif streams is not None:
        busy_pids = _busy_workers(held, streams, listener)
        busy = len(busy_pids)

    return PoolSample(
        taken_at=taken_at,
        configured=configured,
        alive=len(worker_pids),
        busy=busy,
        queued=listener.queued if listener else None,
        backlog=listener.backlog if listener else None,
        worker_pids=worker_pids,
        busy_pids=busy_pids,
        listening=listener is not None,
        notes=tuple(notes),
        worker_started=tuple(
            (pid, processes.worker_started[pid])
            for pid in worker_pids
            if pid in processes.worker_started
        ),
    )


def sample_pool_for(discovery: Discovery, authdaemonrc: AuthdaemonRc | None) -> PoolSample:
    """Sample with fresh process data: the pid file is `<socket dir>/pid` (courierlogger's).

    `configured` is what authdaemond forks (`effective_daemons`: a missing or zero
    `daemons=` still runs one worker), None without an authdaemonrc.
    """
    socket_path = discovery.socket.value
    pid_file = socket_path.parent / "pid" if socket_path is not None else None
    processes = find_daemon_processes(pid_file)
    configured = authdaemonrc.effective_daemons if authdaemonrc is not None else None
    return sample_pool(socket_path, processes, configured)

"""Is anything listening on the socket file? Answered without connecting.

A test connection would occupy one of authdaemond's few workers for 10 s
(it waits for a request), so we ask the kernel instead (sock_diag, via
pyroute2): every listening Unix socket with the inode of the file it was bound
to. authdaemond binds `socket.tmp` and renames it to `socket`, so the inode,
not the name, identifies it. A socket file that no listener owns is stale
(what `authdaemond stop` leaves behind). The same query gives the listen
queue: Recv-Q = connections waiting for a worker, Send-Q = the backlog limit.
"""

from __future__ import annotations

import os
import socket
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

# Kernel ABI numbers (linux/unix_diag.h, TCP states shared by AF_UNIX), the same values
# pyroute2 exports; kept here so importing this module does not import pyroute2.
SS_ESTABLISHED = 1
SS_LISTEN = 10
UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_VFS = 0x02
UDIAG_SHOW_RQLEN = 0x10


def _new_diag_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sock-diag")


_DIAG_THREAD = _new_diag_thread()


def _reset_after_fork() -> None:
    """A forked child has no copy of the thread: give it its own executor."""
    global _DIAG_THREAD
    _DIAG_THREAD = _new_diag_thread()


os.register_at_fork(after_in_child=_reset_after_fork)


class SocketState(StrEnum):
    LISTENING = "listening"
    STALE = "stale"  # a socket file, nobody listening
    MISSING = "missing"
    NOT_A_SOCKET = "not-a-socket"
    NO_ACCESS = "no-access"  # cannot stat it: the directory is not searchable


@dataclass(frozen=True, slots=True)
class Listener:
    """A listening Unix socket as the kernel reports it."""

    bound_name: str  # the name it was bound to, e.g. /run/courier/authdaemon/socket.tmp
    inode: int  # the file's inode
    device: tuple[int, int]  # the file's (major, minor)
    queued: int  # connections accepted by the kernel, waiting for a worker (Recv-Q)
    backlog: int  # the listen backlog limit (Send-Q)


def _kernel_dev(dev: int) -> tuple[int, int]:
    return dev >> 20, dev & 0xFFFFF  # the kernel's internal dev_t encoding


def dump_unix_sockets(states: int, show: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """One sock_diag dump of AF_UNIX sockets, run on a private thread.

    pyroute2 0.9's synchronous DiagSocket drives an asyncio loop of its own,
    which fails ("This event loop is already running") on a thread that
    already runs one, such as Textual's. A dedicated thread avoids that for
    every caller; the timeout keeps a stuck netlink call from holding anyone.
    """

    def dump() -> list[dict[str, Any]]:
        # Imported here: pyroute2 costs ~0.2 s at import, which the app's start-up need not pay.
        from pyroute2.netlink.diag import DiagSocket

        with DiagSocket() as diag:
            diag.bind()
            return list(diag.get_sock_stats(family=socket.AF_UNIX, states=states, show=show))

    return _DIAG_THREAD.submit(dump).result(timeout=timeout)


def list_listeners() -> list[Listener]:
    """Every listening Unix socket bound to a file, in this network namespace."""
    show = UDIAG_SHOW_VFS | UDIAG_SHOW_RQLEN | UDIAG_SHOW_NAME
    messages = dump_unix_sockets(1 << SS_LISTEN, show)
    listeners = []
    for message in messages:
        attrs = dict(message["attrs"])
        vfs = attrs.get("UNIX_DIAG_VFS")
        if not vfs:
            continue  # abstract or unnamed socket: no file
        rqlen = attrs.get("UNIX_DIAG_RQLEN") or {}
        listeners.append(
            Listener(
                bound_name=str(attrs.get("UNIX_DIAG_NAME", "")),
                inode=int(vfs["udiag_vfs_ino"]),
                device=_kernel_dev(int(vfs["udiag_vfs_dev"])),
                queued=int(rqlen.get("udiag_rqueue", 0)),
                backlog=int(rqlen.get("udiag_wqueue", 0)),
            )
        )
    return listeners


def find_listener(path: Path) -> Listener | None:
    """The listener bound to the file at `path`, or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    device = (os.major(info.st_dev), os.minor(info.st_dev))
    for listener in list_listeners():
        if listener.inode == info.st_ino and listener.device == device:
            return listener
    return None


def socket_state(path: Path) -> SocketState:
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return SocketState.MISSING
    except PermissionError:
        return SocketState.NO_ACCESS
    if not stat.S_ISSOCK(info.st_mode):
        return SocketState.NOT_A_SOCKET
    try:
        listener = find_listener(path)
    except (OSError, TimeoutError):
        return SocketState.NO_ACCESS
    return SocketState.LISTENING if listener is not None else SocketState.STALE

"""Is anything listening on the socket file? Answered without connecting.

A test connection would occupy one of authdaemond's few workers for 10 s
(it waits for a request), so we ask the kernel instead (sock_diag, a netlink
query decoded here): every listening Unix socket with the inode of the file it
was bound to. authdaemond binds `socket.tmp` and renames it to `socket`, so the inode,
not the name, identifies it. A socket file that no listener owns is stale
(what `authdaemond stop` leaves behind). The same query gives the listen
queue: Recv-Q = connections waiting for a worker, Send-Q = the backlog limit.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import struct
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

# Kernel ABI numbers (linux/unix_diag.h; AF_UNIX shares the TCP state numbers).
SS_ESTABLISHED = 1
SS_LISTEN = 10
UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_VFS = 0x02
UDIAG_SHOW_RQLEN = 0x10


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


# Netlink framing (linux/netlink.h, linux/sock_diag.h, linux/unix_diag.h).
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x01
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
_NLMSG = struct.Struct("=IHHII")  # length, type, flags, sequence, port
_UNIX_DIAG_REQ = struct.Struct("=BBxxIIIII")  # family, protocol, states, ino, show, cookie
_UNIX_DIAG_MSG = struct.Struct("=BBBxIII")  # family, type, state, ino, cookie
_UNIX_DIAG_SELECT = struct.Struct("=xBBxI")  # type, state, ino: what `select` is given
_RTATTR = struct.Struct("=HH")  # length (header included), type
_TWO_U32 = struct.Struct("=II")
_ATTRIBUTES = {0: "UNIX_DIAG_NAME", 1: "UNIX_DIAG_VFS", 4: "UNIX_DIAG_RQLEN"}
_RECEIVE_BYTES = 256 * 1024


class _Netlink:
    """The sock_diag socket and its receive buffer, kept between dumps.

    The pool sampler dumps every second; opening a netlink socket and allocating a
    256 KiB buffer each time cost more than decoding the answer. One dump at a time
    (the lock); a dump that fails closes the socket, so no half-read answer is left
    for the next one.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.socket: socket.socket | None = None
        self.buffer = bytearray(_RECEIVE_BYTES)
        self.sequence = 0

    def reset(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None


_NETLINK = _Netlink()


def dump_unix_sockets(
    states: int, show: int, timeout: float = 5.0,
    select: Callable[[int, int, int], bool] | None = None,
) -> list[dict[str, Any]]:
    """One sock_diag dump of AF_UNIX sockets: the kernel's answer, decoded here.

    Only what the callers read is decoded (type, state, inode; the name, the bound
    file and the queue lengths), in the shape `{"udiag_type": …, "attrs": [(name,
    value), …]}`. A generic netlink library decoded every field of every socket in
    Python (and drove an event loop of its own on a thread), ~14 ms a dump on an idle
    host: most of the Workers pane's sampling cost. The timeout bounds a stuck call.
    `select(type, state, inode)` keeps a socket; the others (a mail server has many:
    Postfix alone listens on dozens) are dropped before their attributes are decoded.
    """
    request = _UNIX_DIAG_REQ.pack(socket.AF_UNIX, 0, states, 0, show, 0xFFFFFFFF, 0xFFFFFFFF)
    with _NETLINK.lock:
        _NETLINK.sequence = _NETLINK.sequence % 0xFFFFFFFF + 1
        header = _NLMSG.pack(_NLMSG.size + len(request), SOCK_DIAG_BY_FAMILY,
                             NLM_F_REQUEST | NLM_F_DUMP, _NETLINK.sequence, 0)
        try:
            if _NETLINK.socket is None:
                _NETLINK.socket = socket.socket(
                    socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)
            _NETLINK.socket.settimeout(timeout)
            _NETLINK.socket.sendto(header + request, (0, 0))
            return _read_dump(_NETLINK.socket, _NETLINK.buffer, _NETLINK.sequence, select)
        except BaseException:
            _NETLINK.reset()
            raise


def query_unix_sockets(inodes: Collection[int], show: int,
                       timeout: float = 5.0) -> list[dict[str, Any]]:
    """The kernel's entries for these socket inodes, one exact sock_diag request each.

    A dump walks every Unix socket of the host, and a busy mail server has thousands
    (each connection between two daemons is a pair); the pool sampler only needs the
    few its workers hold. Same shape as `dump_unix_sockets`; a socket closed since its
    inode was read is left out.
    """
    messages: list[dict[str, Any]] = []
    with _NETLINK.lock:
        try:
            if _NETLINK.socket is None:
                _NETLINK.socket = socket.socket(
                    socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)
            _NETLINK.socket.settimeout(timeout)
            for inode in inodes:
                _NETLINK.sequence = _NETLINK.sequence % 0xFFFFFFFF + 1
                request = _UNIX_DIAG_REQ.pack(socket.AF_UNIX, 0, 0xFFFFFFFF, inode, show,
                                              0xFFFFFFFF, 0xFFFFFFFF)  # no cookie to check
                header = _NLMSG.pack(_NLMSG.size + len(request), SOCK_DIAG_BY_FAMILY,
                                     NLM_F_REQUEST, _NETLINK.sequence, 0)
                _NETLINK.socket.sendto(header + request, (0, 0))
                message = _read_answer(_NETLINK.socket, _NETLINK.buffer, _NETLINK.sequence)
                if message is not None:
                    messages.append(message)
        except BaseException:
            _NETLINK.reset()
            raise
    return messages


def _answers(data: bytearray, size: int, sequence: int) -> Iterator[tuple[int, int, int]]:
    """(type, body start, end) of each netlink message in one datagram answering `sequence`."""
    offset = 0
    while offset + _NLMSG.size <= size:
        length, kind, _flags, answered, _port = _NLMSG.unpack_from(data, offset)
        if length < _NLMSG.size or offset + length > size:
            raise OSError(errno.EPROTO, "malformed sock_diag answer")
        if answered == sequence:  # anything else answers an earlier request
            yield kind, offset + _NLMSG.size, offset + length
        offset += (length + 3) & ~3


def _error(data: bytearray, body: int) -> OSError:
    (code,) = struct.unpack_from("=i", data, body)
    return OSError(-code, os.strerror(-code))


def _read_answer(netlink: socket.socket, data: bytearray,
                 sequence: int) -> dict[str, Any] | None:
    """The one answer to an exact request: the socket's entry, or None when it is gone."""
    while True:
        size = netlink.recv_into(data)
        if not size:
            raise OSError(errno.EPROTO, "sock_diag answer ended early")
        for kind, body, end in _answers(data, size, sequence):
            if kind == SOCK_DIAG_BY_FAMILY:
                return _unix_diag_message(data, body, end)
            if kind == NLMSG_ERROR:
                error = _error(data, body)
                if error.errno == errno.ENOENT:
                    return None  # closed since
                raise error


def _read_dump(netlink: socket.socket, data: bytearray, sequence: int,
               select: Callable[[int, int, int], bool] | None) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        size = netlink.recv_into(data)
        for kind, body, end in _answers(data, size, sequence):
            if kind == NLMSG_DONE:
                return messages
            if kind == NLMSG_ERROR:
                raise _error(data, body)
            if kind == SOCK_DIAG_BY_FAMILY and (
                    select is None or select(*_UNIX_DIAG_SELECT.unpack_from(data, body))):
                messages.append(_unix_diag_message(data, body, end))
        if not size:
            raise OSError(errno.EPROTO, "sock_diag dump ended without its end marker")


def _unix_diag_message(data: bytes | bytearray, start: int, end: int) -> dict[str, Any]:
    _family, kind, state, inode, _c0, _c1 = _UNIX_DIAG_MSG.unpack_from(data, start)
    attrs: list[tuple[str, Any]] = []
    offset = start + _UNIX_DIAG_MSG.size
    while offset + _RTATTR.size <= end:
        length, attribute = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size:
            break
        payload = data[offset + _RTATTR.size:offset + length]
        name = _ATTRIBUTES.get(attribute & 0x3FFF)  # without the nested/byte-order flags
        if name == "UNIX_DIAG_NAME":
            attrs.append((name, _socket_name(payload)))
        elif name == "UNIX_DIAG_VFS" and len(payload) >= _TWO_U32.size:
            vfs_inode, device = _TWO_U32.unpack_from(payload)
            attrs.append((name, {"udiag_vfs_ino": vfs_inode, "udiag_vfs_dev": device}))
        elif name == "UNIX_DIAG_RQLEN" and len(payload) >= _TWO_U32.size:
            receive_queue, send_queue = _TWO_U32.unpack_from(payload)
            attrs.append((name, {"udiag_rqueue": receive_queue, "udiag_wqueue": send_queue}))
        offset += (length + 3) & ~3
    return {"udiag_type": kind, "udiag_state": state, "udiag_ino": inode, "attrs": attrs}


def _socket_name(raw: bytes | bytearray) -> str:
    """A bound path as text; an abstract name (leading NUL) as `@name`."""
    if raw.startswith(b"\0"):
        return "@" + raw[1:].decode("utf-8", "replace")
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


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

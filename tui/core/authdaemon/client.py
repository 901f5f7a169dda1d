"""A client for authdaemond's Unix socket, with the real client's timeouts.

It behaves like libcourierauth, the library maildrop uses: a non-blocking
connect with a 10 s limit (TIMEOUT_SOCK), 10 s to write the request
(TIMEOUT_WRITE), then up to 30 s in total for the whole reply (TIMEOUT_READ),
stopping as soon as the reply is complete. The caller passes the delivery side's
values when they differ (`client_timeouts.delivery_timeouts`). Every failure
becomes an `Outcome`, never an exception, so a pane can show it as a state.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from tui.core.authdaemon.client_timeouts import (
    DEFAULT_READ_SECONDS,
    DEFAULT_SOCK_SECONDS,
    DEFAULT_WRITE_SECONDS,
)
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.own_lookups import OWN_LOOKUPS
from tui.core.authdaemon.reply import CLIENT_REPLY_LIMIT, Account, parse_reply
from tui.core.authdaemon.request import auth_request, pre_request

DEFAULT_CONNECT_TIMEOUT = DEFAULT_SOCK_SECONDS  # TIMEOUT_SOCK in libcourierauth
DEFAULT_READ_TIMEOUT = DEFAULT_READ_SECONDS  # TIMEOUT_READ: the total for the reply
DEFAULT_WRITE_TIMEOUT = DEFAULT_WRITE_SECONDS  # TIMEOUT_WRITE: per write
# The real client stops at 8191 bytes (a temporary failure); we read on to say how long it was.
MAX_REPLY_BYTES = 64 * 1024

_CONNECT_ERRNO: dict[int, Outcome] = {
    errno.ENOENT: Outcome.CONNECT_MISSING,
    errno.ENOTDIR: Outcome.CONNECT_MISSING,
    errno.ECONNREFUSED: Outcome.CONNECT_REFUSED,
    errno.ENOTSOCK: Outcome.CONNECT_REFUSED,
    errno.EACCES: Outcome.CONNECT_DENIED,
    errno.EPERM: Outcome.CONNECT_DENIED,
    errno.EAGAIN: Outcome.CONNECT_BACKLOG_FULL,
    errno.ETIMEDOUT: Outcome.TIMEOUT,
}


@dataclass(frozen=True, slots=True)
class LookupResult:
    """What one request came to, with timings (milliseconds) and the OS error if any."""

    outcome: Outcome
    account: Account | None
    latency_ms: float
    connect_ms: float | None = None
    socket_path: str = ""
    os_error: str = ""
    note: str = ""
    reply_bytes: int = 0  # what was read; over CLIENT_REPLY_LIMIT the real client gives up

    @property
    def reply_too_long(self) -> bool:
        """A tempfail only because the reply is longer than the delivery client reads."""
        return self.outcome is Outcome.TEMPFAIL and self.reply_bytes > CLIENT_REPLY_LIMIT

    @property
    def found(self) -> bool:
        return self.outcome is Outcome.FOUND


class AuthdaemonClient:
    """Speaks the authdaemon protocol over one connection per request, like the daemon wants."""

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        counted_as_own: bool = True,
    ) -> None:
        """`counted_as_own=False` only for a client that stands in for the mail system (the
        lab's): its lookups are other clients' load, not the app's own."""
        self.socket_path = Path(socket_path)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.counted_as_own = counted_as_own

    def lookup(self, address: str, service: str = "login") -> LookupResult:
        """`PRE . service address`: what maildrop asks before delivering.

        Raises `RefusedInput` (before connecting) for an address that could
        change the request's meaning.
        """
        return self._exchange(pre_request(address, service))

    def login(self, address: str, password: str, service: str = "login") -> LookupResult:
        """`AUTH` with the login authtype: checks the password as IMAP/POP would."""
        return self._exchange(auth_request(address, password, service))

    def _exchange(self, request: bytes) -> LookupResult:
        """One request, marked as the app's own for as long as its connection is open: a
        worker serving it is busy, but not with other clients' mail."""
        if not self.counted_as_own:
            return self._send(request)
        with OWN_LOOKUPS.marked(self.socket_path):
            return self._send(request)

    def _send(self, request: bytes) -> LookupResult:
        started = time.monotonic()
        path = str(self.socket_path)

        def elapsed() -> float:
            return (time.monotonic() - started) * 1000.0

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            try:
                sock.connect(path)
            except BlockingIOError as exc:
                # AF_UNIX reports a full backlog as EAGAIN on a non-blocking connect.
                reason = os.strerror(exc.errno or errno.EAGAIN)
                return LookupResult(
                    Outcome.CONNECT_BACKLOG_FULL, None, elapsed(), None, path, reason
                )
            except OSError as exc:
                outcome = _CONNECT_ERRNO.get(exc.errno or 0, Outcome.CONNECT_REFUSED)
                return LookupResult(
                    outcome, None, elapsed(), None, path, exc.strerror or str(exc)
                )
            connect_ms = elapsed()
            try:
                sock.settimeout(self.write_timeout)
                sock.sendall(request)
                data = self._read_reply(sock)
            except TimeoutError:
                return LookupResult(
                    Outcome.TIMEOUT, None, elapsed(), connect_ms, path, note="no complete reply"
                )
            except OSError as exc:
                # A reset or broken pipe mid-request is what the real client calls EIO.
                return LookupResult(
                    Outcome.TEMPFAIL, None, elapsed(), connect_ms, path, exc.strerror or str(exc)
                )
        finally:
            sock.close()
        reply = parse_reply(data)
        return LookupResult(
            reply.outcome, reply.account, elapsed(), connect_ms, path, note=reply.note,
            reply_bytes=len(data),
        )

    def _read_reply(self, sock: socket.socket) -> bytes:
        """Read until EOF, a complete reply, or the total read timeout."""
        deadline = time.monotonic() + self.read_timeout
        chunks = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            chunk = sock.recv(4096)
            if not chunk:
                return bytes(chunks)
            chunks += chunk
            # Stop early on a complete answer, as libcourierauth does.
            if chunks == b"FAIL\n" or chunks == b".\n" or chunks.endswith(b"\n.\n"):
                return bytes(chunks)
            if len(chunks) > MAX_REPLY_BYTES:
                return bytes(chunks)

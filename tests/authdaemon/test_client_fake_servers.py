"""Client behaviour the real daemon cannot be made to show on demand.

Fake servers here, and only here, because authdaemond never hangs mid-reply,
never sends garbage and cannot be told to fill its backlog instantly; every
other outcome is tested against the real daemon in tests/lab/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[Callable[[Callable[[socket.socket], None]], Path]]:
    """A Unix socket server that handles each connection with `behaviour` (fake, see module)."""
    servers: list[socket.socket] = []

    def start(behaviour: Callable[[socket.socket], None]) -> Path:
        path = tmp_path / f"fake{len(servers)}.sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        server.listen(8)
        servers.append(server)

        def serve() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    behaviour(conn)

        threading.Thread(target=serve, daemon=True).start()
        return path

    yield start
    for server in servers:
        server.close()


def test_a_daemon_that_hangs_mid_reply_is_a_timeout(fake_server) -> None:
    def hang(conn: socket.socket) -> None:
        conn.recv(1024)
        conn.sendall(b"UID=1\nGID=1\n")  # ...and never the closing "."
        time.sleep(3)

    client = AuthdaemonClient(fake_server(hang), read_timeout=0.5)
    started = time.monotonic()
    result = client.lookup("foo@domain.com")
    assert result.outcome is Outcome.TIMEOUT
    assert 0.4 < time.monotonic() - started < 2.0


def test_garbage_bytes_are_a_tempfail_not_a_crash(fake_server) -> None:
    def garbage(conn: socket.socket) -> None:
        conn.recv(1024)
        conn.sendall(b"\xff\xfe\x00\x1b]0;pwned\x07 not a reply")

    result = AuthdaemonClient(fake_server(garbage)).lookup("foo@domain.com")
    assert result.outcome is Outcome.TEMPFAIL
    assert result.account is None


def test_reply_is_complete_at_the_dot_even_if_the_server_keeps_the_connection(
    fake_server,
) -> None:
    def slow_close(conn: socket.socket) -> None:
        conn.recv(1024)
        conn.sendall(b"UID=7\nGID=8\nHOME=/h/\n.\n")
        time.sleep(2)

    started = time.monotonic()
    result = AuthdaemonClient(fake_server(slow_close), read_timeout=5).lookup("a@b.c")
    assert result.outcome is Outcome.FOUND
    assert result.account is not None and result.account.uid == 7
    assert time.monotonic() - started < 1.0


def test_full_backlog_is_connect_backlog_full(tmp_path: Path) -> None:
    """A listener that never accepts, with its backlog filled: the kernel answers EAGAIN."""
    path = tmp_path / "full.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(0)
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect(str(path))
            except BlockingIOError:
                filler.close()
                break
            fillers.append(filler)
        result = AuthdaemonClient(path).lookup("foo@domain.com")
        assert result.outcome is Outcome.CONNECT_BACKLOG_FULL
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_missing_socket_and_plain_file(tmp_path: Path) -> None:
    assert AuthdaemonClient(tmp_path / "nope").lookup("a@b.c").outcome is Outcome.CONNECT_MISSING
    plain = tmp_path / "plain"
    plain.write_text("not a socket")
    assert AuthdaemonClient(plain).lookup("a@b.c").outcome is Outcome.CONNECT_REFUSED

"""Exact sock_diag requests for given socket inodes, against the kernel's own sockets."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tui.core.authdaemon.socket_state import (
    SS_ESTABLISHED,
    SS_LISTEN,
    UDIAG_SHOW_NAME,
    UDIAG_SHOW_RQLEN,
    UDIAG_SHOW_VFS,
    dump_unix_sockets,
    query_unix_sockets,
)

SHOW = UDIAG_SHOW_VFS | UDIAG_SHOW_RQLEN | UDIAG_SHOW_NAME


def test_an_exact_request_answers_as_the_dump_does(tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "socket"))
    listener.listen(8)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(str(tmp_path / "socket"))  # queued: not accepted
    accepted = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    accepted.connect(str(tmp_path / "socket"))
    served, _ = listener.accept()
    try:
        inodes = {os.fstat(s.fileno()).st_ino for s in (listener, served)}
        exact = query_unix_sockets(inodes, SHOW)
        dumped = [m for m in dump_unix_sockets((1 << SS_LISTEN) | (1 << SS_ESTABLISHED), SHOW)
                  if m["udiag_ino"] in inodes]
        assert sorted(exact, key=lambda m: m["udiag_ino"]) == sorted(
            dumped, key=lambda m: m["udiag_ino"])
        by_state = {m["udiag_state"]: dict(m["attrs"]) for m in exact}
        assert by_state[SS_LISTEN]["UNIX_DIAG_RQLEN"]["udiag_rqueue"] == 1  # the queued one
        assert by_state[SS_LISTEN]["UNIX_DIAG_NAME"] == str(tmp_path / "socket")
        assert SS_ESTABLISHED in by_state
    finally:
        for each in (served, accepted, client, listener):
            each.close()


def test_a_socket_closed_since_is_left_out() -> None:
    first, second = socket.socketpair()
    gone = os.fstat(first.fileno()).st_ino
    kept = os.fstat(second.fileno()).st_ino
    first.close()
    try:
        answered = query_unix_sockets([gone, kept], SHOW)
        assert [m["udiag_ino"] for m in answered] == [kept]
        assert query_unix_sockets([], SHOW) == []
    finally:
        second.close()

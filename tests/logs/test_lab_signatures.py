"""The real daemon's log lines, read back with FileFollower, carry the expected signatures.

One lookup per fault against the lab's authdaemond; its lines travel through
courierlogger and the lab's syslog sink into `lab.maillog`, and a backfill of
that file must explain them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.core.logs.entry import LogEntry
from tui.core.logs.file_source import FileFollower
from tui.core.logs.kind import Kind
from tui.lab.lab import Lab

pytestmark = pytest.mark.lab

MAILBOX = "foo@domain.com"


def offset_of(entry: LogEntry) -> int:
    assert entry.cursor is not None
    return int(entry.cursor.rsplit(":", 1)[1])


def entries_after(path: Path, start: int, expected: set[str]) -> list[LogEntry]:
    """Entries written after byte `start`; polls, because the syslog sink is asynchronous."""
    deadline = time.monotonic() + 5
    while True:
        entries = [entry for entry in FileFollower(path).backfill(500) if offset_of(entry) >= start]
        ids = {entry.signature.id for entry in entries if entry.signature is not None}
        if expected <= ids or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("fault", "expected", "steps"),
    [
        (
            "db-password-wrong",
            {"db-connect-failed", "db-password-wrong"},
            {"db-credentials"},
        ),
        ("db-down", {"db-connect-failed", "db-down"}, {"db-down"}),
        ("marker-missing", {"marker-missing"}, {"authpgsqlrc-marker"}),
        ("old-style-keys", {"pgsql-connection-missing"}, {"authpgsqlrc-old-keys"}),
    ],
)
def test_fault_lines_in_the_maillog_are_explained(
    break_lab: Callable[..., Lab], fault: str, expected: set[str], steps: set[str]
) -> None:
    lab = break_lab(fault)
    start = lab.maillog.stat().st_size  # only what this lookup makes the daemon log
    result = lab.client(read_timeout=5).lookup(MAILBOX)
    assert not result.found

    entries = entries_after(lab.maillog, start, expected)
    ids = {entry.signature.id for entry in entries if entry.signature is not None}
    assert expected <= ids, f"{fault}: got {[(e.message, e.signature) for e in entries]}"
    explained = [entry for entry in entries if entry.signature and entry.signature.id in expected]
    assert steps <= {entry.signature.wizard_step for entry in explained if entry.signature}
    for entry in explained:
        assert entry.kind is Kind.AUTH
        assert entry.tag == "authdaemond"
        assert entry.source == str(lab.maillog)
        assert entry.timestamp is not None and abs(time.time() - entry.timestamp) < 120
        assert entry.signature is not None and entry.signature.short

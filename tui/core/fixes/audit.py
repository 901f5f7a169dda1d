"""The audit log: two JSON lines per fix command, one before it runs and one after.

The "about to run" line is written first so that a command that hangs, kills the
app or reboots the host is still on record; a fix whose line cannot be written
does not run at all. The "ended" line adds how it ended. Each line is appended
with O_APPEND in a single write so concurrent runs never interleave. The command
is stored as shown to the user; fix commands never carry a secret (passwords are
synced by the platform's tools, not typed into a command).
"""

from __future__ import annotations

import json
import os
import pwd
import socket
import time
from pathlib import Path

from tui.core.safe_files import open_for_append

ABOUT_TO_RUN = "about to run"
ENDED = "ended"


class AuditNotWritten(Exception):
    """The audit line could not be written; the message is one sentence for the user."""


def who() -> str:
    """The login behind the command: sudo's caller if any, else the effective user."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    caller = os.environ.get("SUDO_USER")
    return f"{caller} (as {user})" if caller and caller != user else user


def _append(path: Path, record: dict[str, object]) -> None:
    """One line, one write. The log must be root's alone (see safe_files.open_for_append):
    a log someone else could swap or read through a link is no record."""
    line = (json.dumps(record) + "\n").encode()
    try:
        fd = open_for_append(path)
        try:
            written = os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise AuditNotWritten(f"cannot write the audit log {path}: {reason}") from exc
    if written != len(line):
        raise AuditNotWritten(f"cannot write the audit log {path}: the disk took only "
                              f"{written} of {len(line)} bytes")


def _record(event: str, check: str, command: str, started: float) -> dict[str, object]:
    return {
        "event": event,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "host": socket.gethostname(),
        "user": who(),
        "check": check,
        "command": command,
    }


def audit_about_to_run(path: Path, *, check: str, command: str, started: float) -> None:
    """Record that `command` is about to run; raises AuditNotWritten if it cannot be recorded."""
    _append(path, _record(ABOUT_TO_RUN, check, command, started))


def audit_ended(path: Path, *, check: str, command: str, exit_code: int | None,
                started: float, seconds: float) -> None:
    """Record how `command` ended (exit_code None: killed at the timeout)."""
    record = _record(ENDED, check, command, started)
    record.update(exit_code=exit_code, seconds=round(seconds, 3))
    _append(path, record)


def read_audit(path: Path) -> list[dict[str, object]]:
    """Every line of the log, oldest first; no log yet is an empty history, not an error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]

"""The audit log: one JSON line per fix run (who, when, what, how it ended).

Appended with O_APPEND in a single write so concurrent runs never interleave
lines. The command is stored as shown to the user; fix commands never carry a
secret (passwords are synced by the platform's tools, not typed into a command).
"""

from __future__ import annotations

import json
import os
import pwd
import socket
import time
from pathlib import Path


def who() -> str:
    """The login behind the command: sudo's caller if any, else the effective user."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    caller = os.environ.get("SUDO_USER")
    return f"{caller} (as {user})" if caller and caller != user else user


def append_audit(path: Path, *, check: str, command: str, exit_code: int | None,
                 started: float, seconds: float) -> None:
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "host": socket.gethostname(),
        "user": who(),
        "check": check,
        "command": command,
        "exit_code": exit_code,
        "seconds": round(seconds, 3),
    }
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)


def read_audit(path: Path) -> list[dict[str, object]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]

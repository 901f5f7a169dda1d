"""The latest authdaemond warnings and errors from the mail log files.

Mail logs are large (hundreds of MB before rotation), so only the tail of each
file is read: at most `max_bytes`, from the end. The first line of that tail is
usually cut and is dropped. Bytes are decoded leniently: a log line can hold
anything a client sent. Journald is read elsewhere.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.findings import Severity
from tui.core.logs.signatures import Signature, classify
from tui.core.logs.syslog_line import LogLine, parse_syslog_line

DAEMON_TAG = "authdaemond"  # courierlogger's default name; LOGGEROPTS -name= changes it
_REPORTED = frozenset({Severity.WARNING, Severity.ERROR})


@dataclass(frozen=True)
class RecentError:
    """A warning or error line and what it means; `source` is the file it came from."""

    line: LogLine
    signature: Signature
    source: str


@dataclass(frozen=True)
class RecentErrors:
    """Errors oldest first; files that could not be read, with the reason."""

    errors: list[RecentError]
    unreadable: dict[Path, str] = field(default_factory=dict)
    bytes_read: int = 0  # over all files, never more than max_bytes each


def _read_tail(path: Path, max_bytes: int) -> tuple[bytes, int]:
    """The whole lines within the last `max_bytes` bytes of the file, and the bytes read.

    pread() on a raw descriptor: no buffering reads past `max_bytes`, and a FIFO or
    device named as a log file is refused instead of blocking.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        start = max(0, info.st_size - max(0, max_bytes))
        chunks: list[bytes] = []
        offset = start
        while offset < info.st_size:
            chunk = os.pread(fd, info.st_size - offset, offset)
            if not chunk:
                break  # truncated (rotated) while we read
            chunks.append(chunk)
            offset += len(chunk)
    finally:
        os.close(fd)
    tail = b"".join(chunks)
    read = len(tail)
    if start > 0:
        newline = tail.find(b"\n")
        tail = b"" if newline < 0 else tail[newline + 1 :]  # one cut (or giant) line: skip
    return tail, read


def _errors_in(tail: bytes, source: str, tags: Collection[str], now: float) -> list[RecentError]:
    found: list[RecentError] = []
    for text in tail.decode("utf-8", errors="replace").split("\n"):
        line = parse_syslog_line(text, now=now)
        if line is None or line.tag not in tags:
            continue
        signature = classify(line.message)
        if signature is not None and signature.severity in _REPORTED:
            found.append(RecentError(line=line, signature=signature, source=source))
    return found


def recent_authdaemond_errors(
    log_files: Sequence[Path],
    limit: int = 20,
    max_bytes: int = 2_000_000,
    now: float | None = None,
    tags: Collection[str] = (DAEMON_TAG,),
) -> RecentErrors:
    """The newest `limit` authdaemond warnings/errors over all files, newest last.

    `now` is the reference for the year of traditional timestamps (default: now).
    """
    reference = time.time() if now is None else now
    errors: list[RecentError] = []
    unreadable: dict[Path, str] = {}
    bytes_read = 0
    for path in log_files:
        try:
            tail, read = _read_tail(path, max_bytes)
        except OSError as exc:
            unreadable[path] = exc.strerror or str(exc)
            continue
        bytes_read += read
        errors.extend(_errors_in(tail, str(path), tags, reference))
    # Stable: lines without a usable date keep their file order, ahead of dated ones.
    errors.sort(key=lambda error: error.line.timestamp or 0.0)
    return RecentErrors(
        errors=errors[-limit:] if limit > 0 else [],
        unreadable=unreadable,
        bytes_read=bytes_read,
    )



# The bounce reader (tui/core/postfix/bounces.py) reads the same bounded tails.
read_tail = _read_tail

"""The latest authdaemond warnings and errors, from the journal or the mail log files.

`recent_errors(installation)` reads the source the Logs pane reads (the
journal when it has authdaemond's entries, else the mail log files, or the
file the admin named), so the health strip, the Overview and the checks agree
with the pane on a journald-only host.

Mail logs are large (hundreds of MB before rotation), so only the tail of each
file is read: at most `max_bytes`, from the end. The first line of that tail is
usually cut and is dropped. A file read whole within the budget (just after a
rotation) is followed by its rotated copies, newest first, with what is left of
the budget. Bytes are decoded leniently: a log line can hold anything a client
sent. The journal is walked back from its newest entry, at most
`journal_entries` matching entries.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.installation import Installation
from tui.core.log_sources.sources import SourceChoice, sources_of
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.journal_source import JournalFollower
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.classify import classify
from tui.core.logs.reported import START_MARKERS, is_kept
from tui.core.logs.rotated import LINE_CAP, describe_files, rotated_lines, rotated_siblings
from tui.core.logs.syslog_line import LogLine, parse_syslog_line
from tui.core.logs.tail import read_tails
from tui.core.password_mask import resolve_newest_first, secret_continues

DAEMON_TAG = "authdaemond"  # courierlogger's default name; LOGGEROPTS -name= changes it
JOURNAL_ENTRIES = 20_000  # matching journal entries walked back, at most, for one answer


@dataclass(frozen=True)
class RecentError:
    """A warning or error line and what it means; `source` is the file it came from."""

    line: LogLine
    signature: Signature
    source: str


def _last(found: list[RecentError], limit: int) -> list[RecentError]:
    """The newest `limit` errors and the start markers among and after them, oldest first."""
    if limit <= 0:
        return []
    errors = 0
    for index in range(len(found) - 1, -1, -1):
        if found[index].signature.id not in START_MARKERS:
            errors += 1
            if errors == limit:
                return found[index:]
    return found


@dataclass(frozen=True)
class RecentErrors:
    """Errors (and the daemon's start lines) oldest first; files that could not be read."""

    found: list[RecentError]
    unreadable: dict[Path, str] = field(default_factory=dict)
    bytes_read: int = 0  # over all files, never more than max_bytes each
    # What was read, for "none in …": "journal", "/var/log/mail.log (+3 rotated)", or "".
    read_from: str = ""

    @property
    def errors(self) -> list[RecentError]:
        return [e for e in self.found if e.signature.id not in START_MARKERS]

    def since_last_start(self) -> list[RecentError]:
        """The errors logged after the newest start line: the running daemon's own."""
        last = max((index for index, e in enumerate(self.found)
                    if e.signature.id in START_MARKERS), default=-1)
        return [e for e in self.found[last + 1:] if e.signature.id not in START_MARKERS]


def _needles(tags: Collection[str]) -> tuple[bytes, ...]:
    return tuple(tag.encode() for tag in tags)


def _daemon_line(raw: bytes, needles: tuple[bytes, ...], tags: Collection[str],
                 now: float) -> LogLine | None:
    """The line parsed, if it is authdaemond's.

    Only a line holding one of the tags (`needles`, encoded) can be authdaemond's, so
    the others (most of a mail log) are skipped as bytes, undecoded and unparsed.
    """
    if not any(needle in raw for needle in needles):
        return None
    line = parse_syslog_line(raw.decode("utf-8", errors="replace"), now=now)
    if line is None or line.tag not in tags:
        return None
    return line


def _error_of(line: LogLine, source: str, continued: bool) -> RecentError | None:
    """The line's error, if it is one of authdaemond's warnings or errors.

    The rest of a password cut off the previous message is never one, whatever its
    text looks like: it is not shown at all.
    """
    if continued:
        return None
    signature = classify(line.message)
    if signature is not None and is_kept(signature):
        return RecentError(line=line, signature=signature, source=source)
    return None


def _errors_in(tail: bytes, source: str, tags: Collection[str], now: float) -> list[RecentError]:
    """The errors of a tail, oldest first (the health loop reads it every few seconds)."""
    needles = _needles(tags)
    found: list[RecentError] = []
    secret_open = False  # the previous authdaemond message was cut inside a password
    for raw in tail.split(b"\n"):
        line = _daemon_line(raw, needles, tags, now)
        if line is None:
            continue
        error = _error_of(line, source, secret_open)
        secret_open = secret_continues(line.cut, secret_open)
        if error is not None:
            found.append(error)
    return found


_RotationKey = tuple[object, ...]
_ROTATED_CACHE: dict[_RotationKey, tuple[list[RecentError], int, dict[Path, str]]] = {}
_ROTATED_CACHE_SIZE = 16


def _rotation_key(path: Path, limit: int, max_bytes: int, tags: Collection[str]) -> _RotationKey:
    """What the rotated copies' answer depends on: each copy's identity, size and time."""
    identities: list[object] = []
    for copy in rotated_siblings(path):
        try:
            info = copy.stat()
        except OSError:
            identities.append((str(copy), None))
            continue
        identities.append((str(copy), info.st_ino, info.st_size, info.st_mtime_ns))
    return (str(path), limit, max_bytes, tuple(tags), tuple(identities))


def _rotated_errors(
    path: Path, limit: int, max_bytes: int, tags: Collection[str], now: float,
    unreadable: dict[Path, str],
) -> tuple[list[RecentError], int]:
    """The newest `limit` errors of the rotated copies (oldest first) and the bytes read.

    Rotated copies do not change until the next rotation, and a compressed one costs
    a full decompression: the answer is kept while every copy is unchanged, so the
    health strip's sampling does not decompress the same file every few seconds.
    """
    key = _rotation_key(path, limit, max_bytes, tags)
    cached = _ROTATED_CACHE.get(key)
    if cached is None:
        failed: dict[Path, str] = {}
        errors, read = _read_rotated_errors(path, limit, max_bytes, tags, now, failed)
        cached = (errors, read, failed)
        if len(_ROTATED_CACHE) >= _ROTATED_CACHE_SIZE:
            _ROTATED_CACHE.clear()
        _ROTATED_CACHE[key] = cached
    errors, read, failed = cached
    unreadable.update(failed)
    return list(errors), read


def _read_rotated_errors(
    path: Path, limit: int, max_bytes: int, tags: Collection[str], now: float,
    unreadable: dict[Path, str],
) -> tuple[list[RecentError], int]:
    needles = _needles(tags)
    newest_first: list[RecentError] = []
    read = 0

    def note(file: Path, exc: OSError) -> None:
        unreadable[file] = exc.strerror or str(exc)

    def daemon_lines() -> Iterator[tuple[LogLine, str]]:
        nonlocal read
        for raw in rotated_lines(path, newest_first=True, include_live=False,
                                 max_bytes=max_bytes, line_cap=LINE_CAP, on_unreadable=note):
            read += len(raw.data) + raw.dropped + 1
            line = _daemon_line(raw.data, needles, tags, now)
            if line is not None:
                yield line, str(raw.path)

    for (line, source), continued in resolve_newest_first(daemon_lines(), lambda item: item[0].cut):
        error = _error_of(line, source, continued)
        if error is not None:
            newest_first.append(error)
            if len(newest_first) >= limit:
                break
    newest_first.reverse()
    return newest_first, read


def recent_authdaemond_errors(
    log_files: Sequence[Path],
    limit: int = 20,
    max_bytes: int = 2_000_000,
    now: float | None = None,
    tags: Collection[str] = (DAEMON_TAG,),
    *,
    rotated: bool = True,
) -> RecentErrors:
    """The newest `limit` authdaemond warnings/errors over all files, newest last.

    `now` is the reference for the year of traditional timestamps (default: now).
    With `rotated`, a file read whole goes on into its rotated copies.
    """
    reference = time.time() if now is None else now
    errors: list[RecentError] = []
    unreadable: dict[Path, str] = {}
    bytes_read = 0
    for path, tail, read in read_tails(log_files, max_bytes, unreadable):
        bytes_read += read
        found = _errors_in(tail, str(path), tags, reference)
        whole_file = read < max_bytes  # the tail was the whole file: its past is rotated away
        # Copies named by the caller are read as files of their own, not twice.
        copies_named = any(copy in log_files for copy in rotated_siblings(path))
        if rotated and whole_file and len(found) < limit and not copies_named:
            older, rotated_read = _rotated_errors(path, limit - len(found), max_bytes - read,
                                                  tags, reference, unreadable)
            found = [*older, *found]
            bytes_read += rotated_read
        errors.extend(found)
    # Stable: lines without a usable date keep their file order, ahead of dated ones.
    errors.sort(key=lambda error: error.line.timestamp or 0.0)
    return RecentErrors(
        found=_last(errors, limit),
        unreadable=unreadable,
        bytes_read=bytes_read,
        read_from=describe_files(log_files),
    )


def _journal_errors(choice: SourceChoice, limit: int, max_entries: int) -> RecentErrors:
    follower = JournalFollower(units=choice.units, directory=choice.journal_directory,
                               kinds=(Kind.AUTH,))
    newest_first: list[RecentError] = []
    unreadable: dict[Path, str] = {}
    try:
        for entry in follower.newest_first(max_entries):
            signature = entry.signature
            if signature is None or not is_kept(signature):
                continue
            line = LogLine(timestamp=entry.timestamp, host="", tag=entry.tag, pid=entry.pid,
                           message=entry.message, raw=entry.message)
            newest_first.append(RecentError(line=line, signature=signature, source=entry.source))
            if sum(e.signature.id not in START_MARKERS for e in newest_first) >= limit:
                break
    except OSError as exc:
        where = choice.journal_directory or choice.journal_dirs[0]
        unreadable[where] = exc.strerror or str(exc)
    finally:
        follower.close()
    newest_first.reverse()
    return RecentErrors(found=newest_first, unreadable=unreadable, read_from="journal")


def recent_errors(
    installation: Installation,
    limit: int = 20,
    max_bytes: int = 2_000_000,
    journal_entries: int = JOURNAL_ENTRIES,
) -> RecentErrors:
    """The newest `limit` warnings/errors from the source the Logs pane reads, newest last.

    The journal when it holds authdaemond's entries (a journald-only host has no mail
    log file at all), else the mail log files and their rotated copies; a log file
    the admin named (--log-file, settings) wins over both. `read_from` says which.
    """
    choice = sources_of(installation)
    if choice.primary == "journal":
        return _journal_errors(choice, limit if limit > 0 else 0, journal_entries)
    return recent_authdaemond_errors(choice.files, limit, max_bytes)


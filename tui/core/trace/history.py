"""The host's whole mail history, from every source it has, as one stream in time order.

Sources: the mail log files and their rotated copies (plain and compressed,
read by `logs/rotated.py`) and the journal (`logs/journal_source.py`). A host
that writes both (rsyslog beside journald) has each line twice; the merge drops
a line already seen from another source in the same second. Only Postfix's and
authdaemond's lines are parsed: a byte test skips the rest before parsing, and
for a trace the prefilter finds the few lines a query needs before any is.

`begins` says where the history starts, so "never arrived" can be told apart
from "rotated away".
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.logs.journal_source import JournalFollower
from tui.core.logs.matcher.entry import AUTH_TAGS
from tui.core.logs.rotated import RawLine, rotated_lines, rotation_set
from tui.core.logs.syslog_line import parse_syslog_line
from tui.core.trace.prefilter import Prefilter

# Postfix's daemons whose lines make up a message's path (journald matches them exactly).
POSTFIX_IDENTIFIERS: tuple[str, ...] = tuple(
    f"postfix/{daemon}" for daemon in (
        "smtpd", "pickup", "cleanup", "qmgr", "pipe", "local", "virtual", "smtp", "lmtp",
        "bounce", "postsuper", "error", "discard", "retry", "sendmail", "postdrop")
)
_WANTED_BYTES: tuple[bytes, ...] = (b"postfix", *(tag.encode() for tag in AUTH_TAGS))


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One Postfix or authdaemond line: when, who, and the message (passwords masked)."""

    timestamp: float
    tag: str
    pid: int | None
    message: str
    source: str  # the file's path or "journal"


@dataclass
class HistoryStart:
    """The oldest line each source holds; filled in while the history is read."""

    by_source: dict[str, float] = field(default_factory=dict)

    def saw(self, line: HistoryLine) -> None:
        known = self.by_source.get(line.source)
        if known is None or line.timestamp < known:
            self.by_source[line.source] = line.timestamp

    @property
    def begins(self) -> float | None:
        """The oldest line of all: before it, the logs know nothing."""
        return min(self.by_source.values(), default=None)

    @property
    def oldest_source(self) -> str | None:
        if not self.by_source:
            return None
        return min(self.by_source, key=lambda source: self.by_source[source])


def wanted_tag(tag: str) -> bool:
    """Postfix's daemons (`postfix/qmgr`, another instance's `postfix-out/smtp`), authdaemond."""
    return (tag.startswith("postfix") and "/" in tag) or tag in AUTH_TAGS


def _file_lines(raw_lines: Iterable[RawLine]) -> Iterator[HistoryLine]:
    for raw in raw_lines:
        data = raw.data
        if not any(needle in data for needle in _WANTED_BYTES):
            continue
        parsed = parse_syslog_line(data.decode("utf-8", errors="replace"))
        if parsed is None or parsed.timestamp is None or not wanted_tag(parsed.tag):
            continue
        yield HistoryLine(parsed.timestamp, parsed.tag, parsed.pid, parsed.message,
                          str(raw.path))


def file_history(path: Path, on_unreadable: Callable[[Path, OSError], None],
                 prefilter: Prefilter | None = None, live_only: bool = False
                 ) -> Iterator[HistoryLine]:
    """One mail log and its rotated copies, oldest file first; with a prefilter, only the
    lines that query's trace can need (found on raw bytes, see prefilter.py), and with
    `live_only` only the live file's."""
    if prefilter is not None:
        return _file_lines(prefilter.rotated_lines(path, on_unreadable, live_only))
    return _file_lines(rotated_lines(path, newest_first=False, live_only=live_only,
                                     on_unreadable=on_unreadable))


def journal_history(follower: JournalFollower, since: float | None) -> Iterator[HistoryLine]:
    """The journal's Postfix and authdaemond entries from `since` on."""
    try:
        for entry in follower.oldest_first(since):
            if entry.timestamp is not None:
                yield HistoryLine(entry.timestamp, entry.tag, entry.pid, entry.message,
                                  entry.source)
    finally:
        follower.close()


def journal_follower(units: Sequence[str], directory: Path | None) -> JournalFollower:
    """A journal reader matching authdaemond's units and tags and every Postfix daemon."""
    return JournalFollower(units=units, identifiers=AUTH_TAGS,
                           delivery_identifiers=POSTFIX_IDENTIFIERS, directory=directory)


def merged(streams: Sequence[Iterable[HistoryLine]], start: HistoryStart,
           since: float | None = None, until: float | None = None) -> Iterator[HistoryLine]:
    """Every stream's lines in time order, each line once, within [since, until].

    A line that two sources both hold (same second, daemon, pid and text) is
    handed out once. `start` learns each source's oldest line, in range or not.
    """
    recent: set[tuple[int, str, int | None, str]] = set()
    second: int | None = None
    for line in heapq.merge(*streams, key=lambda line: line.timestamp):
        start.saw(line)
        if since is not None and line.timestamp < since:
            continue
        if until is not None and line.timestamp > until:
            continue
        key = (int(line.timestamp), line.tag, line.pid, line.message)
        if key[0] != second:
            second = key[0]
            recent.clear()
        if key in recent and len(start.by_source) > 1:
            continue
        recent.add(key)
        yield line


def log_files_with_history(files: Sequence[Path]) -> tuple[Path, ...]:
    """The named mail logs that exist or have rotated copies."""
    return tuple(path for path in files if rotation_set(path))

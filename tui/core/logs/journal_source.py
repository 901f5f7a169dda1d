"""authdaemond and maildrop-delivery entries from journald, read back and followed.

Traps this avoids:

* python-systemd #146 / systemd #9934: after `seek_tail()` the next `get_next()`
  may yield nothing or a wrong entry. We always step back with `previous` right
  after `seek_tail()` and remember that entry's cursor as the follow anchor.
* `wait()` is the event source. It releases the GIL and runs `sd_journal_process()`
  itself, so the descriptor does not keep firing (#48) and the loop sleeps up to
  `WAIT_SECONDS` between changes: no busy loop.
* INVALIDATE (files added or removed: rotation, vacuum) can leave the read position
  on a file that is gone, so the reader is re-positioned by the last cursor read.
* Only the seven fields we use are fetched (`_get`), instead of converting the
  ~30 fields of every entry through `get_next()`. MESSAGE is bytes when it is not
  UTF-8; it is decoded with replacement and kept raw otherwise.
* `data_threshold` (64 KiB by default) silently truncates fields; it is raised so a
  long message is cut by us, with a marker, not by libsystemd without one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from systemd import journal

from tui.core.logs.entry import (
    LogEntry,
    OnEntries,
    OnEvent,
    build_entry,
    continuations_newest_first,
    with_orphan_context,
)
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.entry import AUTH_TAGS

DELIVERY_IDENTIFIERS: tuple[str, ...] = ("postfix/pipe",)
JOURNAL_DIRS: tuple[Path, ...] = (Path("/var/log/journal"), Path("/run/log/journal"))
JOURNAL_SOURCE = "journal"
WAIT_SECONDS = 0.5  # longest sleep in wait(): bounds how late `stop` is noticed
BATCH_SIZE = 1000
DATA_THRESHOLD = 4 * 1024 * 1024  # bytes of a field libsystemd hands over (default 64 KiB)
_FIELDS = ("MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "_PID", "_SYSTEMD_UNIT")


def _service(unit: str) -> str:
    return unit if "." in unit else f"{unit}.service"


def _text(value: bytes | None) -> str:
    return "" if value is None else value.decode("utf-8", errors="replace")


def _number(value: bytes | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


class JournalFollower:
    """Entries of the given units and identifiers, plus Postfix pipe deliveries.

    `files` or `directory` read journal files written elsewhere (tests, the lab,
    systemd-journal-remote); neither means this machine's system journal.
    """

    def __init__(
        self,
        *,
        units: Sequence[str] = (),
        identifiers: Sequence[str] = AUTH_TAGS,
        delivery_identifiers: Sequence[str] = DELIVERY_IDENTIFIERS,
        login_identifiers: Sequence[str] = (),
        files: Sequence[Path] | None = None,
        directory: Path | None = None,
        kinds: Collection[Kind] | None = None,
    ) -> None:
        self.units = tuple(_service(unit) for unit in units)
        self.identifiers = tuple(identifiers)
        self.delivery_identifiers = tuple(delivery_identifiers)
        self.login_identifiers = tuple(login_identifiers)  # Courier IMAP/POP3's tags
        self.files = tuple(files) if files is not None else None
        self.directory = directory
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.source = JOURNAL_SOURCE
        self._reader: journal.Reader | None = None
        self._last_cursor: str | None = None  # newest entry read (delivered or the anchor)
        self._positioned = False
        self._previous_auth_message: str | None = None
        self._secret_open = False  # the last authdaemond message was cut inside a password

    # -- opening ----------------------------------------------------------------------------
    def _open(self) -> journal.Reader:
        if self._reader is not None:
            return self._reader
        if self.files is not None:
            reader = journal.Reader(files=[str(path) for path in self.files])
        elif self.directory is not None:
            reader = journal.Reader(path=str(self.directory))
        else:
            reader = journal.Reader(flags=journal.SYSTEM_ONLY | journal.LOCAL_ONLY)
        reader.data_threshold = DATA_THRESHOLD
        for unit in self.units:
            reader.add_match(_SYSTEMD_UNIT=unit)  # same field: OR
        if self.units:
            reader.add_disjunction()
        for identifier in (*self.identifiers, *self.delivery_identifiers,
                           *self.login_identifiers):
            reader.add_match(SYSLOG_IDENTIFIER=identifier)
        self._reader = reader
        return reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def has_entries(self) -> bool:
        """Whether the journal holds at least one matching entry (source selection)."""
        reader = self._open()
        reader.seek_tail()
        found = bool(reader._previous())
        self._positioned = False
        return found

    # -- reading the past -------------------------------------------------------------------
    def backfill(self, max_lines: int, since: float | None = None) -> list[LogEntry]:
        """The newest `max_lines` entries (oldest first), none older than `since`.

        Walks backwards from the tail, so the cost is bounded by `max_lines` (or by
        `since`), never by the journal's size; `follow` then continues after the
        newest entry there was, delivered or not.
        """
        reader = self._open()
        reader.seek_tail()
        newest_first: list[LogEntry] = []
        self._last_cursor = None
        while reader._previous():
            if self._last_cursor is None:
                self._last_cursor = reader._get_cursor()  # the follow anchor
            if len(newest_first) >= max_lines:
                break
            entry = self._current(reader, in_order=False)
            if since is not None and entry.timestamp is not None and entry.timestamp < since:
                break
            if self._wanted(entry):
                newest_first.append(entry)
        self._positioned = False  # follow() re-seeks by cursor
        newest_first.reverse()
        entries = with_orphan_context(newest_first)
        auth = [entry for entry in entries if entry.kind is Kind.AUTH]
        self._previous_auth_message = auth[-1].message if auth else None
        self._secret_open = auth[-1].secret_open if auth else False
        return entries

    def newest_first(self, max_entries: int) -> Iterator[LogEntry]:
        """Wanted entries from the newest back, at most `max_entries` matching ones looked at.

        For one-shot readers (the latest errors): it does not move `follow`'s anchor.
        The rest of a password cut off a message is masked whole, like in order.
        """
        try:
            yield from continuations_newest_first(self._newest_first(max_entries))
        finally:
            self._positioned = False

    def _newest_first(self, max_entries: int) -> Iterator[LogEntry]:
        reader = self._open()
        reader.seek_tail()
        looked = 0
        while looked < max_entries and reader._previous():
            looked += 1
            entry = self._current(reader, in_order=False)
            if self._wanted(entry):
                yield entry

    def oldest_first(self, since: float | None = None) -> Iterator[LogEntry]:
        """Every matching entry from `since` (or the journal's start) on, in time order.

        For readers of the whole history (a message's trace); it does not move
        `follow`'s anchor.
        """
        reader = self._open()
        try:
            if since is None:
                reader.seek_head()
            else:
                reader.seek_realtime(since)
            secret_open = False
            while reader._next():
                entry = self._current(reader, in_order=False)
                if entry.kind is Kind.AUTH:
                    if secret_open:
                        entry = build_entry(message="", tag=entry.tag, source=entry.source,
                                            timestamp=entry.timestamp, pid=entry.pid,
                                            cursor=entry.cursor, auth_tags=(entry.tag,),
                                            continues_secret=True)
                    secret_open = entry.secret_open
                if self._wanted(entry):
                    yield entry
        finally:
            self._positioned = False

    # -- following --------------------------------------------------------------------------
    def follow(
        self,
        on_entries: OnEntries,
        stop: threading.Event,
        on_event: OnEvent | None = None,
    ) -> None:
        """Deliver new entries until `stop` is set. Blocks: run it on its own thread."""
        report = on_event or (lambda _text: None)
        reader = self._open()
        self.start_at_end()
        self._position_after_cursor(reader)
        try:
            self._drain(reader, on_entries)
            while not stop.is_set():
                change = reader.wait(WAIT_SECONDS)
                if change == journal.INVALIDATE:
                    self._position_after_cursor(reader)
                    clock = time.strftime("%H:%M:%S")
                    report(f"journal files changed {clock} (rotation or vacuum), re-positioned")
                # Drain on every wake, timeouts included: cheap, and a missed
                # notification (files on a network share) costs half a second, not a line.
                self._drain(reader, on_entries)
        finally:
            self.close()

    def start_at_end(self) -> None:
        """Begin `follow` after the journal's newest entry as it is now, not when its thread
        gets going: an entry written after this call is delivered. Does nothing after a
        `backfill` or an earlier call."""
        if self._last_cursor is None and not self._positioned:
            self._position_at_tail(self._open())

    def _position_at_tail(self, reader: journal.Reader) -> None:
        reader.seek_tail()
        if reader._previous():  # #146: step onto the last entry, then _next() is correct
            self._last_cursor = reader._get_cursor()
        else:
            reader.seek_head()  # empty: everything that comes is new
        self._positioned = True

    def _position_after_cursor(self, reader: journal.Reader) -> None:
        """Stand on the last entry read, so `_next()` yields only newer ones."""
        if self._last_cursor is None:
            reader.seek_head()
        else:
            reader.seek_cursor(self._last_cursor)
            if reader._next() and not reader.test_cursor(self._last_cursor):
                reader._previous()  # that entry is gone (vacuumed): stand before its successor
        self._positioned = True

    def _drain(self, reader: journal.Reader, on_entries: OnEntries) -> None:
        batch: list[LogEntry] = []
        while reader._next():
            self._last_cursor = reader._get_cursor()
            entry = self._current(reader, in_order=True)
            if self._wanted(entry):
                batch.append(entry)
            if len(batch) >= BATCH_SIZE:
                on_entries(batch)
                batch = []
        if batch:
            on_entries(batch)

    # -- entries ----------------------------------------------------------------------------
    def _wanted(self, entry: LogEntry) -> bool:
        return self.kinds is None or entry.kind in self.kinds

    def _current(self, reader: journal.Reader, *, in_order: bool) -> LogEntry:
        fields: dict[str, bytes | None] = {}
        for name in _FIELDS:
            try:
                fields[name] = reader._get(name)
            except KeyError:
                fields[name] = None
        unit = _text(fields["_SYSTEMD_UNIT"])
        tag = _text(fields["SYSLOG_IDENTIFIER"]) or unit
        is_auth = tag in self.identifiers or (bool(unit) and unit in self.units)
        message = _text(fields["MESSAGE"])
        entry = build_entry(
            message=message,
            tag=tag,
            source=self.source,
            timestamp=reader._get_realtime() / 1_000_000,
            pid=_number(fields["_PID"]),
            cursor=reader._get_cursor(),
            priority=_number(fields["PRIORITY"]),
            previous_message=self._previous_auth_message if in_order else None,
            auth_tags=(tag,) if is_auth else self.identifiers,
            login_tags=self.login_identifiers,
            continues_secret=self._secret_open and in_order,
        )
        if in_order and entry.kind is Kind.AUTH:
            self._previous_auth_message = message
            self._secret_open = entry.secret_open
        return entry


def journal_access_problem(journal_dirs: Sequence[Path] = JOURNAL_DIRS) -> str | None:
    """A sentence when journal files exist that this user cannot read; None otherwise.

    libsystemd skips unreadable files silently, so an unprivileged reader would
    just see an empty journal. Checked with access(2), which honours the ACLs
    journald sets for the adm/wheel groups.
    """
    for journal_dir in journal_dirs:
        unreadable = _first_unreadable(journal_dir)
        if unreadable is not None:
            return (
                f"The journal is not readable by uid {os.geteuid()} ({unreadable}): "
                "join group systemd-journal or adm, or run as root."
            )
    return None


def _first_unreadable(journal_dir: Path) -> Path | None:
    if not journal_dir.is_dir():
        return None
    if not os.access(journal_dir, os.R_OK | os.X_OK):
        return journal_dir
    try:
        machine_dirs = [entry for entry in journal_dir.iterdir() if entry.is_dir()]
    except OSError:
        return journal_dir
    for machine_dir in machine_dirs:
        if not os.access(machine_dir, os.R_OK | os.X_OK):
            return machine_dir
        for journal_file in sorted(machine_dir.glob("system*.journal")):
            if not os.access(journal_file, os.R_OK):
                return journal_file
    return None


def journal_has_files(journal_dirs: Sequence[Path] = JOURNAL_DIRS) -> bool:
    """Whether any journal file exists (a directory alone is not a journal)."""
    for journal_dir in journal_dirs:
        try:
            machine_dirs = [entry for entry in journal_dir.iterdir() if entry.is_dir()]
        except OSError:
            continue
        for machine_dir in machine_dirs:
            try:
                if any(machine_dir.glob("*.journal")):
                    return True
            except OSError:
                return True  # there is something, we just may not look
    return False

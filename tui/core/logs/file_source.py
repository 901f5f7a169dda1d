"""Follow one mail log file by name, like `tail -F`, and read its recent past from the end.

Mail logs are big and hostile: hundreds of MB before rotation, lines as long as
a sender makes them, any bytes at all. So:

* `backfill` reads backwards from the end in growing blocks and stops at a byte
  budget: a 1 GB file costs what its last few MB cost. When the whole live file
  holds fewer lines than asked (or does not reach back to `since`), typically
  just after a rotation, it goes on into the rotated copies (`mail.log.1`,
  `maillog-20261130.gz`, …), newest first, within a second byte budget.
* `follow` waits for inotify events on the file's directory (watchfiles), with a
  1 s re-check as a safety net, and reads only the appended bytes. It follows the
  *name*: a renamed-and-recreated file (logrotate `create`) is finished, then the
  new one is read from byte 0; a truncated one (`copytruncate`) is re-read from 0;
  a deleted one is waited for. Each of these is reported through `on_event`.
* A line is kept in memory up to `line_buffer_cap` bytes (260 KiB, enough for the
  64 KiB message cap); the rest of a longer line is counted, not stored, so a
  10 MB line costs 260 KiB.
* Bytes are decoded as UTF-8 with replacement; NUL and escape sequences stay in
  the message for the display layer to neutralise.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.logs.entry import (
    MESSAGE_CAP,
    LogEntry,
    OnEntries,
    OnEvent,
    build_entry,
    with_orphan_context,
)
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.entry import AUTH_TAGS
from tui.core.logs.rotated import needles_for, rotated_entries
from tui.core.logs.syslog_line import parse_syslog_line

if TYPE_CHECKING:
    import watchfiles

DEFAULT_BACKFILL_BYTES = 8 * 1024 * 1024
ROTATED_BACKFILL_BYTES = 64 * 1024 * 1024  # decompressed line bytes read from rotated copies
BACKFILL_BLOCK = 64 * 1024
LINE_BUFFER_CAP = 4 * MESSAGE_CAP + 4096  # UTF-8 is ≤ 4 bytes a character, plus the header
READ_CHUNK = 1024 * 1024
BATCH_SIZE = 1000  # entries per on_entries call
RECHECK_MS = 1000  # stat the file at least this often even without inotify events
STEP_MS = 50  # watchfiles' polling step for the stop event: bounds the stop latency
DEBOUNCE_MS = 20  # group a burst of writes into one read


def _clock(moment: float | None = None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


class _Batch:
    """Entries on their way to `on_entries`, handed over every BATCH_SIZE and at the end."""

    def __init__(self, on_entries: OnEntries) -> None:
        self._on_entries = on_entries
        self.entries: list[LogEntry] = []

    def add(self, entry: LogEntry) -> None:
        self.entries.append(entry)
        if len(self.entries) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.entries:
            entries, self.entries = self.entries, []
            self._on_entries(entries)


class FileFollower:
    """One log file, read from the end and followed by name; one follow thread at a time."""

    def __init__(
        self,
        path: Path,
        *,
        auth_tags: Collection[str] = AUTH_TAGS,
        kinds: Collection[Kind] | None = None,
        login_tags: Collection[str] = (),
        backfill_bytes: int = DEFAULT_BACKFILL_BYTES,
        rotated_backfill_bytes: int = ROTATED_BACKFILL_BYTES,
        line_buffer_cap: int = LINE_BUFFER_CAP,
    ) -> None:
        self.path = path
        self.source = str(path)
        self.auth_tags = tuple(auth_tags)
        self.login_tags = tuple(login_tags)  # Courier IMAP/POP3's, where they are installed
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.backfill_bytes = backfill_bytes
        self.rotated_backfill_bytes = rotated_backfill_bytes
        self._reached_start = False  # the last backwards read got to byte 0, not a limit
        self.line_buffer_cap = line_buffer_cap
        self.backfill_bytes_read = 0  # what the last backfill cost (tests and benches)
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._offset = 0  # next byte of the open file to read
        self._placed = False  # where `follow` begins is decided (backfill or start_at_end)
        self._pending = bytearray()  # the unfinished last line, at most line_buffer_cap bytes
        self._pending_start = 0
        self._pending_dropped = 0  # bytes of the unfinished line beyond line_buffer_cap
        self._previous_auth_message: str | None = None  # for the orphan-fragment heuristic
        self._secret_open = False  # the last authdaemond message was cut inside a password
        self._gone = False
        self._reported_problem: str | None = None
        self._report: OnEvent = lambda _text: None
        # Bytes one of the wanted kinds must contain: lines without them are skipped before
        # parsing (most of a busy mail log is smtpd/qmgr/…, ~40 µs each to parse).
        self._needles: tuple[bytes, ...] | None = (
            needles_for(self.kinds, self.auth_tags, self.login_tags)
            if self.kinds is not None and Kind.OTHER not in self.kinds else None)

    @property
    def pending_bytes(self) -> int:
        """Bytes of the unfinished last line held in memory (never above line_buffer_cap)."""
        return len(self._pending)

    def start_at_end(self) -> None:
        """Begin `follow` at the file's end as it is now, not when its thread gets going.

        A line written after this call is delivered. Does nothing after a `backfill` (it
        placed `follow` already) or an earlier call; a file missing now is read from its
        first byte once it appears.
        """
        if self._placed:
            return
        self._open_at_end()
        self._placed = True

    # -- reading the past -----------------------------------------------------------------
    def backfill(self, max_lines: int, since: float | None = None) -> list[LogEntry]:
        """The newest `max_lines` entries (oldest first), none older than `since` when given.

        Reads backwards, at most `backfill_bytes`; a line cut by that budget is left
        out. Only a live file read to its first byte continues into the rotated
        copies. Afterwards `follow` continues right after the live file's last
        complete line.
        """
        self._close()
        self._placed = True
        newest_first: list[LogEntry] = []
        self._reached_start = True  # a missing live file: its past is all in the copies
        if self._open(from_start=True):
            assert self._fd is not None
            size = os.fstat(self._fd).st_size
            newest_first = list(self._entries_backwards(self._fd, size, max_lines, since))
        if self._reached_start and len(newest_first) < max_lines:
            missing = max_lines - len(newest_first)
            newest_first.extend(islice(self._rotated_backwards(since), missing))
        newest_first.reverse()
        entries = with_orphan_context(newest_first)
        auth = [entry for entry in entries if entry.kind is Kind.AUTH]
        self._previous_auth_message = auth[-1].message if auth else None
        self._secret_open = auth[-1].secret_open if auth else False
        return entries

    def _rotated_backwards(self, since: float | None) -> Iterator[LogEntry]:
        """Wanted entries of the rotated copies, newest first, stopping before `since`."""
        return rotated_entries(
            self.path, newest_first=True, include_live=False, kinds=self.kinds,
            auth_tags=self.auth_tags, login_tags=self.login_tags, since=since,
            max_bytes=self.rotated_backfill_bytes,
            on_unreadable=lambda path, exc: self._report(
                f"cannot read {path}: {exc.strerror or exc}"),
        )

    def _entries_backwards(
        self, fd: int, size: int, max_lines: int, since: float | None
    ) -> Iterable[LogEntry]:
        """Wanted entries newest first; sets the offset `follow` continues from.

        `_reached_start` says afterwards whether the walk ended at byte 0 (and not at
        `since`, the line count or the byte budget).
        """
        self._reached_start = False
        budget = max(0, self.backfill_bytes)
        position = size  # `tail` holds the unsplit bytes [position, end of the oldest line seen)
        tail = b""
        read = 0
        complete_end: int | None = None  # just after the file's last newline
        kept = 0
        try:
            while kept < max_lines:
                newline = tail.rfind(b"\n", 0, len(tail) - 1) if complete_end is not None else -1
                if newline < 0:
                    if position == 0 and tail:
                        entry = self._wanted_entry(tail[:-1], 0)  # the file's first line
                        if entry is not None and _older(entry, since):
                            return
                        if entry is not None:
                            yield entry
                        self._reached_start = True
                        return
                    if position == 0:
                        self._reached_start = True
                        return
                    if read >= budget:
                        return  # the oldest line in reach is cut: leave it
                    block = min(max(BACKFILL_BLOCK, len(tail)), position, budget - read)
                    chunk = os.pread(fd, block, position - block)
                    if len(chunk) < block:
                        return  # truncated under us
                    position -= block
                    read += block
                    tail = chunk + tail
                    if complete_end is None:
                        last = tail.rfind(b"\n")
                        if last >= 0:
                            tail = tail[: last + 1]  # a trailing partial line is follow()'s
                            complete_end = position + last + 1
                    continue
                start = newline + 1
                entry = self._wanted_entry(tail[start:-1], position + start)
                tail = tail[:start]
                if entry is None:
                    continue
                if _older(entry, since):
                    return
                kept += 1
                yield entry
        finally:
            self.backfill_bytes_read = read
            self._offset = size if complete_end is None else complete_end
            self._reset_pending(self._offset)

    def _could_be_wanted(self, raw: bytes | bytearray) -> bool:
        return self._needles is None or any(needle in raw for needle in self._needles)

    def _wanted_entry(self, raw: bytes, offset: int) -> LogEntry | None:
        if not raw.strip() or not self._could_be_wanted(raw):
            return None
        entry = self._entry(raw, offset, 0, in_order=False)
        return entry if self._wanted(entry) else None

    # -- following ------------------------------------------------------------------------
    def follow(
        self,
        on_entries: OnEntries,
        stop: threading.Event,
        on_event: OnEvent | None = None,
    ) -> None:
        """Deliver new entries until `stop` is set. Blocks: run it on its own thread.

        Continues after the last `backfill`, or from the current end of the file.
        """
        import watchfiles  # deferred: it pulls in anyio (~100 ms) that backfill never needs

        if on_event is not None:
            self._report = on_event
        batch = _Batch(on_entries)
        self.start_at_end()
        self._check(batch)
        directory = self.path.parent
        while not stop.is_set():
            if not directory.is_dir():
                stop.wait(RECHECK_MS / 1000)
                self._check(batch)
                continue
            try:
                for _changes in watchfiles.watch(
                    directory,
                    watch_filter=self._is_our_file,
                    debounce=DEBOUNCE_MS,
                    step=STEP_MS,
                    rust_timeout=RECHECK_MS,
                    yield_on_timeout=True,
                    stop_event=stop,
                    recursive=False,
                    raise_interrupt=False,
                ):
                    self._check(batch)
            except (OSError, RuntimeError) as exc:  # e.g. the directory vanished under inotify
                self._report(f"watching {directory} failed ({exc}); retrying")
                stop.wait(RECHECK_MS / 1000)
        self._close()
        self._placed = False  # a later follow begins at the end again

    def _is_our_file(self, _change: watchfiles.Change, path: str) -> bool:
        return os.path.basename(path) == self.path.name

    def _check(self, batch: _Batch) -> None:
        """Read what was appended, then notice truncation, rotation, deletion or creation.

        When the name goes away the old descriptor stays open and is still read: a
        writer keeps appending to a rotated file until it reopens (rsyslog on HUP).
        It is finished and closed once a new file carries the name.
        """
        name = self.path.name
        if self._fd is not None:
            self._drain(batch)
            identity = self._path_identity()
            if identity is None:
                if not self._gone:
                    self._gone = True
                    self._report(self._gone_text())
            elif identity != self._identity:
                deleted = self._old_file_deleted()
                self._finish_pending(batch)
                self._close()
                self._gone = False
                if self._open(from_start=True):
                    if deleted:
                        self._report(f"{name} recreated {_clock()}, reading from the start")
                    else:
                        self._report(f"{name} rotated {_clock()}, reopened")
                    self._drain(batch)
        elif self._path_identity() is not None and self._open(from_start=True):
            self._report(f"{name} appeared {_clock()}, reading from the start")
            self._drain(batch)
        batch.flush()

    def _old_file_deleted(self) -> bool:
        """No name left for the open file (deleted), as opposed to renamed (rotated)."""
        assert self._fd is not None
        return os.fstat(self._fd).st_nlink == 0

    def _gone_text(self) -> str:
        name = self.path.name
        if self._old_file_deleted():
            return f"{name} deleted {_clock()}; waiting for it to come back"
        return f"{name} moved away {_clock()} (rotation?); waiting for a new {name}"

    def _drain(self, batch: _Batch) -> None:
        """Read from the saved offset to the current end; a shrunk file is read from 0."""
        assert self._fd is not None
        while True:
            size = os.fstat(self._fd).st_size
            if size < self._offset:
                self._report(f"{self.path.name} truncated {_clock()}, reading from the start")
                self._offset = 0
                self._reset_pending(0)
            if size == self._offset:
                return
            chunk = os.pread(self._fd, min(READ_CHUNK, size - self._offset), self._offset)
            if not chunk:
                return
            self._feed(chunk, self._offset, batch)
            self._offset += len(chunk)

    def _feed(self, chunk: bytes, chunk_offset: int, batch: _Batch) -> None:
        """Split appended bytes into lines; the last, unfinished one waits in `_pending`.

        The whole lines in between are not walked one by one: a substring search jumps
        from one line holding a needle (a wanted tag) to the next, so the bulk of a busy
        mail log costs memory speed, not a Python step per line.
        """
        first_newline = chunk.find(b"\n")
        if first_newline < 0:
            self._add_pending(chunk)
            return
        self._add_pending(chunk[:first_newline])
        self._emit_pending(batch)
        last_newline = chunk.rfind(b"\n")
        start = first_newline + 1
        for line_start, line_end in self._candidate_lines(chunk, start, last_newline + 1):
            raw = chunk[line_start:line_end]
            if raw.strip():
                entry = self._entry(raw, chunk_offset + line_start, 0)
                if self._wanted(entry):
                    batch.add(entry)
        self._reset_pending(chunk_offset + last_newline + 1)
        self._add_pending(chunk[last_newline + 1:])

    def _candidate_lines(self, chunk: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
        """(start, end) of each line in chunk[start:end] (whole lines) that may be wanted."""
        needles = self._needles
        if needles is None:
            while start < end:
                newline = chunk.find(b"\n", start, end)
                yield start, newline
                start = newline + 1
            return
        found = [chunk.find(needle, start, end) for needle in needles]
        while True:
            hits = [position for position in found if position >= 0]
            if not hits:
                return
            hit = min(hits)
            previous_newline = chunk.rfind(b"\n", start, hit)
            line_start = previous_newline + 1 if previous_newline >= 0 else start
            line_end = chunk.find(b"\n", hit, end)
            yield line_start, line_end
            start = line_end + 1
            found = [position if position < 0 or position >= start
                     else chunk.find(needle, start, end)
                     for needle, position in zip(needles, found, strict=True)]

    def _add_pending(self, piece: bytes) -> None:
        room = max(0, self.line_buffer_cap - len(self._pending))
        self._pending += piece[:room]
        self._pending_dropped += max(0, len(piece) - room)

    def _emit_pending(self, batch: _Batch) -> None:
        if not self._could_be_wanted(self._pending):
            return
        if self._pending.strip() or self._pending_dropped:
            entry = self._entry(bytes(self._pending), self._pending_start, self._pending_dropped)
            if self._wanted(entry):
                batch.add(entry)

    def _finish_pending(self, batch: _Batch) -> None:
        """A file that is left never completes its last line: deliver what there is."""
        self._emit_pending(batch)
        self._reset_pending(0)

    def _reset_pending(self, start: int) -> None:
        self._pending = bytearray()
        self._pending_start = start
        self._pending_dropped = 0

    # -- files ----------------------------------------------------------------------------
    def _path_identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _open(self, *, from_start: bool) -> bool:
        """Open the file (a regular one only: a FIFO must not block us); False if we cannot."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                self._report_once(f"cannot read {self.path}: {exc.strerror}")
            return False
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            self._report_once(f"{self.path} is not a regular file")
            return False
        self._fd = fd
        self._identity = (info.st_dev, info.st_ino)
        self._gone = False
        self._reported_problem = None
        if from_start:
            self._offset = 0
            self._reset_pending(0)
        return True

    def _open_at_end(self) -> None:
        """Follow without backfill: start at the beginning of the file's unfinished last line."""
        if not self._open(from_start=True):
            return
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        look = min(size, BACKFILL_BLOCK)
        newline = os.pread(self._fd, look, size - look).rfind(b"\n")
        self._offset = size - look + newline + 1 if newline >= 0 else size
        self._reset_pending(self._offset)

    def _report_once(self, problem: str) -> None:
        """Retried every second: say it when it starts, not every time."""
        if problem != self._reported_problem:
            self._reported_problem = problem
            self._report(problem)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None

    # -- lines ----------------------------------------------------------------------------
    def _wanted(self, entry: LogEntry) -> bool:
        return self.kinds is None or entry.kind in self.kinds

    def _entry(self, raw: bytes, offset: int, dropped: int, *, in_order: bool = True) -> LogEntry:
        """Parse and classify one line; `in_order` lines give the next one its context."""
        if len(raw) > self.line_buffer_cap:
            dropped += len(raw) - self.line_buffer_cap
            raw = raw[: self.line_buffer_cap]
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        line = parse_syslog_line(text)
        if line is None:
            tag, pid, message, timestamp, cut = "", None, text, None, None
        else:
            tag, pid, message, timestamp = line.tag, line.pid, line.message, line.timestamp
            cut = line.cut
        entry = build_entry(
            message=message,
            tag=tag,
            source=self.source,
            timestamp=timestamp,
            pid=pid,
            cursor=f"{self.source}:{offset}",
            previous_message=self._previous_auth_message if in_order else None,
            auth_tags=self.auth_tags,
            login_tags=self.login_tags,
            extra_length=dropped,
            cut=cut,
            continues_secret=self._secret_open and in_order,
        )
        if in_order and entry.kind is Kind.AUTH:
            self._previous_auth_message = message
            self._secret_open = entry.secret_open
        return entry


def _older(entry: LogEntry, since: float | None) -> bool:
    return since is not None and entry.timestamp is not None and entry.timestamp < since

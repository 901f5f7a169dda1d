"""Find the lines a trace needs on raw bytes, a chunk at a time, before any line is parsed.

A week of a busy server's logs is millions of lines and the trace wants a few
dozen of them; parsing each line in Python would cost many times what
`zgrep -F` costs. So the decompressed text is searched in large chunks with
`bytes.find` (C speed) for:

* the query's key (the address, lower-cased like the text searched; the queue
  ID or Message-ID), and every queue ID a line with it names — and each such
  ID's other lines, in this chunk and the one before (pickup, cleanup and
  qmgr log a message before its first delivery line names the recipient);
* the bounce notice's new queue ID, once a tracked message's bounce line names it;
* authdaemond's lines near a failed attempt (within AUTH_BEFORE bytes before
  it and AUTH_AFTER after): the causes join them by time, to the second;
* the first line of each file, where its history begins.

Only those lines reach the parser; the joiner then decides exactly as it would
on every line. The look-back is one chunk (a few MiB: minutes to hours of a
busy server), the last chunk of the older file included. A message whose start
(smtpd's `client=`, pickup's `uid=` or cleanup's `message-id=`) is not in that
window — mail held, or waiting in a congested incoming queue, before its first
delivery line named the recipient — is an orphan: from the first one on, the
file's lines are held back, and at the file's end one more pass over the part of
the file before the orphans' first sight collects their earlier lines. That pass
reads only the file it is needed for (an orphan whose start is in an older file
than the one before is told without it), and never happens without an orphan.

Chunks are searched where they lie, by offsets: a line cut by a chunk's end is
the only bytes joined. A thread reads (and inflates) the next chunks while this
one is searched, as `zgrep`'s gzip runs beside its grep; memory stays a few
chunks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.logs.matcher.entry import AUTH_TAGS
from tui.core.logs.read_ahead import read_ahead
from tui.core.logs.rotated import (
    LINE_CAP,
    READ_ERRORS,
    RawLine,
    chunks_oldest_first,
    rotation_set,
)
from tui.core.trace.query import Query, QueryKind

CHUNK = 4 << 20
AUTH_BEFORE = 256 << 10  # a maildrop run of ~30 s on a busy server (the client's timeout)
AUTH_AFTER = 16 << 10
PREFETCH = 2  # chunks decompressed ahead: zlib lets go of the GIL, so it runs beside the search
_QUEUE_ID = re.compile(rb" postfix[^\s/\[]*/[^\s\[:]+\[\d+\]: (?P<qid>[0-9A-Za-z]{5,}): ")
_NOTICE = re.compile(rb"notification: (?P<qid>[0-9A-Za-z]{5,})")
_FAILED = (b"status=deferred", b"status=bounced")
_AUTH_NEEDLES = tuple(f" {tag}".encode() for tag in AUTH_TAGS)
# What a message's first line says after its queue ID: smtpd, pickup, or cleanup for
# mail Postfix writes itself (a bounce notice).
_STARTS = (b"client=", b"uid=", b"message-id=")


@dataclass(slots=True)
class _Segment:
    """Lines `buffer[begin:end]` of one file, searched where they lie; `offset` is the
    file offset of `buffer[0]`, `lowered` the buffer lower-cased (for an address)."""

    path: Path
    buffer: bytes
    begin: int
    end: int
    offset: int
    lowered: bytes | None = None
    chosen: set[int] = field(default_factory=set)

    def line_end(self, start: int) -> int:
        end = self.buffer.find(b"\n", start, self.end)
        return self.end if end < 0 else end

    def line(self, start: int) -> bytes:
        return self.buffer[start:self.line_end(start)]

    def starts(self, needle: bytes, begin: int | None = None, end: int | None = None,
               searched: bytes | None = None) -> set[int]:
        """The starts of the lines holding `needle` within [begin, end)."""
        text = self.buffer if searched is None else searched
        low = self.begin if begin is None else max(self.begin, begin)
        stop = self.end if end is None else min(self.end, end)
        found: set[int] = set()
        position = text.find(needle, low, stop)
        while position >= 0:
            start = max(self.begin, text.rfind(b"\n", self.begin, position) + 1)
            found.add(start)
            position = text.find(needle, self.line_end(start), stop)
        return found

    def raw_lines(self) -> Iterator[RawLine]:
        for start in sorted(self.chosen):
            end = self.line_end(start)
            kept = min(end, start + LINE_CAP)
            yield RawLine(self.path, self.offset + start, self.buffer[start:kept], end - kept)


def _queue_id_needle(qid: bytes) -> bytes:
    return b" " + qid + b": "


def _names_a_start(qid: bytes, segment: _Segment, starts: Iterable[int]) -> bool:
    """Whether one of these lines of `qid` is its message's first (see _STARTS)."""
    needles = tuple(_queue_id_needle(qid) + word for word in _STARTS)
    return any(needle in segment.line(start) for start in starts for needle in needles)


class Prefilter:
    """The lines of one query's trace; keep one per trace (it learns queue IDs as it reads)."""

    def __init__(self, query: Query, chunk_size: int = CHUNK) -> None:
        self.chunk_size = chunk_size
        self.key = query.key.encode("utf-8", errors="replace")
        self.case_blind = query.kind is not QueryKind.QUEUE_ID
        self.tracked: set[bytes] = set()
        self._auth_ahead = 0  # bytes of the next segments a failed attempt's window reaches
        if query.kind is QueryKind.QUEUE_ID:
            self.tracked.add(self.key)

    def _learn(self, line: bytes, orphans: set[bytes] | None) -> set[bytes]:
        """Track the queue IDs a wanted line names; the ones that are new. A new ID named
        by its own line (not a notice's) goes to `orphans` until its start is seen."""
        new = set()
        for pattern in (_QUEUE_ID, _NOTICE):
            match = pattern.search(line)
            if match and match["qid"] not in self.tracked:
                self.tracked.add(match["qid"])
                new.add(match["qid"])
                if orphans is not None and pattern is _QUEUE_ID:
                    orphans.add(match["qid"])
        return new

    def _select(self, segment: _Segment, behind: list[_Segment], candidates: set[bytes]
                ) -> None:
        """Choose the wanted lines of `segment`; the lines in `behind` (the segments of the
        last chunk, not yet handed out) that an ID first seen here names are chosen too.
        IDs first seen here whose start was not found go to `candidates`."""
        if self.case_blind and segment.lowered is None:
            segment.lowered = segment.buffer.lower()
        chosen = segment.starts(self.key, searched=segment.lowered)
        ahead, self._auth_ahead = self._auth_ahead, 0
        if ahead:
            chosen |= self._auth_lines(segment, segment.begin, segment.begin + ahead)
            self._auth_ahead = max(0, ahead - (segment.end - segment.begin))
        new: set[bytes] = set()
        orphans: set[bytes] = set()
        for start in chosen:
            new |= self._learn(segment.line(start), orphans)
        started: set[bytes] = set()  # new IDs whose first line was found
        to_search, searched_ids = set(self.tracked), set()
        while to_search:
            found: set[int] = set()
            for qid in to_search:
                hits = segment.starts(_queue_id_needle(qid))
                if qid in orphans and _names_a_start(qid, segment, hits):
                    started.add(qid)
                found |= hits
            searched_ids |= to_search
            found -= chosen
            chosen |= found
            for start in found:
                new |= self._learn(segment.line(start), orphans)
            to_search = self.tracked - searched_ids
        for qid in new:
            needle = _queue_id_needle(qid)
            for older in behind:
                hits = older.starts(needle)
                if qid in orphans and _names_a_start(qid, older, hits):
                    started.add(qid)
                older.chosen |= hits
        candidates |= orphans - started
        for start in list(chosen):
            line = segment.line(start)
            if any(word in line for word in _FAILED):
                chosen |= self._auth_lines(segment, start - AUTH_BEFORE, start + AUTH_AFTER)
                self._auth_behind(behind, AUTH_BEFORE - (start - segment.begin))
                self._auth_ahead = max(self._auth_ahead, start + AUTH_AFTER - segment.end)
            elif line.endswith(b": removed"):
                match = _QUEUE_ID.search(line)
                if match:  # its file is gone: a later line with this ID is other mail
                    self.tracked.discard(match["qid"])
        segment.chosen |= chosen
        segment.lowered = None  # the look-back searches queue IDs, which have one case

    def _auth_behind(self, behind: list[_Segment], reach: int) -> None:
        """authdaemond's lines in the last `reach` bytes of the segments behind."""
        for older in reversed(behind):
            if reach <= 0:
                return
            older.chosen |= self._auth_lines(older, older.end - reach, older.end)
            reach -= older.end - older.begin

    @staticmethod
    def _auth_lines(segment: _Segment, begin: int, end: int) -> set[int]:
        found: set[int] = set()
        for needle in _AUTH_NEEDLES:
            found |= segment.starts(needle, begin, end)
        return found

    def rotated_lines(self, path: Path, on_unreadable: Callable[[Path, OSError], None],
                      live_only: bool = False) -> Iterator[RawLine]:
        """The wanted lines of `path` and its rotated copies, oldest file first (of the live
        file alone with `live_only`)."""
        files = rotation_set(path)
        if live_only:
            files = files[:1] if path.exists() else ()
        behind: list[_Segment] = []  # the last chunk's segments, handed out after the next
        for file in reversed(files):
            reading = _FileReading(self, file, behind)
            try:
                yield from reading.lines()
            except READ_ERRORS as exc:
                on_unreadable(file, exc if isinstance(exc, OSError) else OSError(str(exc)))
            yield from reading.finish()
            behind = reading.behind
        for segment in behind:
            yield from segment.raw_lines()


class _FileReading:
    """One file's pass: its segments searched in order, the last chunk's kept as the look-back,
    and, once an orphan appears, the file's lines held for the pass that completes it."""

    def __init__(self, prefilter: Prefilter, path: Path, behind: list[_Segment]) -> None:
        self.prefilter = prefilter
        self.path = path
        self.behind = behind  # may hold the older file's last chunk
        self.orphans: dict[bytes, int] = {}  # queue ID → the file offset its look-back began
        self.held: list[RawLine] = []  # this file's lines handed out at its end (orphans)
        self.handed: set[int] = set()  # offsets of this file's lines already chosen

    def lines(self) -> Iterator[RawLine]:
        carry, offset, first = b"", 0, True
        pieces = read_ahead(chunks_oldest_first(self.path, self.prefilter.chunk_size),
                            PREFETCH, "trace-prefetch")
        for piece in pieces:
            cut = piece.rfind(b"\n") + 1
            if cut == 0:
                carry += piece
                continue
            head = piece.find(b"\n") + 1
            segments: list[_Segment] = []
            if carry:  # the line the last piece cut: its own small segment
                joined = carry + piece[:head]
                segments.append(_Segment(self.path, joined, 0, len(joined), offset))
                offset += len(joined)
                body_begin = head
            else:
                body_begin = 0
            segments.append(_Segment(self.path, piece, body_begin, cut,
                                     offset - body_begin))
            offset += cut - body_begin
            carry = piece[cut:]
            for segment in segments:
                yield from self._search(segment, first)
                first = False
        if carry:
            data = carry + b"\n"
            yield from self._search(_Segment(self.path, data, 0, len(data), offset), first)

    def _search(self, segment: _Segment, first: bool) -> Iterator[RawLine]:
        """Search `segment`; hand out the look-back's lines once `segment` is a chunk on."""
        candidates: set[bytes] = set()
        self.prefilter._select(segment, self.behind, candidates)
        if first:
            segment.chosen.add(segment.begin)
        for qid in candidates:
            looked_from = min((s.offset + s.begin for s in [*self.behind, segment]
                               if s.path == self.path), default=0)
            if looked_from > 0:  # else no earlier line of this file can hold its start
                self.orphans.setdefault(qid, looked_from)
        self.behind.append(segment)
        size = sum(s.end - s.begin for s in self.behind[1:])
        while len(self.behind) > 1 and size >= self.prefilter.chunk_size:
            yield from self._hand_out(self.behind.pop(0))
            size = sum(s.end - s.begin for s in self.behind[1:])

    def _hand_out(self, segment: _Segment) -> Iterator[RawLine]:
        for line in segment.raw_lines():
            if line.path != self.path:
                yield line  # the older file's last chunk
                continue
            self.handed.add(line.offset)
            if self.orphans:
                self.held.append(line)
            else:
                yield line

    def finish(self) -> Iterator[RawLine]:
        """The held lines with the orphans' earlier ones, in file order."""
        if not self.orphans:
            yield from self.held
            return
        for segment in self.behind:  # the file's last chunk, handed out now; it stays the
            if segment.path == self.path:  # next file's look-back with nothing chosen
                lines = list(segment.raw_lines())
                self.held += lines
                self.handed |= {line.offset for line in lines}
                segment.chosen = set()
        earlier = [line for line in self._earlier_lines() if line.offset not in self.handed]
        yield from sorted([*self.held, *earlier], key=lambda line: line.offset)
        self.held.clear()

    def _earlier_lines(self) -> Iterator[RawLine]:
        """The orphans' lines before each one's look-back began (one more pass, bounded by
        the latest of those offsets)."""
        needles = {_queue_id_needle(qid): before for qid, before in self.orphans.items()}
        stop = max(needles.values())
        carry, offset = b"", 0
        try:
            for piece in read_ahead(chunks_oldest_first(self.path, self.prefilter.chunk_size),
                                    PREFETCH, "trace-backfill"):
                data = carry + piece
                cut = data.rfind(b"\n") + 1
                chunk, carry = data[:cut], data[cut:]
                segment = _Segment(self.path, chunk, 0, len(chunk), offset)
                for needle, before in needles.items():
                    if before > offset:
                        segment.chosen |= segment.starts(needle, 0, before - offset)
                yield from segment.raw_lines()
                offset += len(chunk)
                if offset >= stop:
                    return
        except READ_ERRORS:
            return  # the first pass read it: a file changed meanwhile keeps what was found

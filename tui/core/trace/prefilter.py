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
on every line. The look-back is one chunk (a few MiB: hours of a busy server),
so a message whose first lines lie further back than that before the first
line naming the key loses them (its attempts and end are still found).

A thread reads (and decompresses) the next chunks while this one is searched,
as `zgrep`'s gzip runs beside its grep; memory stays a few chunks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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


def _line_at(buffer: bytes, position: int) -> int:
    """The start of the line holding `position`."""
    return buffer.rfind(b"\n", 0, position) + 1


def _line_end(buffer: bytes, start: int) -> int:
    end = buffer.find(b"\n", start)
    return len(buffer) if end < 0 else end


def _starts(buffer: bytes, needle: bytes, begin: int = 0, end: int | None = None) -> set[int]:
    found: set[int] = set()
    stop = len(buffer) if end is None else end
    position = buffer.find(needle, begin, stop)
    while position >= 0:
        start = _line_at(buffer, position)
        found.add(start)
        position = buffer.find(needle, _line_end(buffer, start), stop)
    return found


class Prefilter:
    """The lines of one query's trace; keep one per trace (it learns queue IDs as it reads)."""

    def __init__(self, query: Query, chunk_size: int = CHUNK) -> None:
        self.chunk_size = chunk_size
        self.key = query.key.encode("utf-8", errors="replace")
        self.case_blind = query.kind is not QueryKind.QUEUE_ID
        self.tracked: set[bytes] = set()
        self._auth_ahead = 0  # bytes of the next chunk a failed attempt's window reaches into
        if query.kind is QueryKind.QUEUE_ID:
            self.tracked.add(self.key)

    def _learn(self, line: bytes) -> set[bytes]:
        """Track the queue IDs a wanted line names; the ones that are new."""
        new = set()
        for pattern in (_QUEUE_ID, _NOTICE):
            match = pattern.search(line)
            if match and match["qid"] not in self.tracked:
                self.tracked.add(match["qid"])
                new.add(match["qid"])
        return new

    def _select(self, chunk: bytes, previous: bytes, chosen_before: set[int]) -> set[int]:
        """The starts of the wanted lines of `chunk`; lines of `previous` are added to
        `chosen_before` when a queue ID first seen here names them."""
        searched = chunk.lower() if self.case_blind else chunk
        chosen = _starts(searched, self.key)
        ahead, self._auth_ahead = self._auth_ahead, 0
        if ahead:
            chosen |= self._auth_lines(chunk, 0, min(len(chunk), ahead))
        new: set[bytes] = set()
        for start in chosen:
            new |= self._learn(chunk[start:_line_end(chunk, start)])
        to_search, searched_ids = set(self.tracked), set()
        while to_search:
            found: set[int] = set()
            for qid in to_search:
                found |= _starts(chunk, b" " + qid + b": ")
            searched_ids |= to_search
            found -= chosen
            chosen |= found
            for start in found:
                new |= self._learn(chunk[start:_line_end(chunk, start)])
            to_search = self.tracked - searched_ids
        if previous:
            for qid in new:
                chosen_before |= _starts(previous, b" " + qid + b": ")
        for start in list(chosen):
            line = chunk[start:_line_end(chunk, start)]
            if any(word in line for word in _FAILED):
                chosen |= self._auth_lines(chunk, max(0, start - AUTH_BEFORE),
                                           min(len(chunk), start + AUTH_AFTER))
                if previous and start < AUTH_BEFORE:  # the window began in the last chunk
                    chosen_before |= self._auth_lines(
                        previous, max(0, len(previous) - (AUTH_BEFORE - start)), len(previous))
                self._auth_ahead = max(self._auth_ahead, start + AUTH_AFTER - len(chunk))
            elif line.endswith(b": removed"):
                match = _QUEUE_ID.search(line)
                if match:  # its file is gone: a later line with this ID is other mail
                    self.tracked.discard(match["qid"])
        return chosen

    @staticmethod
    def _auth_lines(chunk: bytes, begin: int, end: int) -> set[int]:
        found: set[int] = set()
        for needle in _AUTH_NEEDLES:
            found |= _starts(chunk, needle, begin, end)
        return found

    def _file_lines(self, path: Path) -> Iterator[RawLine]:
        previous, chosen_before, previous_offset = b"", set[int](), 0
        carry, offset, first = b"", 0, True
        pieces = read_ahead(chunks_oldest_first(path, self.chunk_size), PREFETCH,
                            "trace-prefetch")
        for piece in pieces:
            data = carry + piece
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            chunk, carry = data[:cut], data[cut:]
            chosen = self._select(chunk, previous, chosen_before)
            if first:
                chosen.add(0)
                first = False
            yield from _raw(path, previous, chosen_before, previous_offset)
            previous, chosen_before, previous_offset = chunk, chosen, offset
            offset += len(chunk)
        yield from _raw(path, previous, chosen_before, previous_offset)
        if carry:
            chunk = carry + b"\n"
            chosen = self._select(chunk, b"", set())
            if first:
                chosen.add(0)
            yield from _raw(path, chunk, chosen, offset)

    def rotated_lines(self, path: Path,
                      on_unreadable: Callable[[Path, OSError], None]) -> Iterator[RawLine]:
        """The wanted lines of `path` and its rotated copies, oldest file first."""
        for file in reversed(rotation_set(path)):
            try:
                yield from self._file_lines(file)
            except READ_ERRORS as exc:
                on_unreadable(file, exc if isinstance(exc, OSError) else OSError(str(exc)))


def _raw(path: Path, chunk: bytes, starts: set[int], offset: int) -> Iterator[RawLine]:
    for start in sorted(starts):
        end = _line_end(chunk, start)
        kept = min(end, start + LINE_CAP)
        yield RawLine(path, offset + start, chunk[start:kept], end - kept)



"""A mail log and its rotated siblings, read line by line, newest first or oldest first.

logrotate leaves the past next to the live file, in one of two naming schemes:

* numbered (Debian's default): `mail.log.1`, `mail.log.2.gz`, … — the lower the
  number, the newer;
* dated (`dateext`, RHEL and ApisCP): `maillog-20261130`, `maillog-20261130.gz` —
  the later the date, the newer.

Compressed files (gzip; bzip2 and xz too, all from the standard library) are
decompressed as a stream, never whole in memory. A line is kept up to
`line_cap` bytes; the rest of a longer line is counted in `dropped`, so a 10 MB
line costs `line_cap`. Bytes are decoded by the caller (`entries_of` decodes
UTF-8 with replacement), since a log line can hold anything a client sent.

Reading a compressed file newest first spills its decompressed text to an
anonymous temporary file and reads that backwards: memory stays bounded, disk
holds one file's text until the reader is done.
"""

from __future__ import annotations

import bz2
import contextlib
import errno
import gzip
import io
import lzma
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from tui.core.logs.entry import MESSAGE_CAP, LogEntry, build_entry
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.entry import AUTH_TAGS
from tui.core.logs.syslog_line import parse_syslog_line

LINE_CAP = 4 * MESSAGE_CAP + 4096  # UTF-8 is ≤ 4 bytes a character, plus the header
BLOCK = 64 * 1024
STREAM_CHUNK = 1024 * 1024
GZIP_BLOCK = 1024 * 1024  # compressed bytes read at a time: about 4 MiB of text
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate

# Suffix → a reader that decompresses a file object as a stream.
_DECOMPRESSORS: dict[str, Callable[[BinaryIO], io.BufferedIOBase]] = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    ".bz2": lambda raw: bz2.BZ2File(raw, mode="rb"),
    ".xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),  # noqa: SIM115 (closed by the caller)
}
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)  # corrupt or cut archives
_NUMBERED = re.compile(r"^\.(?P<number>\d{1,4})(?P<compression>\.gz|\.bz2|\.xz)?$")
_DATED = re.compile(r"^-(?P<date>\d{8}(?:\d{2})?)(?P<compression>\.gz|\.bz2|\.xz)?$")


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line as bytes (without its newline); `offset` is in the decompressed text."""

    path: Path
    offset: int
    data: bytes  # at most line_cap bytes
    dropped: int  # bytes of the line beyond line_cap


def is_compressed(path: Path) -> bool:
    return path.suffix in _DECOMPRESSORS


def rotated_siblings(path: Path) -> tuple[Path, ...]:
    """The rotated copies of `path` in its directory, newest first (the live file excluded).

    Numbered copies sort by number, dated ones by date. A directory holding both
    (the scheme was changed once) is ordered by modification time, which logrotate
    leaves as the time the last line was written.
    """
    try:
        names = os.listdir(path.parent)
    except OSError:
        return ()
    numbered: list[tuple[int, Path]] = []
    dated: list[tuple[str, Path]] = []
    for name in names:
        if not name.startswith(path.name) or name == path.name:
            continue
        rest = name[len(path.name):]
        if match := _NUMBERED.match(rest):
            numbered.append((int(match.group("number")), path.parent / name))
        elif match := _DATED.match(rest):
            dated.append((match.group("date"), path.parent / name))
    if numbered and dated:
        both = [sibling for _key, sibling in (*numbered, *dated)]
        return tuple(sorted(both, key=_mtime, reverse=True))
    if numbered:
        return tuple(sibling for _number, sibling in sorted(numbered))
    return tuple(sibling for _date, sibling in sorted(dated, reverse=True))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def rotation_set(path: Path) -> tuple[Path, ...]:
    """The live file (when it exists) and then its rotated copies, newest first."""
    live = (path,) if path.exists() else ()
    return (*live, *rotated_siblings(path))


def describe_files(paths: Collection[Path]) -> str:
    """`/var/log/mail.log (+3 rotated)` for each file; what discovery and the reader say."""
    parts = []
    for path in paths:
        count = len(rotated_siblings(path))
        parts.append(f"{path} (+{count} rotated)" if count else str(path))
    return ", ".join(parts)


# -- opening ------------------------------------------------------------------------------


def _open_regular(path: Path) -> int:
    """A descriptor on a regular file; a FIFO or a device named as a log is refused."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


@contextlib.contextmanager
def _open_stream(path: Path) -> Iterator[_Stream]:
    """The file's (decompressed) bytes as a forward stream; both layers closed after."""
    with os.fdopen(_open_regular(path), "rb") as raw:
        decompress = _DECOMPRESSORS.get(path.suffix)
        if decompress is None:
            yield raw
            return
        with decompress(raw) as stream:
            yield stream


class _Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


# -- oldest first ---------------------------------------------------------------------------


def _forward_lines(stream: _Stream, path: Path, line_cap: int) -> Iterator[RawLine]:
    pending = bytearray()
    dropped = 0
    start = 0
    offset = 0
    while chunk := stream.read(STREAM_CHUNK):
        begin = 0
        while True:
            newline = chunk.find(b"\n", begin)
            piece = chunk[begin:] if newline < 0 else chunk[begin:newline]
            room = max(0, line_cap - len(pending))
            pending += piece[:room]
            dropped += max(0, len(piece) - room)
            if newline < 0:
                break
            yield RawLine(path, start, bytes(pending), dropped)
            pending.clear()
            dropped = 0
            start = offset + newline + 1
            begin = newline + 1
        offset += len(chunk)
    if pending or dropped:
        yield RawLine(path, start, bytes(pending), dropped)


def chunks_oldest_first(path: Path, size: int = STREAM_CHUNK) -> Iterator[bytes]:
    """The file's (decompressed) bytes in chunks of at most `size`, first to last."""
    if path.suffix == ".gz":
        yield from _gzip_chunks(path, size)
        return
    with _open_stream(path) as stream:
        while chunk := stream.read(size):
            yield chunk


def _gzip_chunks(path: Path, size: int) -> Iterator[bytes]:
    """A `.gz` inflated by zlib itself, a large block per call.

    `GzipFile` inflates 128 KiB at a time and runs Python between the blocks, so a
    reader on another thread (the read-ahead) takes the GIL back every few hundred
    microseconds and waits for it each time; one call per chunk lets go of the GIL
    for the whole chunk. Members are followed one after another, zero padding after
    a member is skipped, and zlib checks each member's CRC and length, as gzip does.
    """
    with os.fdopen(_open_regular(path), "rb", buffering=0) as raw:
        inflate: zlib._Decompress | None = None  # the member being inflated; None between
        pending = b""
        while True:
            if not pending and not (pending := raw.read(GZIP_BLOCK)):
                break
            if inflate is None:
                pending = pending.lstrip(b"\0")
                if not pending:
                    continue
                inflate = zlib.decompressobj(GZIP_WBITS)
            chunk = inflate.decompress(pending, size)
            pending = inflate.unconsumed_tail
            if inflate.eof:
                pending, inflate = inflate.unused_data, None
            if chunk:
                yield chunk
        while inflate is not None and (chunk := inflate.decompress(b"", size)):
            yield chunk  # output zlib still held when the input ran out
        if inflate is not None and not inflate.eof:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")


def lines_oldest_first(path: Path, line_cap: int = LINE_CAP) -> Iterator[RawLine]:
    """Every line of one file (compressed or not), first to last, streamed."""
    with _open_stream(path) as stream:
        yield from _forward_lines(stream, path, line_cap)


# -- newest first ---------------------------------------------------------------------------


def _backward_lines(fd: int, size: int, path: Path, line_cap: int) -> Iterator[RawLine]:
    """Lines from the end of a seekable file; a long line keeps its first `line_cap` bytes.

    Going backwards the end of a line is met first: the bytes kept are the earliest
    seen so far, so when the line's start is reached they are its first `line_cap`.
    """
    position = size
    buffer = b""  # bytes before `end` not yet split off, starting at `position`
    end = size  # just after the line being assembled (its newline excluded)
    dropped = 0
    first = True
    while position > 0:
        block = min(BLOCK, position)
        chunk = os.pread(fd, block, position - block)
        if len(chunk) < block:
            return  # truncated under us
        position -= block
        if first:
            first = False
            if chunk.endswith(b"\n"):
                chunk = chunk[:-1]
                end -= 1
        buffer = chunk + buffer
        while (newline := buffer.rfind(b"\n")) >= 0:
            line = buffer[newline + 1:]
            kept = line[:line_cap]
            yield RawLine(path, position + newline + 1, kept, dropped + len(line) - len(kept))
            buffer = buffer[:newline]
            end = position + newline
            dropped = 0
        if len(buffer) > line_cap:
            dropped += len(buffer) - line_cap  # the line's later bytes: counted, not kept
            buffer = buffer[:line_cap]
    if buffer or dropped or end > 0:
        yield RawLine(path, 0, buffer, dropped)


def lines_newest_first(path: Path, line_cap: int = LINE_CAP) -> Iterator[RawLine]:
    """Every line of one file, last to first; a compressed one goes through a temp file."""
    if not is_compressed(path):
        fd = _open_regular(path)
        try:
            yield from _backward_lines(fd, os.fstat(fd).st_size, path, line_cap)
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryFile(prefix="authlib-tui-rotated-") as spill, \
            _open_stream(path) as stream:
        while chunk := stream.read(STREAM_CHUNK):
            spill.write(chunk)
        spill.flush()
        size = spill.tell()
        yield from _backward_lines(spill.fileno(), size, path, line_cap)


# -- the whole set ----------------------------------------------------------------------------

OnUnreadable = Callable[[Path, OSError], None]


def _skip(_path: Path, _error: OSError) -> None:
    return None


def rotated_lines(
    path: Path,
    *,
    newest_first: bool,
    include_live: bool = True,
    live_only: bool = False,
    line_cap: int = LINE_CAP,
    max_bytes: int | None = None,
    on_unreadable: OnUnreadable = _skip,
) -> Iterator[RawLine]:
    """The lines of `path` and its rotated copies (of `path` alone with `live_only`), newest
    first or oldest first.

    A file that cannot be opened or decompressed (permissions, a corrupt .gz) is
    handed to `on_unreadable` and skipped; the others are still read. `max_bytes`
    stops the walk once that many bytes of lines were handed out.
    """
    if live_only:
        files = [path] if path.exists() else []
    else:
        files = list(rotation_set(path) if include_live else rotated_siblings(path))
    if not newest_first:
        files.reverse()
    read = lines_newest_first if newest_first else lines_oldest_first
    budget = max_bytes
    for file in files:
        try:
            for line in read(file, line_cap):
                yield line
                if budget is not None:
                    budget -= len(line.data) + line.dropped + 1
                    if budget <= 0:
                        return
        except READ_ERRORS as exc:
            on_unreadable(file, exc if isinstance(exc, OSError) else OSError(str(exc)))


def entry_of(
    line: RawLine, auth_tags: Collection[str] = AUTH_TAGS, now: float | None = None,
    login_tags: Collection[str] = (),
) -> LogEntry:
    """One raw line parsed and classified like the live reader does (a login program's line
    is a login where `login_tags` names it, as live)."""
    text = line.data.decode("utf-8", errors="replace").rstrip("\r")
    parsed = parse_syslog_line(text, now=now)
    if parsed is None:
        tag, pid, message, timestamp, cut = "", None, text, None, None
    else:
        tag, pid, message, timestamp = parsed.tag, parsed.pid, parsed.message, parsed.timestamp
        cut = parsed.cut
    return build_entry(
        message=message, tag=tag, source=str(line.path), timestamp=timestamp, pid=pid,
        cursor=f"{line.path}:{line.offset}", auth_tags=auth_tags, extra_length=line.dropped,
        cut=cut, login_tags=login_tags,
    )


def needles_for(kinds: Collection[Kind] | None, auth_tags: Collection[str],
                login_tags: Collection[str] = ()) -> tuple[bytes, ...]:
    """Bytes a line of one of `kinds` must contain; () means every line is wanted."""
    if kinds is None or Kind.OTHER in kinds:
        return ()
    needles = [tag.encode() for tag in auth_tags] if Kind.AUTH in kinds else []
    if Kind.DELIVERY in kinds:
        needles.append(b"/pipe[")
    if Kind.LOGIN in kinds:
        needles.extend(tag.encode() for tag in login_tags)
    return tuple(needles)


def rotated_entries(
    path: Path,
    *,
    newest_first: bool,
    include_live: bool = True,
    kinds: Collection[Kind] | None = None,
    auth_tags: Collection[str] = AUTH_TAGS,
    since: float | None = None,
    max_bytes: int | None = None,
    on_unreadable: OnUnreadable = _skip,
    login_tags: Collection[str] = (),
) -> Iterator[LogEntry]:
    """Classified entries of `path` and its rotated copies (see `rotated_lines`).

    `kinds` filters (lines that cannot be one are skipped before parsing). Newest
    first, the walk stops at the first entry older than `since`; oldest first,
    entries older than `since` are skipped.
    """
    needles = needles_for(kinds, auth_tags, login_tags)
    wanted = frozenset(kinds) if kinds is not None else None
    for line in rotated_lines(path, newest_first=newest_first, include_live=include_live,
                              max_bytes=max_bytes, on_unreadable=on_unreadable):
        if not line.data.strip() and not line.dropped:
            continue
        if needles and not any(needle in line.data for needle in needles):
            continue
        entry = entry_of(line, auth_tags, login_tags=login_tags)
        if wanted is not None and entry.kind not in wanted:
            continue
        if since is not None and entry.timestamp is not None and entry.timestamp < since:
            if newest_first:
                return
            continue
        yield entry

"""Count authdaemond's error lines in a whole mail log, fast enough to run on 1 GB.

The tail readers look at the end of a file; this answers "how many, in all
of it?". Most of a mail log is other daemons' lines, so the scan jumps from one
` authdaemond` to the next with a plain substring search (memory speed, in C);
only there does a bytes regex check the tag and whether the message is a warning
or an error, and only the lines it accepts come back to Python to be classified.
"""

from __future__ import annotations

import contextlib
import functools
import mmap
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tui.core.logs.matcher.classify import classify_notable
from tui.core.logs.matcher.compiled import notable_bytes_at
from tui.core.logs.read_ahead import read_ahead
from tui.core.logs.rotated import (
    LINE_CAP,
    READ_ERRORS,
    chunks_oldest_first,
    is_compressed,
    rotation_set,
)

# `Mmm dd HH:MM:SS host authdaemond[pid]: ` or RFC 3339 `2026-11-26T… host authdaemond: `:
# the tag must stand where syslog puts it, not anywhere in an attacker-chosen message.
_HEADER = re.compile(
    rb"(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ "
    rb"authdaemond(?:\[\d+\])?: "
)
_TAG = b" authdaemond"
# The tag as syslog writes it, then a warning or error, matched where the substring search
# stopped: an info or debug line is rejected by this one C call.
@functools.cache
def _tagged_notable() -> re.Pattern[bytes]:
    return re.compile(rb"( authdaemond(?:\[\d+\])?: )" + notable_bytes_at().pattern,
                      re.MULTILINE)


CACHE_LIMIT = 10_000
PARALLEL_FROM = 64 * 1024 * 1024  # bytes: a smaller file is counted before a helper would start
PART_BYTES = 32 * 1024 * 1024  # one part handed out at a time: small enough to balance
MAX_HELPERS = 7
CHUNK = 4 * 1024 * 1024  # decompressed bytes scanned at a time in a compressed copy
READ_AHEAD = 2  # chunks a decompressing thread may hold ready while the last one is scanned

Seen = dict[bytes, str | None]  # message → signature id: errors repeat verbatim


def count_authdaemond_errors(path: Path) -> Counter[str]:
    """Signature id → number of authdaemond lines at warning or error level.

    The file is memory-mapped and searched in place, so Python only sees the lines
    that are warnings or errors. The regexes work on bytes, where \\s and \\w are
    ASCII; each hit is then classified on its decoded text, so the count is exactly
    `classify`'s. A large file is shared out in line-aligned parts between this
    process and helper processes, one per other core (`_count_in_parts`).
    """
    counts: Counter[str] = Counter()
    with path.open("rb") as log:
        size = os.fstat(log.fileno()).st_size
        if size == 0:
            return counts
        with mmap.mmap(log.fileno(), 0, access=mmap.ACCESS_READ) as data:
            helpers = min((os.cpu_count() or 1) - 1, MAX_HELPERS)
            if size >= PARALLEL_FROM and helpers > 0:
                return _count_in_parts(path, data, helpers)
            _count_block(data, counts, {})
    return counts


def _line_aligned_parts(data: mmap.mmap, part: int) -> list[tuple[int, int]]:
    """[start, end) ranges of about `part` bytes, each ending just after a newline."""
    parts: list[tuple[int, int]] = []
    start = 0
    while start < len(data):
        newline = data.find(b"\n", min(start + part, len(data)) - 1)
        end = len(data) if newline < 0 else newline + 1
        parts.append((start, end))
        start = end
    return parts


def _count_part(path: str, start: int, end: int) -> Counter[str]:
    """A helper process's share: the lines in [start, end) of the file at `path`."""
    counts: Counter[str] = Counter()
    with open(path, "rb") as log, mmap.mmap(log.fileno(), 0, access=mmap.ACCESS_READ) as data:
        _count_block(data, counts, {}, start, end)
    return counts


def _count_in_parts(path: Path, data: mmap.mmap, helpers: int) -> Counter[str]:
    """The same count, shared out: this process takes parts from the front, helper
    processes from the back, one at a time, so whoever is faster (a helper first has to
    start) does more. Helpers are spawned, not forked: the caller may have threads. A
    part a helper could not count (it could not start, or died) is counted here.
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    parts = _line_aligned_parts(data, PART_BYTES)
    counts: Counter[str] = Counter()
    seen: Seen = {}
    front, back = 0, len(parts)
    running: dict[Future[Counter[str]], tuple[int, int]] = {}
    pool: ProcessPoolExecutor | None = None
    with contextlib.suppress(OSError, ValueError):
        pool = ProcessPoolExecutor(max_workers=helpers, mp_context=get_context("spawn"))

    def collect(future: Future[Counter[str]]) -> None:
        part = running.pop(future)
        try:
            counts.update(future.result())
        except BrokenProcessPool:
            _count_block(data, counts, seen, *part)

    try:
        while front < back:
            # Two parts per helper: one counted, one waiting, so no helper idles while this
            # process is busy with its own part and has not handed out the next yet.
            while pool is not None and len(running) < 2 * helpers and back - front > 1:
                back -= 1
                try:
                    running[pool.submit(_count_part, str(path), *parts[back])] = parts[back]
                except (BrokenProcessPool, RuntimeError):
                    back += 1
                    pool = None
            _count_block(data, counts, seen, *parts[front])
            front += 1
            for future in wait(running, timeout=0, return_when=FIRST_COMPLETED).done:
                collect(future)
        for future in list(running):
            collect(future)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return counts


def count_with_rotations(path: Path) -> Counter[str]:
    """`count_authdaemond_errors` over the file and its rotated copies (`mail.log.2.gz`, …).

    Plain files are memory-mapped as above; a compressed copy cannot be, so it is
    decompressed in large chunks on a thread of its own (the decompressor runs
    without the GIL) while the previous chunk is scanned the same way. A line is
    looked at up to LINE_CAP bytes, as the line readers keep it. A copy that cannot
    be read is left out from where it failed.
    """
    counts: Counter[str] = Counter()
    seen: Seen = {}
    for file in rotation_set(path):
        try:
            if is_compressed(file):
                chunks = read_ahead(chunks_oldest_first(file, CHUNK), READ_AHEAD,
                                    "scan-decompress")
                _count_stream(chunks, counts, seen)
            else:
                counts.update(count_authdaemond_errors(file))
        except (*READ_ERRORS, ValueError):
            continue
    return counts


def _count_block(data: mmap.mmap | bytes, counts: Counter[str], seen: Seen,
                 start: int = 0, end: int | None = None) -> None:
    """Count the error lines of whole lines of text in [start, end) (the last one may lack
    its newline); `start` is the start of a line, `end` just after a newline or the end."""
    find, notable, header_at = data.find, _tagged_notable().match, _HEADER.match
    stop = len(data) if end is None else end
    position = find(_TAG, start, stop)
    while position >= 0:
        match = notable(data, position)
        if match is not None:
            line = data.rfind(b"\n", 0, position) + 1
            header = header_at(data, line)
            if header is not None and header.end() == match.end(1):
                _count_message(data, header.end(), counts, seen)
        position = find(_TAG, position + len(_TAG), stop)


def _count_stream(chunks: Iterator[bytes], counts: Counter[str], seen: Seen) -> None:
    """`_count_block` over a stream, whole lines at a time, each cut to LINE_CAP bytes."""
    tail = b""  # the unfinished last line of the chunks so far
    skipping = False  # inside a line already cut at LINE_CAP: its rest is ignored
    for chunk in chunks:
        if skipping:
            newline = chunk.find(b"\n")
            if newline < 0:
                continue
            chunk, skipping = chunk[newline + 1:], False
        block = tail + chunk if tail else chunk
        last = block.rfind(b"\n")
        if last >= 0:
            _count_block(block if last == len(block) - 1 else block[:last + 1], counts, seen)
            tail = block[last + 1:]
        else:
            tail = block
        if len(tail) > LINE_CAP:
            _count_block(tail[:LINE_CAP], counts, seen)
            tail, skipping = b"", True
    if tail:
        _count_block(tail, counts, seen)


def _count_message(
    data: mmap.mmap | bytes, start: int, counts: Counter[str], seen: Seen
) -> None:
    stop = data.find(b"\n", start)
    raw = data[start:stop if stop != -1 else len(data)]
    if raw in seen:
        signature_id = seen[raw]
    else:
        signature = classify_notable(raw.decode("utf-8", "replace"))
        signature_id = signature.id if signature is not None else None
        if len(seen) >= CACHE_LIMIT:
            seen.clear()
        seen[raw] = signature_id
    if signature_id is not None:
        counts[signature_id] += 1

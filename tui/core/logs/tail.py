"""The end of a log file, read with a bound: what the recent-errors and bounce readers share."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path


def read_tail(path: Path, max_bytes: int) -> tuple[bytes, int]:
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


def read_tails(paths: Iterable[Path], max_bytes: int,
               unreadable: dict[Path, str]) -> Iterator[tuple[Path, bytes, int]]:
    """Each readable file's tail with its path and bytes read; a file that cannot be read
    is put in `unreadable` with the reason, and the others are still read."""
    for path in paths:
        try:
            tail, read = read_tail(path, max_bytes)
        except OSError as exc:
            unreadable[path] = exc.strerror or str(exc)
            continue
        yield path, tail, read

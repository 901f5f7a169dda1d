"""A file we write, created afresh where other users may have planted names.

Local to the recordings until the project has one shared helper for every file it
writes (then this moves there). Running as root in a directory a mailbox owner can
write, following a planted symlink or reusing a planted file would let them choose
what root overwrites, so the name must not exist at all: O_EXCL refuses an existing
file and a link (dangling or not) alike, O_NOFOLLOW makes sure of the latter, and
the file is readable by its owner only (a recording describes the mail system).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private_file(path: Path) -> int:
    """A new regular file at `path`, opened read-write: its descriptor.

    Raises FileExistsError when anything (a file, a directory, a symlink) has the name.
    """
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                   PRIVATE_MODE)


def open_descriptors() -> set[int]:
    """This process's open file descriptors (Linux: /proc/self/fd)."""
    return {int(name) for name in os.listdir("/proc/self/fd")}


def same_file(fd: int, other: int) -> bool:
    """Whether two descriptors are the same file (device and inode)."""
    try:
        mine, theirs = os.fstat(fd), os.fstat(other)
    except OSError:
        return False  # closed meanwhile (another thread's, or the listing's own)
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)

"""Reading an authlib config file, and the one way that fails: `ConfigUnreadable`.

Content problems never raise: the parsers turn them into `Finding`s. Only "cannot get the
bytes at all" (missing, permission denied, not a regular file) raises, with a reason a
user can act on. Bytes that are not valid UTF-8 do not raise either: authdaemond reads
raw bytes, so we decode with U+FFFD replacement characters and report where it happened.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tui.core.findings import Finding, Severity

PERMISSION_HINT = "run as root or join group courier (Debian) / daemon (ApisCP)"
# Real files are a few KiB; a bigger one is a wrong path (a log, a device), not a config.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


class ConfigUnreadable(Exception):
    """A config file whose bytes cannot be read; `reason` says why in plain words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"Cannot read {self.path}: {self.reason}."


def _reason_for(error: OSError) -> str:
    """Turn an errno into the sentence fragment a troubleshooter needs."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: {PERMISSION_HINT}"
    if error.errno == errno.ENOENT:
        return "no such file"
    if error.errno == errno.EISDIR:
        return "it is a directory, not a file"
    if error.errno == errno.ENOTDIR:
        return "a component of the path is not a directory"
    if error.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return os.strerror(error.errno).lower() if error.errno else str(error)


def read_config_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, or `ConfigUnreadable`.

    Opened non-blocking so a FIFO at the path cannot hang us; the stat comes from the
    open descriptor, so the mode we report belongs to the bytes we read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise ConfigUnreadable(path, _reason_for(error)) from error
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigUnreadable(path, "it is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigUnreadable(path, "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigUnreadable(path, _reason_for(error)) from error
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigUnreadable(path, f"larger than {MAX_CONFIG_BYTES} bytes, not a config file")
    return data, info


def decode_config_bytes(data: bytes, path: Path) -> tuple[str, tuple[Finding, ...]]:
    """Decode as UTF-8 without raising; invalid bytes become U+FFFD and one `not-utf8` finding."""
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as error:
        offset = error.start
    line = data.count(b"\n", 0, offset) + 1
    finding = Finding(
        id="not-utf8",
        severity=Severity.WARNING,
        message=(
            f"{path} is not valid UTF-8 at byte {offset} (line {line}). It is shown with "
            "replacement characters; authdaemond uses the raw bytes, so a value there "
            "(e.g. a Latin-1 password) differs from what is shown and probed here."
        ),
        where=f"{path}:{line}",
        fix="Re-save the file as UTF-8 (or plain ASCII).",
    )
    return data.decode("utf-8", errors="replace"), (finding,)

"""The maildrop binary that pipe(8) really runs: its owner and its setuid bit.

Postfix may run in a mount namespace of its own (a container, the lab), where
`/usr/bin/maildrop` is another file than on the host. The master's view is
read through `/proc/PID/root` when the master's pid is known and readable
(root); otherwise the path is looked at as this process sees it, and the
evidence says which.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.core.owner_names import group_name, user_name


@dataclass(frozen=True)
class MaildropBinary:
    path: str  # as the pipe's argv names it
    seen_as: str  # the path actually examined, and whose view it is
    exists: bool
    mode: int = 0
    owner: str = ""
    group: str = ""
    error: str = ""

    @property
    def setuid_root(self) -> bool:
        return self.exists and bool(self.mode & stat.S_ISUID) and self.owner == "root"

    @property
    def setgid_only(self) -> bool:
        return self.exists and not self.mode & stat.S_ISUID and bool(self.mode & stat.S_ISGID)

    @property
    def setgid_group(self) -> str:
        """The group a setgid maildrop runs with besides its user's own ("" if not setgid)."""
        return self.group if self.exists and self.mode & stat.S_ISGID else ""

    @property
    def describe(self) -> str:
        if not self.exists:
            return f"{self.path}: {self.error or 'not found'} ({self.seen_as})"
        # A regular file's `-` in front, as `ls -l` shows it (the mode kept has no file type).
        return (f"{self.path}: {stat.filemode(stat.S_IFREG | self.mode)} {self.owner}:{self.group} "
                f"({self.seen_as})")


def examine_maildrop(path: str, master_pid: int | None) -> MaildropBinary:
    """Stat `path` as the Postfix master sees it (its mount namespace), else as we do."""
    candidates: list[tuple[Path, str]] = []
    if master_pid is not None and path.startswith("/"):
        candidates.append((Path(f"/proc/{master_pid}/root{path}"),
                           f"as Postfix's master, pid {master_pid}, sees it"))
    candidates.append((Path(path), "as this host sees it"))
    error = ""
    for candidate, seen_as in candidates:
        try:
            info = os.stat(candidate)
        except PermissionError as exc:
            error = exc.strerror or "permission denied"
            continue
        except OSError as exc:
            if candidate.parts[:2] == ("/", "proc"):
                error = exc.strerror or str(exc)
                continue
            return MaildropBinary(path, seen_as, False, error=exc.strerror or str(exc))
        return MaildropBinary(path, seen_as, True, stat.S_IMODE(info.st_mode),
                              user_name(info.st_uid), group_name(info.st_gid))
    return MaildropBinary(path, "unreadable", False, error=error)

"""May maildrop's pipe user enter the socket's directory with its own ids (no setuid)?

Two checks ask it: `socket-access` (can maildrop connect at all) and
`maildrop-setuid` (is a maildrop without its setuid bit felt now, as a deferral
at the socket, or only once the socket is reachable, as a bounce). One answer
keeps them from disagreeing.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.core.owner_names import group_name, user_name


@dataclass(frozen=True)
class SocketReach:
    user: str
    directory: Path
    mode: int
    owner: str
    group: str
    may_enter: bool  # the user's own uid and groups (plus a setgid binary's group) search it

    @property
    def describe(self) -> str:
        return f"{self.directory}: mode {self.mode:04o}, owner {self.owner}:{self.group}"


def _can_search(info: os.stat_result, uid: int, gids: set[int]) -> bool:
    if uid == 0:
        return True
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in gids:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _gid(group: str) -> int | None:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return None


def socket_dir_reach(socket: Path, user: str, setgid_group: str = "") -> SocketReach:
    """Whether `user` may enter the directory holding `socket`.

    `setgid_group` is the group a setgid maildrop runs with besides the user's own.
    Raises KeyError when the user does not exist here, OSError when the directory
    cannot be looked at.
    """
    entry = pwd.getpwnam(user)
    gids = {entry.pw_gid} | {g.gr_gid for g in grp.getgrall() if user in g.gr_mem}
    if setgid_group and (extra := _gid(setgid_group)) is not None:
        gids.add(extra)
    info = socket.parent.stat()
    return SocketReach(user, socket.parent, stat.S_IMODE(info.st_mode), user_name(info.st_uid),
                       group_name(info.st_gid), _can_search(info, entry.pw_uid, gids))

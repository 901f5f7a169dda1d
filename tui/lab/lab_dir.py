"""Where labs live, and which lab dirs the lab may load, write into or remove.

The lab runs as root and its state file names a directory to remove and pids to
signal, so a lab dir is only trusted when no other local user could have made or
changed it: a real directory (not a symlink) owned by root, writable by root
alone, whose parents nobody else can rename either. The world-writable temp dir
fails that, so labs live under a root-owned base instead: persistent disk rather
than /run's small tmpfs (each lab holds a PostgreSQL cluster), 0755 so postgres
can traverse into a lab.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from pathlib import Path

from tui.core.owner_names import user_name
from tui.lab.process import LabError

LABS_BASE = Path("/var/lib/authlib-tui/labs")
STATE_FILE = "lab.json"
BASE_MODE = 0o755  # postgres (and the mailbox users' maildrop) must traverse into a lab
UNSAFE_WRITE_BITS = stat.S_IWGRP | stat.S_IWOTH


def _owner_and_mode_problem(path: Path, info: os.stat_result, *, sticky_ok: bool) -> str | None:
    """Why root may not trust what `info` describes (None when it may)."""
    if info.st_uid != 0:
        return f"{path} is owned by {user_name(info.st_uid)}, not root"
    writable_by_others = stat.S_IMODE(info.st_mode) & UNSAFE_WRITE_BITS
    if writable_by_others and not (sticky_ok and info.st_mode & stat.S_ISVTX):
        return (f"{path} is writable by group or others "
                f"(mode {stat.S_IMODE(info.st_mode):04o})")
    return None


def ensure_labs_base(base: Path = LABS_BASE) -> Path:
    """The base dir, made if missing, one component at a time without following a symlink.

    Each existing parent must be root's and not writable by others (a sticky one such as
    /tmp is fine: nobody may rename what root made there); the base itself must be root's
    and writable by root alone. Anything else is refused with LabError.
    """
    if not base.is_absolute():
        raise LabError(f"the labs' base dir must be an absolute path, not {base}")
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        path = Path("/")
        parts = base.parts[1:]
        for index, part in enumerate(parts):
            path = path / part
            created = False
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, BASE_MODE, dir_fd=fd)
                created = True
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise LabError(f"refusing the labs' base dir: {path} is not a real "
                                   "directory (a symlink or a file)") from exc
                raise LabError(f"cannot open {path}: {exc.strerror}") from exc
            os.close(fd)
            fd = child
            if created:
                os.fchmod(fd, BASE_MODE)  # whatever the umask made of it
            is_base = index == len(parts) - 1
            problem = _owner_and_mode_problem(path, os.fstat(fd), sticky_ok=not is_base)
            if problem:
                raise LabError(f"refusing the labs' base dir: {problem}")
    finally:
        os.close(fd)
    return base


def base_problem(base: Path = LABS_BASE) -> str | None:
    """Why an existing base dir may not be searched for labs (None when it may, or is absent)."""
    try:
        info = base.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read {base}: {exc.strerror}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{base} is not a real directory (a symlink or a file)"
    return _owner_and_mode_problem(base, info, sticky_ok=False) or _parents_problem(base)


def _parents_problem(path: Path) -> str | None:
    """Why another user could rename `path` away (or a parent of it); None when nobody can."""
    absolute = Path(os.path.abspath(path))
    if os.path.realpath(absolute) != str(absolute):
        return f"{absolute} goes through a symlink; give its real path"
    for parent in absolute.parents:
        try:
            info = parent.lstat()
        except OSError as exc:
            return f"cannot read {parent}: {exc.strerror}"
        problem = _owner_and_mode_problem(parent, info, sticky_ok=True)
        if problem:
            return problem
    return None


def lab_dir_problem(root: Path) -> str | None:
    """Why `root` may not be used as a lab dir (None when it may).

    A symlink, something else's directory, one others may write into, or one under a
    parent others may rename are all refused: root would otherwise load, write into or
    remove what another user chose.
    """
    try:
        info = root.lstat()
    except FileNotFoundError:
        return f"{root} does not exist"
    except OSError as exc:
        return f"cannot read {root}: {exc.strerror}"
    if stat.S_ISLNK(info.st_mode):
        return f"{root} is a symlink"
    if not stat.S_ISDIR(info.st_mode):
        return f"{root} is not a directory"
    return _owner_and_mode_problem(root, info, sticky_ok=False) or _parents_problem(root)


def read_state(root: Path) -> dict[str, object]:
    """The lab's state as written in `root`/lab.json, once root and the file are trusted.

    Raises FileNotFoundError when there is no lab.json, LabError (one sentence) when the
    dir or the file is not root's alone, or the file names another lab dir than `root`.
    """
    problem = lab_dir_problem(root)
    if problem:
        if not root.exists() and not root.is_symlink():
            raise FileNotFoundError(root)
        raise LabError(f"refusing the lab in {root}: {problem}")
    state_file = root / STATE_FILE
    try:
        fd = os.open(state_file, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        reason = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror
        raise LabError(f"refusing the lab in {root}: cannot open {state_file} ({reason})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise LabError(f"refusing the lab in {root}: {state_file} is not a regular file")
        problem = _owner_and_mode_problem(state_file, info, sticky_ok=False)
        if problem:
            raise LabError(f"refusing the lab in {root}: {problem}")
        try:
            data = json.loads(handle.read())
        except ValueError as exc:
            raise LabError(f"refusing the lab in {root}: {state_file} is not JSON") from exc
    if not isinstance(data, dict):
        raise LabError(f"refusing the lab in {root}: {state_file} is not a lab's state")
    named = data.get("root")
    if not isinstance(named, str) or os.path.abspath(named) != os.path.abspath(root):
        raise LabError(f"refusing the lab in {root}: its {STATE_FILE} names another lab dir "
                       f"({named!r})")
    return data

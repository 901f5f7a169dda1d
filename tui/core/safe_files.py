"""Every file the tool writes, and the settings it reads, go through here.

The tool runs as root on hosts where other local users and mailbox owners can
plant files and symbolic links, so a path is never trusted by name: each step
opens a descriptor without following links (`O_NOFOLLOW`, relative to the
directory already opened) and checks that descriptor with `fstat`, never the
name with a separate `stat` that a swap could outrun.

- `write_file`: a new file is made under a fresh name in the same directory with
  `O_CREAT|O_EXCL|O_NOFOLLOW`, given its mode exactly (not the umask's), then
  renamed over the destination; rename replaces a link, it never writes through
  one. A destination that already is a link or not a regular file is refused.
- `open_for_append`: the audit log (and the training history): a regular file of
  ours, in a directory of ours (or root's) that nobody else can write.
- `create_private_file`: a file that must be new (a recording): O_EXCL refuses an
  existing name, a link (dangling or not) included; the caller gets the descriptor
  and, with `same_file`, can make sure a library that reopens it by name got it.
- `ensure_private_dir`: `mkdir -p` for our own state directories; each one made
  is 0700, each one met must be a directory owned by us or root.
- `read_trusted_file`: a settings file; as root only one that only root can change.

Refusals raise `UnsafePath`, an `OSError` whose `strerror` is one sentence, so
callers that already report an `OSError` say why without a special case.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class UnsafePath(OSError):
    """A path refused because someone else could control it; `strerror` says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(errno.EPERM, reason, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def _trusted_owners() -> frozenset[int]:
    """Who may own what we write into or read from: ourselves, and root (it owns /)."""
    return frozenset({os.geteuid(), 0})


def _who(uid: int) -> str:
    return "root" if uid == 0 else f"uid {uid}"


def _writable_by_others(mode: int) -> str | None:
    """'group-writable' / 'writable by everyone', or None."""
    if mode & stat.S_IWOTH:
        return "writable by everyone"
    if mode & stat.S_IWGRP:
        return "group-writable"
    return None


# --- directories ------------------------------------------------------------------------------


def _open_component(parent_fd: int, parent_mode: int, name: str, shown: Path,
                    create: bool) -> tuple[int, bool]:
    """Open one directory below `parent_fd` without a link anyone else could have planted.

    A link is followed only when root or we own it and nobody else can replace it (its
    directory is not writable by others, or is sticky): a system path such as /var/run
    stays usable, a link a user dropped into a tree we walk does not.
    """
    try:
        return os.open(name, _OPEN_DIR | os.O_NOFOLLOW, dir_fd=parent_fd), False
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=parent_fd)
            made = True
        except FileExistsError:  # made meanwhile: take it, with the same checks
            made = False
        return os.open(name, _OPEN_DIR | os.O_NOFOLLOW, dir_fd=parent_fd), made
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
    link = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    if not stat.S_ISLNK(link.st_mode):
        raise UnsafePath(shown, f"{shown} is not a directory") from None
    replaceable = parent_mode & _OTHERS_WRITE and not parent_mode & stat.S_ISVTX
    if link.st_uid not in _trusted_owners() or replaceable:
        raise UnsafePath(shown, f"{shown} is a symbolic link owned by {_who(link.st_uid)}; "
                                "authlib-tui does not follow a link someone else could "
                                "have planted") from None
    return os.open(name, _OPEN_DIR, dir_fd=parent_fd), False


def _open_directory(path: Path, *, create: bool) -> int:
    """A descriptor for `path`, walked from / one component at a time (see `_open_component`)."""
    absolute = Path(os.path.abspath(path))
    fd = os.open("/", _OPEN_DIR)
    shown = Path("/")
    try:
        for name in absolute.parts[1:]:
            shown = shown / name
            parent_mode = os.fstat(fd).st_mode
            child, made = _open_component(fd, parent_mode, name, shown, create)
            os.close(fd)
            fd = child
            if made:
                os.fchmod(fd, PRIVATE_DIR_MODE)  # exactly 0700, whatever the umask
            owner = os.fstat(fd).st_uid
            if owner not in _trusted_owners():
                raise UnsafePath(shown, f"{shown} is owned by {_who(owner)}; authlib-tui "
                                        f"running as {_who(os.geteuid())} writes only under "
                                        "directories owned by itself or root")
        return fd
    except BaseException:
        os.close(fd)
        raise


def ensure_private_dir(path: Path) -> None:
    """`mkdir -p path` for our own state: new components 0700, existing ones ours or root's."""
    os.close(_open_directory(path, create=True))


def _open_private_parent(path: Path) -> int:
    """The directory a log lives in: made if missing, ours or root's, writable by nobody else."""
    fd = _open_directory(path.parent, create=True)
    others = _writable_by_others(os.fstat(fd).st_mode)
    if others is not None:
        os.close(fd)
        raise UnsafePath(path.parent, f"{path.parent} is {others}, so someone else could swap "
                                      f"{path.name} for another file")
    return fd


# --- files ---------------------------------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_file(path: Path, data: str | bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write `data` to `path` whole or not at all, with exactly `mode`, never through a link.

    A reader (a metrics collector, a tail) sees the old file or the new one, never half.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if not path.name or path.name in (".", ".."):
        raise UnsafePath(path, f"{path} names a directory, not a file")
    dir_fd = os.open(path.parent, _OPEN_DIR)
    try:
        try:
            existing = os.stat(path.name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        if existing is not None and stat.S_ISLNK(existing.st_mode):
            raise UnsafePath(path, f"{path} is a symbolic link; authlib-tui never writes "
                                   "through one, so it was left as it is")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise UnsafePath(path, f"{path} exists and is not a regular file; it was left "
                                   "as it is")
        temporary, fd = _create_temporary(dir_fd, path.name)
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), mode)
                _write_all(out.fileno(), payload)
            # Rename replaces whatever the name holds by then (a link included), never its target.
            os.replace(temporary, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=dir_fd)
            raise
    finally:
        os.close(dir_fd)


def _create_temporary(dir_fd: int, name: str) -> tuple[str, int]:
    """A fresh file next to `name`, made by us alone (O_EXCL: never an existing file or link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        temporary = f".{name}.{os.urandom(6).hex()}"
        try:
            return temporary, os.open(temporary, flags, PRIVATE_FILE_MODE, dir_fd=dir_fd)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name next to the file")


def open_for_append(path: Path, *, mode: int = PRIVATE_FILE_MODE) -> int:
    """An O_APPEND descriptor on a log: a regular file of ours, alone, in a private directory.

    Made with exactly `mode` if missing. Refused (UnsafePath) when it is a link, not a
    regular file, not ours, has other names (a hard link), or its directory could be
    written by someone else; the caller decides what not doing its job means.
    """
    dir_fd = _open_private_parent(path)
    append = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        try:
            fd = os.open(path.name, append | os.O_CREAT | os.O_EXCL, mode, dir_fd=dir_fd)
            os.fchmod(fd, mode)
        except FileExistsError:
            fd = _open_existing(path, append, dir_fd)
    finally:
        os.close(dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(path, f"{path} is not a regular file")
        if info.st_uid != os.geteuid():
            raise UnsafePath(path, f"{path} is owned by {_who(info.st_uid)}, not by "
                                   f"{_who(os.geteuid())}")
        if info.st_nlink != 1:
            raise UnsafePath(path, f"{path} has {info.st_nlink} names (a hard link), so it "
                                   "may be someone else's file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_private_file(path: Path) -> int:
    """A new regular file at `path`, 0600 and opened read-write: its descriptor.

    Raises FileExistsError when anything (a file, a directory, a link) has the name.
    """
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                   PRIVATE_FILE_MODE)


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


def _open_existing(path: Path, flags: int, dir_fd: int) -> int:
    try:
        return os.open(path.name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(path, f"{path} is a symbolic link; authlib-tui never writes "
                                   "through one") from None
        raise


# --- reading settings --------------------------------------------------------------------


def read_trusted_file(path: Path) -> bytes:
    """The bytes of a settings file, if whoever runs us may trust it; else UnsafePath.

    As root: a regular file owned by root that neither group nor others can write, not
    reached through a final symbolic link, in a directory owned by root that only root
    can write (else a rename there could swap it). A link is refused rather than
    followed because its target lives in a second directory with its own owner; the
    file itself is what root must own. Anyone else: the file must be their own or
    root's (a member of the mail group keeps reading their own settings).
    The `UnsafePath` reason is a fragment such as "owned by uid 1000" (for `where`).
    """
    as_root = os.geteuid() == 0
    dir_fd = os.open(path.parent, _OPEN_DIR)
    try:
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        try:
            fd = os.open(path.name, flags | os.O_NOFOLLOW, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            if as_root:
                raise UnsafePath(path, "a symbolic link") from None
            fd = os.open(path.name, flags, dir_fd=dir_fd)  # their own link, their own rights
        directory = os.fstat(dir_fd)
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(path, "not a regular file")
        if info.st_uid not in _trusted_owners():
            raise UnsafePath(path, f"owned by {_who(info.st_uid)}")
        if as_root:
            _check_root_may_trust(path, info, directory)
        return handle.read()


def _check_root_may_trust(path: Path, info: os.stat_result, directory: os.stat_result) -> None:
    others = _writable_by_others(info.st_mode)
    if others is not None:
        raise UnsafePath(path, others)
    if directory.st_uid != 0:
        raise UnsafePath(path, f"in {path.parent}, owned by {_who(directory.st_uid)}")
    others = _writable_by_others(directory.st_mode)
    if others is not None:
        raise UnsafePath(path, f"in {path.parent}, which is {others}")

"""A mailbox's home and Maildir as they are on disk, looked at without following a planted link.

The tool runs as root; the mailbox's owner (on ApisCP the site's admin) owns the
home and everything in it. A home or Maildir that is a symlink, or a path that
passes through one only its owner could have made, would turn a `chown` or
`chmod` of "the home" into one of whatever the link points at (/etc). So every
component is examined with lstat, a link is followed only when root made it
where only root can change it (a link owned by root, in a directory owned by
root that nobody else may write), and anything else is its own finding, with
no command: the admin looks at it by hand.

The fixes (`home_fix_commands`) stay safe even if the home changes after it was
looked at: `mkdir` (never -p) and `chown -h` do not follow a link at the last
component, and what happens inside the home (the mode of the home, the Maildir)
runs as the mailbox's own uid, so a link planted there reaches nothing its
owner could not reach anyway.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from tui.core.authdaemon.reply import Account
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.safe_text import safe_text
from tui.core.shell_words import shell_command

MAX_LINKS = 40  # as the kernel's own limit on links in one path
DEFAULT_MAILDIR = "Maildir"  # maildrop's default when MAILDIR is unset

# Diagnoses of their own, with no command: a path only a person should judge.
UNSAFE_DIAGNOSES = (DiagnosisId.HOME_SYMLINK, DiagnosisId.HOME_OUTSIDE_MAIL_ROOT)


class _Unsafe(Exception):
    """A component that must not be passed through; `args[0]` says which and why."""


class _ParentMissing(Exception):
    """A directory above the home (or an outside Maildir) does not exist."""


@dataclass(frozen=True)
class Mailbox:
    """What is wrong with one account's mailbox now ("" = nothing), and where it really is.

    `home` and `maildir` are real paths (no symlink in them) as a command on this
    host names them; None where the examination stopped before them.
    """

    # None: it could not be seen (no complete account, no access)
    diagnosis: DiagnosisId | Literal[""] | None
    evidence: tuple[str, ...] = ()
    home: Path | None = None
    maildir: Path | None = None
    uid: int | None = None
    gid: int | None = None


def _trusted_link(link: os.stat_result, directory: os.stat_result) -> bool:
    """Root made this link where only root can replace it."""
    return (link.st_uid == 0 and directory.st_uid == 0
            and not directory.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _resolve(root: str, path: PurePosixPath) -> str:
    """`path` (absolute, inside `root`) with no symlink left in it, following trusted links only.

    The last component may be missing or be no directory (the caller looks at it);
    any other link raises _Unsafe, as does a component above it that is no
    directory, and a missing one above it raises _ParentMissing.
    """
    current = "/"
    pending = deque(path.parts[1:])
    links = 0
    while pending:
        name = pending.popleft()
        if name == "..":
            current = posixpath.dirname(current)
            continue
        candidate = posixpath.join(current, name)
        last = not pending
        try:
            info = os.lstat(root + candidate)
        except FileNotFoundError:
            if last:
                return candidate
            raise _ParentMissing(candidate) from None
        if stat.S_ISLNK(info.st_mode):
            target = os.readlink(root + candidate)
            links += 1
            if links > MAX_LINKS or not _trusted_link(info, os.lstat(root + current)):
                raise _Unsafe(f"{candidate} is a symlink to {target!r} that root did not make "
                              "where only root can change it")
            following = PurePosixPath(target)
            if following.is_absolute():
                current = "/"
            pending.extendleft(reversed(following.parts[1:] if following.is_absolute()
                                        else following.parts))
            continue
        if last:
            return candidate
        if not stat.S_ISDIR(info.st_mode):
            raise _Unsafe(f"{candidate} is not a directory")
        current = candidate
    return current


def _plain_absolute(text: str) -> PurePosixPath | None:
    """An absolute path whose last component names an entry (not `/`, `.` or `..`)."""
    path = PurePosixPath(text)
    if not path.is_absolute() or path.name in ("", ".", ".."):
        return None
    return path


def _inside(path: str, mail_root: Path | None) -> bool:
    if mail_root is None:
        # No platform mail root: a top-level directory (/etc, /usr, /root) is never a home.
        return posixpath.dirname(path) != "/"
    root = os.path.realpath(mail_root)
    return path != root and path.startswith(root.rstrip("/") + "/")


def _host_path(root: str, path: str) -> Path:
    """The path a command on this host names: without the Postfix master's root prefix when
    both name the same directory (the usual case), with it when Postfix sees another tree."""
    if not root:
        return Path(path)
    try:
        here, there = os.lstat(posixpath.dirname(path)), os.lstat(root + posixpath.dirname(path))
    except OSError:
        return Path(root + path)
    same = (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
    return Path(path if same else root + path)


def _unsafe(diagnosis: DiagnosisId, sentence: str) -> Mailbox:
    return Mailbox(diagnosis, (safe_text(sentence, 600),))


def examine_mailbox(account: Account, root: str = "", mail_root: Path | None = None) -> Mailbox:
    """The account's mailbox now, as seen under `root` (the Postfix master's /proc/PID/root).

    `mail_root` is where the platform keeps mailboxes (ApisCP's /home/virtual); a
    home that resolves outside it is refused. The diagnosis is "" only when
    everything was seen to be right, None when something could not be seen.
    """
    if account.home is None or account.uid is None:
        return Mailbox(None)
    home_text = _plain_absolute(account.home)
    if home_text is None:
        return _unsafe(DiagnosisId.HOME_OUTSIDE_MAIL_ROOT,
                       f"HOME {account.home!r} is not an absolute path to a directory")
    try:
        home = _resolve(root, home_text)
    except _Unsafe as exc:
        return _unsafe(DiagnosisId.HOME_SYMLINK, f"the home {account.home}: {exc.args[0]}")
    except _ParentMissing as exc:
        return Mailbox(DiagnosisId.HOME_MISSING,
                       (f"{exc.args[0]} (above the home) does not exist",))
    except OSError:
        return Mailbox(None)
    if not _inside(home, mail_root):
        where = f"outside {mail_root}" if mail_root is not None else "a top-level directory"
        return _unsafe(DiagnosisId.HOME_OUTSIDE_MAIL_ROOT,
                       f"the home {account.home} is {home}, {where}")
    found = Mailbox("", home=_host_path(root, home), uid=account.uid, gid=account.gid)
    maildir_text = account.maildir or DEFAULT_MAILDIR
    try:
        info = os.lstat(root + home)
    except FileNotFoundError:
        return _missing_home(found, root, home, maildir_text, mail_root)
    except OSError:
        return Mailbox(None)
    if stat.S_ISLNK(info.st_mode):
        return _unsafe(DiagnosisId.HOME_SYMLINK, f"the home {home} is a symlink to "
                       f"{os.readlink(root + home)!r}")
    if not stat.S_ISDIR(info.st_mode):
        return Mailbox(DiagnosisId.HOME_MISSING,
                       (f"{home} is not a directory: move it away by hand",))
    if info.st_uid != account.uid:
        return _with(found, DiagnosisId.HOME_WRONG_OWNER, f"{home} is owned by uid {info.st_uid}, "
                     f"the account's uid is {account.uid}")
    if info.st_mode & stat.S_IWOTH:
        return _with(found, DiagnosisId.HOME_WORLD_WRITABLE,
                     f"{home} is mode {stat.S_IMODE(info.st_mode):04o}")
    return _maildir(found, root, home, maildir_text, mail_root)


def _missing_home(found: Mailbox, root: str, home: str, maildir_text: str,
                  mail_root: Path | None) -> Mailbox:
    """home-missing, with the Maildir its commands will make: inside the new home as its
    owner will make it, or an absolute one examined like any other path."""
    assert found.home is not None
    evidence = f"{home} does not exist"
    if PurePosixPath(maildir_text).is_absolute():
        outside = _maildir(found, root, home, maildir_text, mail_root)
        if outside.diagnosis not in ("", DiagnosisId.MAILDIR_MISSING):
            return outside
        return Mailbox(DiagnosisId.HOME_MISSING, (evidence,), found.home, outside.maildir,
                       found.uid, found.gid)
    return Mailbox(DiagnosisId.HOME_MISSING, (evidence,), found.home, found.home / maildir_text,
                   found.uid, found.gid)


def _with(found: Mailbox, diagnosis: DiagnosisId, evidence: str) -> Mailbox:
    return Mailbox(diagnosis, (safe_text(evidence, 600),), found.home, found.maildir,
                   found.uid, found.gid)


def _maildir(found: Mailbox, root: str, home: str, maildir_text: str,
             mail_root: Path | None) -> Mailbox:
    """The Maildir, inside the home or (an absolute MAILDIR) on its own."""
    wanted = PurePosixPath(posixpath.join(home, maildir_text))  # an absolute one stands alone
    if wanted.name in ("", ".", ".."):
        return _unsafe(DiagnosisId.HOME_OUTSIDE_MAIL_ROOT,
                       f"MAILDIR {maildir_text!r} names no directory")
    try:
        maildir = _resolve(root, wanted)
    except _Unsafe as exc:
        return _unsafe(DiagnosisId.HOME_SYMLINK, f"the Maildir {wanted}: {exc.args[0]}")
    except _ParentMissing as exc:
        # Inside the home its owner makes the missing directories; elsewhere nobody does.
        inside_home = not PurePosixPath(maildir_text).is_absolute() and found.home is not None
        return Mailbox(DiagnosisId.MAILDIR_MISSING, (f"{exc.args[0]} (above the Maildir) does not "
                                           "exist",), found.home,
                       found.home / maildir_text if inside_home and found.home else None,
                       found.uid, found.gid)
    except OSError:
        return Mailbox(None)
    if not _inside(maildir, mail_root):
        return _unsafe(DiagnosisId.HOME_OUTSIDE_MAIL_ROOT,
                       f"the Maildir {wanted} is {maildir}, outside "
                       f"{mail_root if mail_root is not None else 'any mail directory'}")
    placed = Mailbox("", (), found.home, _host_path(root, maildir), found.uid, found.gid)
    try:
        info = os.lstat(root + maildir)
    except FileNotFoundError:
        return _with(placed, DiagnosisId.MAILDIR_MISSING, f"{maildir} does not exist")
    except OSError:
        return Mailbox(None)
    if stat.S_ISLNK(info.st_mode):
        return _unsafe(DiagnosisId.HOME_SYMLINK, f"the Maildir {maildir} is a symlink to "
                       f"{os.readlink(root + maildir)!r}")
    if not stat.S_ISDIR(info.st_mode):
        return _with(placed, DiagnosisId.MAILDIR_MISSING, f"{maildir} is not a directory")
    return placed


def _as_owner(mailbox: Mailbox, *words: str) -> str:
    """A command run as the mailbox's own uid and gid: it can do nothing its owner cannot."""
    return shell_command("setpriv", f"--reuid={mailbox.uid}", f"--regid={mailbox.gid}",
                         "--clear-groups", "--", *words)


def home_fix_commands(mailbox: Mailbox) -> tuple[str, ...]:
    """The commands that give the mailbox what maildrop wants; () where none is safe.

    Nothing here follows a link at the path it names: root only creates (`mkdir`
    fails on anything already there, a link included) and re-owns with `chown -h`;
    the mode and the Maildir are set as the mailbox's owner.
    """
    if mailbox.home is None or mailbox.uid is None or mailbox.gid is None:
        return ()
    home = str(mailbox.home)
    owner = f"{mailbox.uid}:{mailbox.gid}"
    if mailbox.diagnosis is DiagnosisId.HOME_WRONG_OWNER:
        return (shell_command("chown", "-h", owner, "--", home),)
    if mailbox.diagnosis is DiagnosisId.HOME_WORLD_WRITABLE:
        return (_as_owner(mailbox, "chmod", "o-w", "--", home),)
    if mailbox.diagnosis is DiagnosisId.HOME_MISSING:
        return (shell_command("mkdir", "-m", "0700", "--", home),
                shell_command("chown", "-h", owner, "--", home),
                *(_maildir_commands(mailbox, mailbox.maildir) if mailbox.maildir else ()))
    if mailbox.diagnosis is DiagnosisId.MAILDIR_MISSING and mailbox.maildir is not None:
        return _maildir_commands(mailbox, mailbox.maildir)
    return ()


def _maildir_commands(mailbox: Mailbox, maildir: Path) -> tuple[str, ...]:
    assert mailbox.home is not None
    made: tuple[str, ...] = ()
    if not maildir.is_relative_to(mailbox.home):
        # An absolute MAILDIR elsewhere: root makes its top directory (parents were seen to
        # be real directories), hands it over without following a link, then as above.
        owner = f"{mailbox.uid}:{mailbox.gid}"
        made = (shell_command("mkdir", "-m", "0700", "--", str(maildir)),
                shell_command("chown", "-h", owner, "--", str(maildir)))
        dirs = [maildir / "cur", maildir / "new", maildir / "tmp"]
    else:
        dirs = [maildir, maildir / "cur", maildir / "new", maildir / "tmp"]
    return (*made, _as_owner(mailbox, "mkdir", "-p", "-m", "0700", "--",
                             *(str(path) for path in dirs)))

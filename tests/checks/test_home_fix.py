"""The mailbox fixes a real host gets: commands filled from the account authdaemond gave.

Each command list is run for real on a scratch home (as root, as the wizard would run
it), and the result is what maildrop checks before it delivers.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tui.core.authdaemon.reply import Account
from tui.core.checks.delivery_checks import home_fix_commands

UID, GID = 21015, 1000


def _account(home: Path, maildir: str | None = "Mail/") -> Account:
    return Account(username="bar", uid=UID, gid=GID, home=str(home), maildir=maildir)


def _run(commands: tuple[str, ...]) -> None:
    for command in commands:
        subprocess.run(command, shell=True, check=True, timeout=30)


def _assert_deliverable(home: Path, maildir: Path) -> None:
    info = home.stat()
    assert (info.st_uid, info.st_gid) == (UID, GID)
    assert not info.st_mode & stat.S_IWOTH
    for sub in ("", "cur", "new", "tmp"):
        path = maildir / sub
        assert path.is_dir(), path
        assert path.stat().st_uid == UID


def test_a_missing_home_is_made_with_its_maildir(tmp_path: Path) -> None:
    home = tmp_path / "a home; with a space"  # quoted: one argument, nothing run
    _run(home_fix_commands("home-missing", _account(home)))
    _assert_deliverable(home, home / "Mail")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_home_with_the_wrong_owner_is_given_to_the_account(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Mail" / "cur").mkdir(parents=True)
    for sub in ("new", "tmp"):
        (home / "Mail" / sub).mkdir()
    for path in (home, *home.rglob("*")):
        os.chown(path, UID, GID)
    os.chown(home, 0, 0)
    _run(home_fix_commands("home-wrong-owner", _account(home)))
    _assert_deliverable(home, home / "Mail")


def test_a_world_writable_home_is_closed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _run(home_fix_commands("home-missing", _account(home)))
    home.chmod(0o777)
    _run(home_fix_commands("home-world-writable", _account(home)))
    _assert_deliverable(home, home / "Mail")


def test_a_missing_maildir_is_made_absolute_or_relative(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _run(home_fix_commands("home-missing", _account(home, maildir=None)))
    _assert_deliverable(home, home / "Maildir")  # maildrop's default when MAILDIR is unset
    elsewhere = tmp_path / "spool" / "bar"
    elsewhere.parent.mkdir()
    _run(home_fix_commands("maildir-missing", _account(home, maildir=str(elsewhere))))
    _assert_deliverable(home, elsewhere)


def test_no_account_no_commands() -> None:
    assert home_fix_commands("home-missing", None) == ()
    assert home_fix_commands("home-missing", Account(username="bar", home="/home/bar")) == ()

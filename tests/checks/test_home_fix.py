"""The mailbox fixes a real host gets, and the homes they refuse to touch.

Each home is a real directory in a scratch tree; it is examined as the delivery
check examines it, the commands offered are run for real (as root, as the wizard
would run them), and the result is what maildrop checks before it delivers. A home
or Maildir that is a symlink, or whose path runs through a link its owner could
have made, gets its own diagnosis and no command; a home swapped for a link after
it was looked at still leaves the link's target alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.waiting import sample_until
from tui.core.authdaemon.reply import Account
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import find_it
from tui.core.checks.mailbox_home import Mailbox, examine_mailbox, home_fix_commands
from tui.core.installation import Installation
from tui.core.postfix.queue import QueueSampler
from tui.lab import seed
from tui.lab.lab import Lab
from tui.lab.postfix import mailbox_homes

UID, GID = 21015, 1000
OTHER_UID, OTHER_GID = 4242, 4242  # the owner of what a planted link points at
HOSTILE = "a home; with a space $(touch PWNED) 'q'"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A tree the mailbox's uid can walk (pytest's own tmp dirs are root-only), removed after."""
    if os.geteuid() != 0:
        pytest.skip("the mailbox fixes chown and run as the mailbox's uid: they need root")
    root = Path(tempfile.mkdtemp(prefix="authlib-tui-home-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root)


def _account(home: Path, maildir: str | None = "Mail/") -> Account:
    return Account(username="bar", uid=UID, gid=GID, home=str(home), maildir=maildir)


def _run(commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[bytes]]:
    return [subprocess.run(command, shell=True, check=False, timeout=30, capture_output=True)
            for command in commands]


def _fix(home: Path, maildir: str | None = "Mail/", mail_root: Path | None = None) -> Mailbox:
    """Examine, run what is offered (each must succeed), examine again."""
    mailbox = examine_mailbox(_account(home, maildir), mail_root=mail_root)
    for run in _run(home_fix_commands(mailbox)):
        assert run.returncode == 0, run
    return examine_mailbox(_account(home, maildir), mail_root=mail_root)


def _assert_deliverable(home: Path, maildir: Path) -> None:
    info = home.lstat()
    assert stat.S_ISDIR(info.st_mode)
    assert (info.st_uid, info.st_gid) == (UID, GID)
    assert not info.st_mode & stat.S_IWOTH
    for sub in ("", "cur", "new", "tmp"):
        path = maildir / sub
        assert path.is_dir() and not path.is_symlink(), path
        assert path.stat().st_uid == UID


def _mailbox_tree(home: Path, owner: tuple[int, int] = (UID, GID)) -> None:
    for sub in ("cur", "new", "tmp"):
        (home / "Mail" / sub).mkdir(parents=True, exist_ok=True)
    for path in (home, *home.rglob("*")):
        os.chown(path, *owner)
    home.chmod(0o755)


def _victim(scratch: Path, mode: int = 0o755, owner: tuple[int, int] = (OTHER_UID, OTHER_GID),
            ) -> tuple[Path, tuple[int, int, int]]:
    """A directory someone else owns, standing in for /etc: what a planted link points at."""
    victim = scratch / "victim"
    victim.mkdir()
    (victim / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    os.chown(victim, *owner)
    victim.chmod(mode)
    return victim, _identity(victim)


def _identity(path: Path) -> tuple[int, int, int]:
    info = path.lstat()
    return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)


# -- homes that are put right -------------------------------------------------------------


def test_a_missing_home_is_made_with_its_maildir(scratch: Path) -> None:
    home = scratch / HOSTILE  # quoted: one argument, nothing run
    assert examine_mailbox(_account(home)).diagnosis == "home-missing"
    assert _fix(home).diagnosis == ""
    _assert_deliverable(home, home / "Mail")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert not list(Path.cwd().glob("PWNED")) and not list(scratch.glob("PWNED"))


def test_a_home_with_the_wrong_owner_is_given_to_the_account(scratch: Path) -> None:
    home = scratch / "home"
    _mailbox_tree(home)
    os.chown(home, 0, 0)
    mailbox = examine_mailbox(_account(home))
    assert mailbox.diagnosis == "home-wrong-owner"
    assert home_fix_commands(mailbox) == (f"chown -h {UID}:{GID} -- {home}",)
    assert _fix(home).diagnosis == ""
    _assert_deliverable(home, home / "Mail")


def test_a_world_writable_home_is_closed(scratch: Path) -> None:
    home = scratch / "home"
    _mailbox_tree(home)
    home.chmod(0o777)
    assert examine_mailbox(_account(home)).diagnosis == "home-world-writable"
    assert _fix(home).diagnosis == ""
    _assert_deliverable(home, home / "Mail")


def test_a_missing_maildir_is_made_absolute_or_relative(scratch: Path) -> None:
    home = scratch / "home"
    assert _fix(home, maildir=None).diagnosis == ""
    _assert_deliverable(home, home / "Maildir")  # maildrop's default when MAILDIR is unset
    elsewhere = scratch / "spool" / "bar"
    elsewhere.parent.mkdir()
    assert examine_mailbox(_account(home, str(elsewhere))).diagnosis == "maildir-missing"
    assert _fix(home, maildir=str(elsewhere)).diagnosis == ""
    _assert_deliverable(home, elsewhere)


def test_a_link_root_made_where_only_root_can_change_it_is_followed(scratch: Path) -> None:
    """Like /home -> /var/home, or the lab's /home/USER links: not the owner's doing."""
    real = scratch / "real"
    _mailbox_tree(real / "bar")
    real.chmod(0o755)
    (scratch / "homes").symlink_to(real)
    mailbox = examine_mailbox(_account(scratch / "homes" / "bar"))
    assert mailbox.diagnosis == ""
    assert mailbox.home == real / "bar"  # commands name the real path, never the link


def test_no_account_no_commands() -> None:
    assert home_fix_commands(examine_mailbox(Account(username="bar", home="/home/bar"))) == ()
    assert home_fix_commands(Mailbox(None)) == ()


# -- homes only a person should judge -----------------------------------------------------


@pytest.mark.parametrize("victim_mode, victim_owner", [
    (0o755, (OTHER_UID, OTHER_GID)),  # "wrong owner" if the link were followed: chown /etc
    (0o777, (UID, GID)),  # "world-writable" if followed: chmod the target
    (0o755, (UID, GID)),  # even a target that looks right
])
def test_a_home_that_is_a_symlink_gets_no_command(scratch: Path, victim_mode: int,
                                                  victim_owner: tuple[int, int]) -> None:
    victim, before = _victim(scratch, victim_mode, victim_owner)
    home = scratch / "bar"
    home.symlink_to(victim)
    os.lchown(home, UID, GID)  # the owner planted it
    mailbox = examine_mailbox(_account(home))
    assert mailbox.diagnosis == "home-symlink"
    assert home_fix_commands(mailbox) == ()
    assert any(str(home) in line and repr(str(victim)) in line for line in mailbox.evidence)
    assert _identity(victim) == before


def test_a_link_above_the_home_or_at_its_maildir_gets_no_command(scratch: Path) -> None:
    victim, before = _victim(scratch)
    site = scratch / "site"
    site.mkdir()
    os.chown(site, UID, GID)  # the site's admin owns this directory
    (site / "homes").symlink_to(victim)
    os.lchown(site / "homes", UID, GID)
    above = examine_mailbox(_account(site / "homes" / "passwd"))
    assert above.diagnosis == "home-symlink" and home_fix_commands(above) == ()

    home = scratch / "home"
    _mailbox_tree(home)
    shutil.rmtree(home / "Mail")
    (home / "Mail").symlink_to(victim)
    at_maildir = examine_mailbox(_account(home))
    assert at_maildir.diagnosis == "home-symlink" and home_fix_commands(at_maildir) == ()
    assert _identity(victim) == before


def test_a_home_outside_the_mail_root_gets_no_command(scratch: Path) -> None:
    mail_root = scratch / "virtual"
    (mail_root / "site2").mkdir(parents=True)
    outside = scratch / "elsewhere"
    outside.mkdir()
    for home in (outside, mail_root / "site2" / ".." / ".." / "elsewhere", Path("/etc")):
        mailbox = examine_mailbox(_account(home), mail_root=mail_root)
        assert mailbox.diagnosis == "home-outside-mail-root", home
        assert home_fix_commands(mailbox) == ()
    # Without a platform mail root a top-level directory is still never a mailbox home.
    assert examine_mailbox(_account(Path("/etc"))).diagnosis == "home-outside-mail-root"


# -- a home swapped for a link between the look and the fix --------------------------------


@pytest.mark.parametrize("diagnosis", ["home-wrong-owner", "home-world-writable",
                                       "maildir-missing", "home-missing"])
def test_a_home_swapped_for_a_link_after_the_look_leaves_the_target_alone(
        scratch: Path, diagnosis: str) -> None:
    victim, before = _victim(scratch)
    home = scratch / "home"
    _mailbox_tree(home)
    if diagnosis == "home-wrong-owner":
        os.chown(home, 0, 0)
    elif diagnosis == "home-world-writable":
        home.chmod(0o777)
    elif diagnosis == "maildir-missing":
        shutil.rmtree(home / "Mail")
    else:
        shutil.rmtree(home)
    mailbox = examine_mailbox(_account(home))
    assert mailbox.diagnosis == diagnosis
    commands = home_fix_commands(mailbox)
    assert commands
    if diagnosis == "maildir-missing":
        (home / "Mail").symlink_to(victim)  # the owner plants it inside the home
    else:
        if home.exists():
            shutil.rmtree(home)
        home.symlink_to(victim)
    _run(commands)  # some fail (they must), none may reach the target
    assert _identity(victim) == before
    assert sorted(p.name for p in victim.iterdir()) == ["passwd"]


# -- the real chain: maildrop defers, the check names the link, nothing is offered ---------


@pytest.mark.parametrize("victim_mode, victim_owner", [
    (0o755, (OTHER_UID, OTHER_GID)),  # maildrop: home owned by someone else
    (0o777, (seed.DELIVERY_UID, seed.DELIVERY_GID)),  # maildrop: home world-writable
])
def test_the_lab_names_a_symlinked_home_and_offers_nothing(mail_lab: Lab, victim_mode: int,
                                                           victim_owner: tuple[int, int]) -> None:
    lab = mail_lab
    home = mailbox_homes(lab.virtual)[seed.DELIVERY_USER]
    aside = home.with_name(home.name + ".test-aside")
    victim = lab.root / "victim"  # the lab's own scratch space, never the real /etc
    victim.mkdir()
    os.chown(victim, *victim_owner)
    victim.chmod(victim_mode)
    before = _identity(victim)
    home.rename(aside)
    try:
        home.symlink_to(victim)
        os.lchown(home, seed.DELIVERY_UID, seed.DELIVERY_GID)  # the site's admin planted it
        line = lab.send_and_wait("foo@domain.com", subject="symlinked home")
        assert "status=deferred" in line
        sampler = QueueSampler(lab.postfix.config_dir)
        sample_until(sampler.sample, lambda s: s.deferred_authlib >= 1, 20.0,
                     "the message deferred in the queue")

        diagnosis = find_it(CheckContext(Installation.from_flags(
            {"config": str(lab.settings_file)})))
        assert diagnosis.id == "home-symlink", diagnosis.cause
        assert diagnosis.fix is not None and diagnosis.fix.commands == ()
        assert diagnosis.cause is not None
        assert any(str(home) in line and repr(str(victim)) in line
                   for line in diagnosis.cause.evidence)
        assert _identity(victim) == before
    finally:
        home.unlink(missing_ok=True)
        aside.rename(home)
        shutil.rmtree(victim)

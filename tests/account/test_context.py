"""gid → ApisCP site, and HOME/MAILDIR as they exist on disk."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from tui.core.account.context import account_context, describe_account

ACCOUNT_UID = 21015


@pytest.fixture
def group_file(tmp_path: Path) -> Path:
    path = tmp_path / "group"
    path.write_text("# lab groups\nroot:x:0:\nmail:x:8:\nadmin2:x:1000:\nadmin17:x:1017:bar\n")
    return path


@pytest.fixture
def virtual_root(tmp_path: Path) -> Path:
    """An ApisCP-like tree: site2 with bar's home and a real maildir."""
    root = tmp_path / "virtual"
    home = root / "site2" / "fst" / "home" / "bar"
    for sub in ("cur", "new", "tmp"):
        (home / "Mail" / sub).mkdir(parents=True)
    os.chown(home, ACCOUNT_UID, 1000)
    return root


def expected_owner(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def test_apiscp_site_home_and_maildir(group_file: Path, virtual_root: Path) -> None:
    ctx = account_context(
        ACCOUNT_UID, 1000, "/home/bar/", "Mail/", group_file=group_file, virtual_root=virtual_root
    )

    assert ctx.group == "admin2"
    assert (ctx.site, ctx.site_id) == ("site2", 2)
    assert ctx.site_confirmed is True
    assert ctx.site_root == virtual_root / "site2"
    assert ctx.home == "/home/bar/"
    assert ctx.home_path == virtual_root / "site2" / "fst" / "home" / "bar"
    assert ctx.home_exists is True
    assert ctx.home_owner == expected_owner(ACCOUNT_UID)
    assert ctx.maildir == "Mail/"
    assert ctx.maildir_path == ctx.home_path / "Mail"
    assert ctx.maildir_exists is True
    assert ctx.notes == ()


def test_describe_account_one_line(group_file: Path, virtual_root: Path) -> None:
    ctx = account_context(
        ACCOUNT_UID, 1000, "/home/bar/", "Mail/", group_file=group_file, virtual_root=virtual_root
    )
    assert describe_account(ctx) == (
        f"group admin2 → site2 ({virtual_root}/site2), "
        f"home {virtual_root}/site2/fst/home/bar/ exists, owner {expected_owner(ACCOUNT_UID)}; "
        "maildir Mail/ exists"
    )


def test_owner_uses_the_user_name_when_there_is_one(tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    home = tmp_path / "h"
    home.mkdir()
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    ctx = account_context(nobody.pw_uid, 0, str(home), None)
    assert ctx.home_owner == f"nobody (uid {nobody.pw_uid})"


def test_unknown_uid_owner_is_numeric(tmp_path: Path) -> None:
    uid = 3_999_999  # far above any real account
    home = tmp_path / "h"
    home.mkdir()
    os.chown(home, uid, 0)
    ctx = account_context(uid, 0, str(home), None)
    assert ctx.home_owner == f"uid {uid}"


def test_missing_site_dir_is_not_confirmed(group_file: Path, tmp_path: Path) -> None:
    empty_root = tmp_path / "empty-virtual"
    empty_root.mkdir()
    home = str(tmp_path / "nowhere" / "bar") + "/"

    ctx = account_context(
        ACCOUNT_UID, 1000, home, "Mail/", group_file=group_file, virtual_root=empty_root
    )

    assert ctx.site == "site2"
    assert ctx.site_confirmed is False
    assert ctx.site_root is None
    assert ctx.home_exists is False and ctx.home_path is None
    assert ctx.maildir_exists is False and ctx.maildir_path is None
    assert any("site2" in note and "does not exist" in note for note in ctx.notes)
    line = describe_account(ctx)
    assert line.startswith(f"group admin2 → site2 (no {empty_root}/site2)")
    assert f"home {home} missing" in line
    assert line.endswith("maildir Mail/ missing")


def test_literal_home_is_used_when_not_in_a_site(group_file: Path, tmp_path: Path) -> None:
    home = tmp_path / "var" / "mail" / "foo"
    (home / "Maildir").mkdir(parents=True)

    ctx = account_context(8, 8, str(home), "Maildir", group_file=group_file, virtual_root=tmp_path)

    assert ctx.group == "mail"
    assert ctx.site is None and ctx.site_id is None and not ctx.site_confirmed
    assert ctx.home_path == home
    assert ctx.maildir_path == home / "Maildir"
    assert any("not a maildir yet" in note for note in ctx.notes)  # no cur/new/tmp


def test_literal_home_is_the_fallback_inside_a_site(
    group_file: Path, virtual_root: Path, tmp_path: Path
) -> None:
    """A HOME that is not under the site's fst (e.g. already a host path) is checked as is."""
    literal = tmp_path / "elsewhere"
    literal.mkdir()
    ctx = account_context(
        ACCOUNT_UID, 1000, str(literal), None, group_file=group_file, virtual_root=virtual_root
    )
    assert ctx.site_confirmed
    assert ctx.home_path == literal


def test_host_path_home_under_virtual_root_is_not_translated(
    group_file: Path, virtual_root: Path
) -> None:
    host_home = virtual_root / "site2" / "fst" / "home" / "bar"
    ctx = account_context(
        ACCOUNT_UID, 1000, str(host_home), "Mail", group_file=group_file, virtual_root=virtual_root
    )
    assert ctx.home_path == host_home
    assert ctx.maildir_exists


def test_absolute_maildir_is_looked_up_in_the_site(group_file: Path, virtual_root: Path) -> None:
    ctx = account_context(
        ACCOUNT_UID,
        1000,
        "/home/bar/",
        "/home/bar/Mail/",
        group_file=group_file,
        virtual_root=virtual_root,
    )
    assert ctx.maildir_path == virtual_root / "site2" / "fst" / "home" / "bar" / "Mail"
    assert ctx.maildir_exists


def test_no_maildir_in_the_reply(group_file: Path, virtual_root: Path) -> None:
    ctx = account_context(
        ACCOUNT_UID, 1000, "/home/bar/", "", group_file=group_file, virtual_root=virtual_root
    )
    assert ctx.maildir is None and not ctx.maildir_exists
    assert any("no MAILDIR" in note for note in ctx.notes)
    assert describe_account(ctx).endswith("; no maildir given")


def test_owner_mismatch_is_noted(group_file: Path, virtual_root: Path) -> None:
    ctx = account_context(
        4242, 1000, "/home/bar/", "Mail/", group_file=group_file, virtual_root=virtual_root
    )
    assert any("the account's uid is 4242" in note for note in ctx.notes)


def test_nss_lookup_of_a_real_group() -> None:
    ctx = account_context(0, 0, "/nonexistent-authlib-tui-home/", None)
    assert ctx.group == "root"
    assert ctx.site is None
    assert ctx.home_exists is False
    assert describe_account(ctx).startswith(
        "group root, home /nonexistent-authlib-tui-home/ missing"
    )


def test_nss_gid_without_a_name() -> None:
    ctx = account_context(0, 3_999_999, "/nonexistent-authlib-tui-home/", None)
    assert ctx.group is None
    assert any("gid 3999999 has no group name" in note for note in ctx.notes)
    assert describe_account(ctx).startswith("gid 3999999 (no group name)")


def test_gid_missing_from_group_file(group_file: Path, tmp_path: Path) -> None:
    ctx = account_context(1, 4242, "/x/", None, group_file=group_file, virtual_root=tmp_path)
    assert ctx.group is None
    assert f"gid 4242 is not in {group_file}" in ctx.notes


def test_group_file_is_not_confused_with_nss(tmp_path: Path) -> None:
    """The lab's file says gid 1000 is admin2 whatever this machine's NSS says."""
    lab_groups = tmp_path / "group"
    lab_groups.write_text("admin2:x:1000:\n")
    ctx = account_context(1, 1000, "/x/", None, group_file=lab_groups, virtual_root=tmp_path)
    assert ctx.group == "admin2"


def test_unreadable_group_file_is_a_note(tmp_path: Path) -> None:
    ctx = account_context(1, 1000, "/x/", None, group_file=tmp_path / "missing-group")
    assert ctx.group is None
    assert any("cannot be read" in note for note in ctx.notes)


def test_permission_denied_checks_become_notes(
    group_file: Path, virtual_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_dir = virtual_root / "site2"
    real_stat = Path.stat

    def stat(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if self == site_dir or site_dir in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(Path, "stat", stat)

    ctx = account_context(
        ACCOUNT_UID, 1000, "/home/bar/", "Mail/", group_file=group_file, virtual_root=virtual_root
    )

    assert ctx.site == "site2" and not ctx.site_confirmed
    assert f"cannot check {site_dir}: permission denied" in ctx.notes
    assert ctx.site_root is None

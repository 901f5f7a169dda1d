"""safe_files on real files: what root writes, it writes only where no one else can steer it."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOBODY_GID, NOBODY_UID, run_as_nobody
from tui.core.safe_files import (
    UnsafePath,
    ensure_private_dir,
    open_for_append,
    write_file,
)

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own and chown files")


@pytest.fixture
def no_umask() -> Iterator[None]:
    """umask 0: whatever mode a file gets, it got from us."""
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# --- ensure_private_dir ------------------------------------------------------------------


def test_each_directory_made_is_0700_whatever_the_umask(tmp_path: Path, no_umask: None) -> None:
    ensure_private_dir(tmp_path / "state" / "authlib-tui" / "recordings")
    for made in ("state", "state/authlib-tui", "state/authlib-tui/recordings"):
        assert _mode(tmp_path / made) == 0o700
    ensure_private_dir(tmp_path / "state" / "authlib-tui" / "recordings")  # again: fine


@needs_root
def test_a_planted_link_owned_by_someone_else_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "etc-cron.d"
    elsewhere.mkdir()
    (tmp_path / "state").mkdir()
    link = tmp_path / "state" / "authlib-tui"
    link.symlink_to(elsewhere)
    os.lchown(link, NOBODY_UID, NOBODY_GID)

    with pytest.raises(UnsafePath, match=f"^{link} is a symbolic link owned by uid 65534; "):
        ensure_private_dir(link / "recordings")
    assert list(elsewhere.iterdir()) == []


@needs_root
def test_root_does_not_make_its_state_under_another_users_directory(tmp_path: Path) -> None:
    """sudo -E: HOME is the caller's; whatever runs as them could swap what root makes."""
    home = tmp_path / "home-of-nobody"
    home.mkdir()
    os.chown(home, NOBODY_UID, NOBODY_GID)

    with pytest.raises(UnsafePath) as refused:
        ensure_private_dir(home / ".local" / "state" / "authlib-tui")
    assert str(refused.value) == (f"{home} is owned by uid 65534; authlib-tui running as root "
                                  "writes only under directories owned by itself or root")
    assert list(home.iterdir()) == []


@needs_root
def test_a_link_root_owns_in_a_directory_only_root_writes_is_followed(tmp_path: Path) -> None:
    """Decided: such a link (/var/run -> /run) only root could have made or could change."""
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    (tmp_path / "via").symlink_to(real)
    ensure_private_dir(tmp_path / "via" / "authlib-tui")
    assert (real / "authlib-tui").is_dir()


@needs_root
def test_root_does_not_follow_its_own_link_where_others_could_swap_it(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)  # a group may write here, sticky bit not set: a link can be replaced
    real = tmp_path / "real"
    real.mkdir()
    (shared / "state").symlink_to(real)
    with pytest.raises(UnsafePath, match="is a symbolic link owned by root"):
        ensure_private_dir(shared / "state" / "authlib-tui")
    assert list(real.iterdir()) == []


@needs_root
def test_a_user_follows_their_own_links(tmp_path: Path) -> None:
    """Non-root: ~/.local/state linked to another disk of theirs keeps working."""
    top = Path(tempfile.mkdtemp(prefix="authlib-tui-safe."))
    try:
        top.chmod(0o755)
        for name in ("home", "disk"):
            (top / name).mkdir()
            os.chown(top / name, NOBODY_UID, NOBODY_GID)

        def make() -> bool:
            (top / "home" / "state").symlink_to(top / "disk")
            ensure_private_dir(top / "home" / "state" / "authlib-tui")
            return (top / "disk" / "authlib-tui").is_dir()

        assert run_as_nobody(make)
    finally:
        shutil.rmtree(top)


# --- write_file --------------------------------------------------------------------------


def test_write_file_replaces_whole_and_private(tmp_path: Path, no_umask: None) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o644)
    write_file(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o600
    write_file(target, "shared", mode=0o644)
    assert _mode(target) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp file left


def test_write_file_refuses_a_link_and_leaves_both_alone(tmp_path: Path) -> None:
    precious = tmp_path / "shadow"
    precious.write_text("root:x:0:0\n")
    link = tmp_path / "report.md"
    link.symlink_to(precious)
    with pytest.raises(UnsafePath, match="is a symbolic link; authlib-tui never writes"):
        write_file(link, "planted")
    assert precious.read_text() == "root:x:0:0\n" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "shadow"]


def test_write_file_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    with pytest.raises(UnsafePath, match="exists and is not a regular file"):
        write_file(fifo, "x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- open_for_append ---------------------------------------------------------------------


def test_append_refuses_a_hard_link(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    precious = tmp_path / "precious"
    precious.write_text("keep\n")
    os.link(precious, logs / "audit.log")
    with pytest.raises(UnsafePath, match="has 2 names"):
        open_for_append(logs / "audit.log")
    assert precious.read_text() == "keep\n"


def test_append_adds_to_its_own_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "audit.log"
    for line in (b"one\n", b"two\n"):
        fd = open_for_append(log)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    assert log.read_bytes() == b"one\ntwo\n"

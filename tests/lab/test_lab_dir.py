"""The lab trusts only dirs and state files no other local user could have made or changed,
and only pids that still name the processes it started.

Everything here runs on real files (a dir really owned by `nobody`, a real symlink) and
real processes (a `sleep` standing in for a victim a planted lab.json names).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOBODY_GID, NOBODY_UID
from tests.waiting import wait_until
from tui.lab.lab import DEFAULT_ROOT, Lab
from tui.lab.lab_dir import LABS_BASE, ensure_labs_base
from tui.lab.process import LabError, process_identity

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="planting files as nobody needs root")


@pytest.fixture
def victim() -> Iterator[subprocess.Popen[bytes]]:
    """A live process a planted lab.json names as its holder and sink."""
    process = subprocess.Popen(["sleep", "300"])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A dir a planted lab.json names as the lab's root: `down()` would remove it."""
    directory = tmp_path / "precious"
    directory.mkdir()
    (directory / "keep-me").write_text("still here\n")
    return directory


def _state(root: Path, pid: int, **extra: object) -> str:
    return json.dumps({"root": str(root), "port": 5999, "holder_pid": pid, "sink_pid": pid,
                       **extra})


def _plant(directory: Path, state: str, *, uid: int = NOBODY_UID, mode: int = 0o755) -> Path:
    """A lab dir and lab.json as another local user would leave them."""
    directory.mkdir(mode=mode)
    directory.chmod(mode)
    (directory / "lab.json").write_text(state)
    for path in (directory, directory / "lab.json"):
        os.chown(path, uid, NOBODY_GID if uid else 0)
    return directory


def _refused(root: Path) -> str:
    with pytest.raises(LabError) as refusal:
        Lab.load(root)
    return str(refusal.value)


# -- the base ------------------------------------------------------------------------
def test_the_base_is_made_root_only_and_traversable(tmp_path: Path) -> None:
    old = os.umask(0o077)  # whatever the umask, postgres must traverse it
    try:
        base = ensure_labs_base(tmp_path / "var" / "labs")
    finally:
        os.umask(old)
    info = base.lstat()
    assert (info.st_uid, info.st_mode & 0o7777) == (0, 0o755)
    assert ensure_labs_base(base) == base  # a second call accepts what the first made


def test_a_planted_symlink_as_the_base_is_refused_and_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "labs").symlink_to(elsewhere)
    with pytest.raises(LabError, match="is not a real directory"):
        ensure_labs_base(tmp_path / "labs" / "more")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(("uid", "mode", "why"), [(NOBODY_UID, 0o755, "owned by nobody"),
                                                   (0, 0o775, "writable by group or others")])
def test_a_base_someone_else_could_write_is_refused(tmp_path: Path, uid: int, mode: int,
                                                    why: str) -> None:
    base = tmp_path / "labs"
    base.mkdir()
    base.chmod(mode)
    os.chown(base, uid, 0)
    with pytest.raises(LabError, match=why):
        ensure_labs_base(base)


def test_lab_up_defaults_to_the_root_owned_base_not_the_temp_dir() -> None:
    assert DEFAULT_ROOT.parent == LABS_BASE
    assert not DEFAULT_ROOT.is_relative_to(tempfile.gettempdir())


# -- loading -------------------------------------------------------------------------
def test_a_planted_lab_owned_by_nobody_is_refused(tmp_path: Path, target: Path,
                                                  victim: subprocess.Popen[bytes]) -> None:
    planted = _plant(tmp_path / "planted", _state(target, victim.pid))
    assert "owned by nobody, not root" in _refused(planted)
    # Its own root named, and still refused: nobody's dir is nobody's.
    (planted / "lab.json").write_text(_state(planted, victim.pid))
    assert "owned by nobody, not root" in _refused(planted)


def test_a_root_owned_lab_json_naming_another_dir_is_refused(tmp_path: Path,
                                                             target: Path) -> None:
    lab_dir = _plant(tmp_path / "lab", _state(target, 1), uid=0)
    assert "names another lab dir" in _refused(lab_dir)
    (lab_dir / "lab.json").write_text(_state(Path("/"), 1))
    assert "names another lab dir ('/')" in _refused(lab_dir)
    assert (target / "keep-me").exists()


def test_a_group_or_other_writable_lab_dir_is_refused(tmp_path: Path) -> None:
    for mode in (0o775, 0o757, 0o1777):
        lab_dir = _plant(tmp_path / f"lab-{mode:o}", "", uid=0, mode=mode)
        (lab_dir / "lab.json").write_text(_state(lab_dir, 1))
        assert "writable by group or others" in _refused(lab_dir)


def test_a_lab_json_someone_else_owns_or_may_write_is_refused(tmp_path: Path) -> None:
    lab_dir = _plant(tmp_path / "lab", "", uid=0)
    (lab_dir / "lab.json").write_text(_state(lab_dir, 1))
    os.chown(lab_dir / "lab.json", NOBODY_UID, NOBODY_GID)
    assert "lab.json is owned by nobody" in _refused(lab_dir)
    os.chown(lab_dir / "lab.json", 0, 0)
    (lab_dir / "lab.json").chmod(0o666)
    assert "writable by group or others" in _refused(lab_dir)


def test_a_symlinked_lab_dir_or_lab_json_is_refused(tmp_path: Path) -> None:
    real = _plant(tmp_path / "real", "", uid=0)
    (real / "lab.json").write_text(_state(real, 1))
    assert Lab.load(real).root == real  # the real one loads
    (tmp_path / "link").symlink_to(real)
    assert "is a symlink" in _refused(tmp_path / "link")
    # A lab dir reached through a symlinked parent could be swapped by the link's owner.
    (tmp_path / "parent-link").symlink_to(tmp_path)
    assert "goes through a symlink" in _refused(tmp_path / "parent-link" / "real")
    other = _plant(tmp_path / "other", "", uid=0)
    (other / "lab.json").unlink()
    (other / "lab.json").symlink_to(real / "lab.json")
    assert "symlink" in _refused(other)


def test_a_lab_is_not_made_in_a_dir_someone_else_planted(tmp_path: Path) -> None:
    """`lab up --dir D` (and the default dir, were it planted) writes nothing into it."""
    planted = tmp_path / "planted"
    planted.mkdir()
    os.chown(planted, NOBODY_UID, NOBODY_GID)
    with pytest.raises(LabError, match=r"refusing to make a lab in .*owned by nobody"):
        Lab.create(planted)
    assert list(planted.iterdir()) == []


def test_lab_shell_refuses_a_planted_lab_and_writes_no_bin_dir(tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    _plant(planted, "")
    (planted / "lab.json").write_text(_state(planted, 1))
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "lab", "shell", "--dir", str(planted), "--",
         "true"], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (f"authlib-tui lab: refusing the lab in {planted}: {planted} "
                                   "is owned by nobody, not root")
    assert sorted(path.name for path in planted.iterdir()) == ["lab.json"]


# -- pids ----------------------------------------------------------------------------
@pytest.mark.parametrize("recorded", ["wrong", "missing"])
def test_pids_whose_identity_does_not_match_are_never_signalled(
        recorded: str, victim: subprocess.Popen[bytes]) -> None:
    """A root-owned lab whose holder and sink pids now name someone else's process (reused,
    or a lab.json from before start times were recorded): down() leaves that process be."""
    identity = process_identity(victim.pid)
    assert identity is not None
    started = {"wrong": {"holder_started": identity[1] + 1, "sink_started": identity[1] + 1},
               "missing": {}}[recorded]
    lab_dir = Path(tempfile.mkdtemp(prefix="test-pids-", dir=ensure_labs_base()))
    try:
        (lab_dir / "lab.json").write_text(_state(lab_dir, victim.pid, **started))
        # Postfix's holder file with a start time that is not the victim's, and a pid file
        # in the postgres-writable data dir naming a process that is not postgres's.
        (lab_dir / "postfix-holder.pid").write_text(f"{victim.pid} {identity[1] + 1}\n")
        (lab_dir / "pg" / "data").mkdir(parents=True)
        (lab_dir / "pg" / "data" / "postmaster.pid").write_text(f"{victim.pid}\n")
        lab = Lab.load(lab_dir)
        assert lab.postfix.holder_pid() == 0 and lab.pg.postmaster_pid() is None
        assert lab.holder == 0 and lab.daemon_pids() == [] and not lab.in_use
        with pytest.raises(LabError, match=r"daemon namespace .* is gone"):
            lab.start_daemon()  # no nsenter into the victim's namespace
        lab.down()
        assert victim.poll() is None  # still running
        assert not lab_dir.exists()  # the lab's own (root's) dir is removed
    finally:
        shutil.rmtree(lab_dir, ignore_errors=True)


def test_a_zombie_holder_counts_as_gone() -> None:
    ended = subprocess.Popen(["true"])
    wait_until(lambda: process_identity(ended.pid) is None, 10, "the child to end")
    assert Path(f"/proc/{ended.pid}").exists()  # a zombie, not yet reaped
    ended.wait()


# -- lab clean -----------------------------------------------------------------------
def test_lab_clean_refuses_planted_labs_and_signals_nothing(
        tmp_path: Path, target: Path, victim: subprocess.Popen[bytes]) -> None:
    """Planted where the old code looked (the temp dir) and in the base itself: nothing is
    removed, the victim lives, and each planted lab in the base is named."""
    in_temp = Path(tempfile.mkdtemp(prefix="authlib-tui-planted-lab-"))
    in_temp.rmdir()
    in_base = Path(tempfile.mkdtemp(prefix="planted-", dir=ensure_labs_base()))
    in_base.rmdir()
    try:
        # No live holder, so not "in use": the old code took it down, signalling the sink.
        planted_state = _state(target, 0, sink_pid=victim.pid)
        _plant(in_temp, planted_state)
        _plant(in_base, planted_state)
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli.main", "lab", "clean"],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert (f"skipped: refusing the lab in {in_base}: {in_base} is owned by nobody, "
                "not root") in done.stdout
        assert str(in_temp) not in done.stdout
        assert (target / "keep-me").read_text() == "still here\n"
        assert victim.poll() is None
        assert (in_base / "lab.json").exists() and (in_temp / "lab.json").exists()
    finally:
        shutil.rmtree(in_temp, ignore_errors=True)
        shutil.rmtree(in_base, ignore_errors=True)

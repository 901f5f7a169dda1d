"""The training history is root's file: never appended through a planted link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NOBODY_GID, NOBODY_UID
from tui.core.safe_files import UnsafePath
from tui.core.training.session import (
    TrainingResult,
    append_history,
    history_problem,
    read_history,
)

RESULT = TrainingResult(scenario="stopped-and-marker", trainee="ana", started="now",
                        diagnosis="daemon-stopped", right=True, seconds_to_diagnosis=1.0,
                        seconds_to_fix=None, hints_used=0, fixed=False)


def test_a_history_line_is_appended_to_a_private_file(tmp_path: Path) -> None:
    history = tmp_path / "share" / "authlib-tui" / "training.jsonl"
    append_history(history, RESULT)
    append_history(history, RESULT)
    assert [r.trainee for r in read_history(history)] == ["ana", "ana"]
    assert history.stat().st_mode & 0o777 == 0o600


def test_a_planted_link_at_the_history_is_refused(tmp_path: Path) -> None:
    precious = tmp_path / "bashrc"
    precious.write_text("alias ls='ls -F'\n")
    history = tmp_path / "share" / "training.jsonl"
    history.parent.mkdir(mode=0o700)
    history.symlink_to(precious)

    with pytest.raises(UnsafePath, match="is a symbolic link"):
        append_history(history, RESULT)
    assert precious.read_text() == "alias ls='ls -F'\n"
    assert history_problem(history) == (
        f"cannot keep the training history in {history}: {history} is a symbolic link; "
        "authlib-tui never writes through one; name another with --history-file")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown")
def test_train_says_so_before_the_lab_starts(tmp_path: Path) -> None:
    """sudo -E: XDG_DATA_HOME under the caller's home; nothing is started or written."""
    home = tmp_path / "alice"
    home.mkdir()
    os.chown(home, NOBODY_UID, NOBODY_GID)
    done = subprocess.run([sys.executable, "-m", "tui.cli.main", "train", "stopped-and-marker"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_DATA_HOME": str(home / ".local" / "share")})
    assert done.returncode == 64
    assert done.stderr == (
        f"authlib-tui: cannot keep the training history in "
        f"{home}/.local/share/authlib-tui/training.jsonl: {home} is owned by uid 65534; "
        "authlib-tui running as root writes only under directories owned by itself or root; "
        "name another with --history-file\n")
    assert list(home.iterdir()) == []

"""What `record` writes: a new private file, never through a planted name.

`record -o` and the app's R run as root in directories others may write; the
links and side files planted here are real, and so is the file written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.recording.test_untrusted_recording import good_recording
from tui.cli.exit_codes import EXIT_USAGE
from tui.core.recording.replay import Recording
from tui.core.recording.store import RecordingStore


def test_the_store_refuses_a_dangling_link_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "chosen-by-someone.sqlite"
    target.parent.mkdir()
    link = tmp_path / "rec.sqlite"
    link.symlink_to(target)
    with pytest.raises(FileExistsError):
        RecordingStore(link)
    assert not target.exists()
    with pytest.raises(FileExistsError):
        RecordingStore(good_recording(tmp_path / "taken.sqlite"))  # an existing file too


def test_record_onto_a_dangling_link_says_so_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "chosen-by-someone"
    link = tmp_path / "rec.sqlite"
    link.symlink_to(target)
    result = subprocess.run([sys.executable, "-m", "tui.cli.main", "record", "--for", "1",
                             "-o", str(link)], capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_USAGE
    assert result.stderr == f"authlib-tui: {link} exists; record to a new file\n"
    assert not os.path.lexists(target)


def test_a_planted_journal_link_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    path = recordings / "rec.sqlite"
    for side in ("-journal", "-wal", "-shm"):
        (recordings / f"rec.sqlite{side}").symlink_to(f"{victim}{side}")
    store = RecordingStore(path)
    store.set_meta(scenario="planted")
    for at in range(50):
        store.add(float(at), "mark", {})
        store.flush()
    store.close()
    assert not any(p.name.startswith("victim") for p in tmp_path.iterdir())
    assert (path.stat().st_mode & 0o777) == 0o600
    assert len(Recording.load(path).observations) == 50

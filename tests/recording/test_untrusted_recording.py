"""A recording is untrusted input: crafted SQLite files are refused with one sentence.

`authlib-tui replay` runs as root on files anyone may have made, and `record` writes
where others may have planted names. Every file here is a real SQLite file built
the way an attacker would build it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.cli.exit_codes import EXIT_USAGE
from tui.core.recording.reader import MAX_OBSERVATIONS, MAX_VALUE_BYTES
from tui.core.recording.replay import Recording, RecordingError
from tui.core.recording.store import SCHEMA, RecordingStore

ESC = "\x1b"
TITLE_SEQUENCE = f"{ESC}]0;owned{chr(7)}"


def crafted(path: Path, build: Callable[[sqlite3.Connection], object],
            schema: str = SCHEMA) -> Path:
    """A SQLite file at `path`: `schema`, one good row, then whatever `build` does."""
    db = sqlite3.connect(path)
    db.executescript(schema)
    if schema == SCHEMA:
        db.execute("INSERT INTO meta VALUES ('scenario', 'crafted')")
        db.execute("INSERT INTO observations VALUES (1.0, 'mark', '{}')")
    build(db)
    db.commit()
    db.close()
    return path


def good_recording(path: Path) -> Path:
    store = RecordingStore(path)
    store.set_meta(scenario="real")
    store.add(1.0, "mark", {})
    store.add(2.0, "fix", {"command": "true", "exit_code": 0})
    store.close()
    return path


def replay_cli(target: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", "replay", str(target)],
                          capture_output=True, text=True, timeout=timeout)


def refused(path: Path) -> str:
    with pytest.raises(RecordingError) as caught:
        Recording.load(path)
    return str(caught.value)


# -- the name ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rec#1.sqlite", "rec?mode=rwc.sqlite", "a%23b.sqlite"])
def test_a_name_with_uri_characters_opens_exactly_that_file(tmp_path: Path, name: str) -> None:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    path = good_recording(recordings / name)
    before = sorted(os.listdir(recordings))
    assert before == [name]  # the writer made exactly that file too
    recording = Recording.load(path)
    assert recording.meta == {"scenario": "real"}
    assert [o.kind for o in recording.observations] == ["mark", "fix"]
    assert sorted(os.listdir(recordings)) == before


def test_a_symbolic_link_and_a_fifo_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite"
    link.symlink_to(good_recording(tmp_path / "real.sqlite"))
    assert "is a symbolic link" in refused(link)
    fifo = tmp_path / "fifo.sqlite"
    os.mkfifo(fifo)
    assert "is not a regular file" in refused(fifo)  # and opening it did not hang


# -- SQL the file defines ------------------------------------------------------------------
VIEW_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIEW observations AS SELECT 1.0 AS at, 'mark' AS kind, '{}' AS data;
"""

# Counting to 10^12 before the first row: the query would run for hours.
SLOW_VIEW_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIEW observations AS
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000000)
    SELECT max(x) AS at, 'mark' AS kind, '{}' AS data FROM n;
"""


def test_a_view_named_observations_is_refused(tmp_path: Path) -> None:
    path = crafted(tmp_path / "view.sqlite", lambda db: None, VIEW_SCHEMA)
    says = refused(path)
    assert "holds a view named 'observations'" in says


def test_a_view_that_would_run_for_hours_is_refused_before_it_runs(tmp_path: Path) -> None:
    path = crafted(tmp_path / "slow.sqlite", lambda db: None, SLOW_VIEW_SCHEMA)
    started = time.monotonic()
    result = replay_cli(path, timeout=30)
    assert time.monotonic() - started < 30
    assert result.returncode == EXIT_USAGE
    assert "holds a view named 'observations'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_view_named_meta_is_refused(tmp_path: Path) -> None:
    schema = SCHEMA.replace(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        "CREATE VIEW meta AS SELECT 'scenario' AS key, 'view' AS value;")
    path = crafted(tmp_path / "meta-view.sqlite",
                   lambda db: db.execute("INSERT INTO observations VALUES (1.0, 'mark', '{}')"),
                   schema)
    assert "holds a view named 'meta'" in refused(path)


def test_a_trigger_is_refused(tmp_path: Path) -> None:
    path = crafted(tmp_path / "trigger.sqlite", lambda db: db.execute(
        "CREATE TRIGGER spread AFTER INSERT ON observations BEGIN "
        "INSERT INTO meta VALUES ('x', 'y'); END"))
    assert "holds a trigger named 'spread'" in refused(path)


def test_an_extra_table_is_refused(tmp_path: Path) -> None:
    path = crafted(tmp_path / "extra.sqlite", lambda db: db.execute("CREATE TABLE extra (x)"))
    assert "holds a table named 'extra'" in refused(path)


def test_a_table_with_other_columns_is_refused(tmp_path: Path) -> None:
    # A generated column is SQL that runs on every read of the row.
    schema = SCHEMA.replace("data TEXT NOT NULL         -- JSON",
                            "data TEXT GENERATED ALWAYS AS (hex(zeroblob(100000000)))")
    path = crafted(tmp_path / "columns.sqlite", lambda db: db.execute(
        "INSERT INTO meta VALUES ('scenario', 'x')"), schema)
    assert "its table 'observations' is not defined as the recorder defines it" in refused(path)


# -- sizes ---------------------------------------------------------------------------------
def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    path = crafted(tmp_path / "many.sqlite", lambda db: db.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
        "INSERT INTO observations SELECT x, 'mark', '{}' FROM n", (MAX_OBSERVATIONS,)))
    assert f"more than {MAX_OBSERVATIONS} observations" in refused(path)


def test_an_oversized_row_is_refused(tmp_path: Path) -> None:
    big = '{"a": "' + "x" * MAX_VALUE_BYTES + '"}'
    path = crafted(tmp_path / "big.sqlite", lambda db: db.execute(
        "INSERT INTO observations VALUES (2.0, 'mark', ?)", (big,)))
    assert f"a value is longer than {MAX_VALUE_BYTES} bytes" in refused(path)


def test_nested_json_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    bomb = "[" * 100_000 + "]" * 100_000
    path = crafted(tmp_path / "nested.sqlite", lambda db: db.execute(
        "INSERT INTO observations VALUES (2.0, 'mark', ?)", (bomb,)))
    assert "nests its JSON deeper than Python can read" in refused(path)
    result = replay_cli(path)
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_read_over_its_time_budget_stops_with_a_sentence(tmp_path: Path) -> None:
    path = crafted(tmp_path / "long.sqlite", lambda db: db.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) "
        "INSERT INTO observations SELECT x, 'mark', '{}' FROM n"))
    assert len(Recording.load(path).observations) == 200_001  # within the default budget
    with pytest.raises(RecordingError, match="reading it took longer than 0 s"):
        Recording.load(path, budget_seconds=0)


# -- what reaches the terminal ---------------------------------------------------------------
def test_an_escape_sequence_in_the_file_name_is_shown_escaped(tmp_path: Path) -> None:
    garbage = tmp_path / f"x{TITLE_SEQUENCE}.sqlite"
    garbage.write_bytes(b"\x00not sqlite\xff" * 100)
    result = replay_cli(garbage)
    assert result.returncode == EXIT_USAGE
    assert "not an authlib-tui recording" in result.stderr
    assert ESC not in result.stderr and "\\x1b]0;owned\\x07" in result.stderr


def test_an_escape_sequence_in_the_file_is_shown_escaped(tmp_path: Path) -> None:
    # SQLite quotes a broken schema entry's name in its error message.
    def plant(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA writable_schema=ON")
        db.execute("INSERT INTO sqlite_master VALUES ('table', ?, ?, 0, 'CREATE TABLE (')",
                   (TITLE_SEQUENCE, TITLE_SEQUENCE))

    path = crafted(tmp_path / "broken.sqlite", plant)
    result = replay_cli(path)
    assert result.returncode == EXIT_USAGE
    assert "not an authlib-tui recording" in result.stderr
    assert ESC not in result.stderr and "\\x1b]0;owned\\x07" in result.stderr

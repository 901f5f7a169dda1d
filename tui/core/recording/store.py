"""The recording file: SQLite (stdlib), one row per observation, JSON payloads.

Only what the screen shows is stored, already masked: pool numbers, probe
outcomes, hop states and check findings, signature ids of log lines (never the
raw line: with DEBUG_LOGIN=2 authdaemond logs passwords). Rows are written in
batches inside one transaction so a 1 Hz recording costs a commit per batch.

The file is created new (never an existing name, never through a link) and SQLite
keeps its journal in memory under an exclusive lock, so it makes no side file a
planted `-journal` or `-wal` link could redirect. Reading one back is `reader.py`:
a recording from elsewhere is untrusted input.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tui.core.safe_files import create_private_file, open_descriptors, same_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS observations (
    at REAL NOT NULL,          -- epoch seconds
    kind TEXT NOT NULL,        -- pool, probe, hops, checks, signature
    data TEXT NOT NULL         -- JSON
);
CREATE INDEX IF NOT EXISTS observations_at ON observations (at);
"""


@dataclass(frozen=True)
class Observation:
    at: float
    kind: str
    data: dict[str, object]


def open_new_database(path: Path) -> sqlite3.Connection:
    """A new SQLite file at `path` that no other user can redirect; FileExistsError if taken.

    We create the file (O_EXCL, 0600), then SQLite opens it by name, without creating
    and through a percent-encoded URI (a `#` or `?` in the name is part of the name).
    Between the two a writer of the directory could swap the name for a link, so the
    file SQLite opened must be the one we created before anything is written. Its
    journal stays in memory and its lock is held from the first read (the file still
    empty) to the close: SQLite never opens a `-journal` or `-wal` name, so a planted
    one can neither be written through nor rolled back into the recording.
    """
    fd = create_private_file(path)
    try:
        db = sqlite3.connect(f"file://{quote(os.path.abspath(path))}?mode=rw", uri=True,
                             check_same_thread=False)
        try:
            # The file is new: no descriptor but ours and SQLite's can be it.
            if not any(same_file(fd, other) for other in open_descriptors() - {fd}):
                raise OSError(f"{path} was replaced while it was being opened; "
                                      "nothing was written")
            modes = (db.execute("PRAGMA locking_mode=EXCLUSIVE").fetchone(),
                     db.execute("PRAGMA journal_mode=MEMORY").fetchone())
            if modes != (("exclusive",), ("memory",)):
                raise sqlite3.OperationalError(f"SQLite kept its journal on disk {modes}")
        except BaseException:
            db.close()
            raise
    finally:
        os.close(fd)
    return db


class RecordingStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_new_database(path)
        self._db.executescript(SCHEMA)
        self._pending: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        self._closed = False

    def set_meta(self, **values: str) -> None:
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
            self._db.commit()

    def add(self, at: float, kind: str, data: dict[str, object]) -> None:
        with self._lock:
            if self._closed:
                return  # a last observation racing the close: the file is complete
            self._pending.append((at, kind, json.dumps(data, separators=(",", ":"))))

    def flush(self) -> None:
        with self._lock:
            if self._pending and not self._closed:
                self._db.executemany("INSERT INTO observations VALUES (?, ?, ?)", self._pending)
                self._db.commit()
                self._pending = []

    def close(self) -> None:
        """Write what is queued and close; later adds and flushes do nothing."""
        self.flush()
        with self._lock:
            self._closed = True
            self._db.close()

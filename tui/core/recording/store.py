"""The recording file: SQLite (stdlib), one row per observation, JSON payloads.

Only what the screen shows is stored, already masked: pool numbers, probe
outcomes, hop states and check findings, signature ids of log lines (never the
raw line: with DEBUG_LOGIN=2 authdaemond logs passwords). Rows are written in
batches inside one transaction so a 1 Hz recording costs a commit per batch.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


class RecordingStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(SCHEMA)
        self._pending: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()

    def set_meta(self, **values: str) -> None:
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
            self._db.commit()

    def add(self, at: float, kind: str, data: dict[str, object]) -> None:
        with self._lock:
            self._pending.append((at, kind, json.dumps(data, separators=(",", ":"))))

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._db.executemany("INSERT INTO observations VALUES (?, ?, ?)", self._pending)
                self._db.commit()
                self._pending = []

    def close(self) -> None:
        self.flush()
        self._db.close()


def read_meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT key, value FROM meta"))


def read_observations(path: Path, kind: str | None = None) -> Iterator[Observation]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        query = "SELECT at, kind, data FROM observations"
        rows = (db.execute(query + " WHERE kind = ? ORDER BY at", (kind,)) if kind
                else db.execute(query + " ORDER BY at"))
        for at, row_kind, data in rows:
            yield Observation(at, row_kind, json.loads(data))
    finally:
        db.close()


def state_at(path: Path, kind: str, moment: float) -> Observation | None:
    """The last observation of `kind` at or before `moment` (what a replay shows then)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT at, kind, data FROM observations WHERE kind = ? AND at <= ? "
                         "ORDER BY at DESC LIMIT 1", (kind, moment)).fetchone()
    finally:
        db.close()
    return Observation(row[0], row[1], json.loads(row[2])) if row else None

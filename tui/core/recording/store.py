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

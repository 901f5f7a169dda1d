"""A recording file read back as untrusted input: checked whole before one row is believed.

`authlib-tui replay FILE` runs as root on a file anyone may have made. SQLite would
run what the file defines (a view or trigger named like our tables is SQL that runs
on our query), open side files next to it by name, and follow a link in its place,
and a row is JSON of any size and depth. So the file is opened once, by us, without
following links, must be a regular file of a bounded size, and is read whole into
memory: SQLite gets the bytes, never the name, so nothing can redirect it, it opens
no side file (no planted `-journal` or `-wal` is read), and the file cannot change
under the checks. Then, before any query of ours, the schema must be exactly the one
the recorder creates (tables, their columns and index, nothing else: no view, no
trigger), values are capped in length, rows in number, and the whole read in time.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import stat
import time
from pathlib import Path

from tui.core.recording.store import SCHEMA, Observation
from tui.core.safe_text import safe_text

MAX_FILE_BYTES = 128 * 1024 * 1024  # about 20 hours at 1 Hz (bench/record.py: ~6 MiB an hour)
MAX_VALUE_BYTES = 1024 * 1024  # one row's JSON (the largest recorded are a few KB)
MAX_OBSERVATIONS = 1_000_000
MAX_META_ROWS = 1000
READ_BUDGET_SECONDS = 30.0  # every query on the file together
_PROGRESS_EVERY = 10_000  # SQLite instructions between looks at the clock


class RecordingError(Exception):
    """The file is not a recording this version can read; the message says why.

    The message names the file and may quote it, so it is made safe for the
    terminal here, once, whoever shows it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(safe_text(message))


def expected_schema() -> set[tuple[str, str, str, str | None]]:
    """What `sqlite_master` holds in a file the recorder made: (type, name, table, sql)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        return set(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        db.close()


def read_file_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path` (not through a link), at most `limit`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except OSError as exc:
        if os.path.islink(path):
            raise RecordingError(f"{path} is a symbolic link; replay the file itself") from None
        raise RecordingError(f"{path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as opened:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RecordingError(f"{path} is not a regular file")
        data = opened.read(limit + 1)
    if len(data) > limit:
        raise RecordingError(f"{path} is larger than a recording can be ({limit} bytes)")
    return data


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse any object the recorder does not create, before a query touches a table."""
    found = set(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    expected = expected_schema()
    for kind, name, _table, _sql in sorted(found - expected, key=str):
        if (kind, name) in {(k, n) for k, n, _, _ in expected}:
            raise RecordingError(f"{path}: not an authlib-tui recording (its {kind} {name!r} "
                                 "is not defined as the recorder defines it)")
        raise RecordingError(f"{path}: not an authlib-tui recording (it holds a {kind} "
                             f"named {name!r}, which the recorder never makes)")
    missing = sorted(name for _, name, _, _ in expected - found)
    if missing:
        raise RecordingError(f"{path}: not an authlib-tui recording (no {missing[0]!r})")


def _rows(db: sqlite3.Connection, path: Path) -> tuple[dict[str, str], list[tuple[object, ...]]]:
    meta = list(db.execute("SELECT key, value FROM meta LIMIT ?", (MAX_META_ROWS + 1,)))
    if len(meta) > MAX_META_ROWS:
        raise RecordingError(f"{path}: not an authlib-tui recording "
                             f"(more than {MAX_META_ROWS} meta rows)")
    (count,) = db.execute("SELECT count(*) FROM (SELECT 1 FROM observations LIMIT ?)",
                          (MAX_OBSERVATIONS + 1,)).fetchone()
    if count > MAX_OBSERVATIONS:
        raise RecordingError(f"{path}: not an authlib-tui recording "
                             f"(more than {MAX_OBSERVATIONS} observations)")
    found = list(db.execute("SELECT at, kind, data FROM observations"))
    return {str(key): str(value) for key, value in meta}, found


def read_recording(path: Path, budget_seconds: float = READ_BUDGET_SECONDS
                   ) -> tuple[dict[str, str], list[Observation]]:
    """The meta and observations of the recording at `path`; RecordingError says why not."""
    data = read_file_bytes(path)
    deadline = time.monotonic() + budget_seconds
    db = sqlite3.connect(":memory:")
    try:
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        db.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 10_000)
        db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        db.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_EVERY)
        db.execute("PRAGMA trusted_schema=OFF")
        db.deserialize(data)
        db.execute("PRAGMA query_only=ON")
        _check_schema(db, path)
        meta, found = _rows(db, path)
    except sqlite3.DataError:
        raise RecordingError(f"{path}: not an authlib-tui recording (a value is longer than "
                             f"{MAX_VALUE_BYTES} bytes)") from None
    except sqlite3.OperationalError as exc:
        if time.monotonic() > deadline:
            raise RecordingError(f"{path}: reading it took longer than {budget_seconds:g} s; "
                                 "not an authlib-tui recording this can replay") from None
        raise RecordingError(f"{path}: not an authlib-tui recording ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise RecordingError(f"{path}: not an authlib-tui recording ({exc})") from None
    finally:
        db.close()
    return meta, _observations(found, path)


def _observations(found: list[tuple[object, ...]], path: Path) -> list[Observation]:
    observations = []
    for number, (at, kind, data) in enumerate(found, start=1):
        if not isinstance(data, str | bytes):
            continue  # one damaged row does not make the rest unreadable
        try:
            payload = json.loads(data)
        except RecursionError:
            raise RecordingError(f"{path}: not an authlib-tui recording (observation {number} "
                                 "nests its JSON deeper than Python can read)") from None
        except ValueError:
            continue
        if (isinstance(payload, dict) and isinstance(at, int | float) and math.isfinite(at)):
            observations.append(Observation(float(at), str(kind), payload))
    return observations

"""The one place observations are written: off until started, then every add goes to the file.

Both `authlib-tui record` and the app's record toggle feed a Tape from the
samplers they already run, so a recording made either way replays the same.
Adds only queue a row (cheap, any thread); `flush` writes the queue in one
transaction and belongs in a worker thread.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.recording import observations as rows
from tui.core.recording.observations import Kind

if TYPE_CHECKING:  # the app builds a Tape before its first frame; the rest waits for `start`
    from tui.core.checks.result import CheckResult
    from tui.core.installation import Installation
    from tui.core.logs.entry import LogEntry
    from tui.core.recording.store import RecordingStore
    from tui.core.workers.probe import ProbeSample
    from tui.core.workers.sampler import WorkersSnapshot
    from tui.core.xray import Hop


def default_recordings_dir() -> Path:
    """`$XDG_STATE_HOME/authlib-tui/recordings` (where the app's R key writes)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "authlib-tui" / "recordings"


class Tape:
    def __init__(self) -> None:
        self._store: RecordingStore | None = None
        self.started_at: float | None = None
        self._installation: Installation | None = None
        self._lock = threading.Lock()

    @property
    def recording(self) -> Path | None:
        store = self._store
        return store.path if store is not None else None

    def start(self, path: Path, installation: Installation, **meta: str) -> None:
        """Open `path` (a new file) and write the recording's description."""
        import socket

        from tui.core.checks.output import package_version
        from tui.core.recording.store import RecordingStore

        store = RecordingStore(path)
        store.set_meta(host=socket.gethostname(), version=package_version(),
                       started=str(time.time()), platform=installation.discovery.platform.value,
                       probe_address=installation.settings.probe_address.value, **meta)
        with self._lock:
            self._store, self._installation = store, installation
            self.started_at = time.time()

    def stop(self) -> Path | None:
        with self._lock:
            store, self._store = self._store, None
            self.started_at = None
        if store is None:
            return None
        store.set_meta(ended=str(time.time()))
        store.close()
        return store.path

    def flush(self) -> None:
        store = self._store
        if store is not None:
            store.flush()

    # -- observations -------------------------------------------------------------------------
    def _mask(self, text: str) -> str:
        from tui.core.checks.incident_note import mask_known_secrets

        installation = self._installation
        return mask_known_secrets(text, installation) if installation is not None else text

    def _add(self, at: float, kind: str, data: dict[str, object] | None) -> None:
        store = self._store
        if store is not None and data is not None:
            store.add(at, kind, data)

    def add_pool(self, snapshot: WorkersSnapshot) -> None:
        if self._store is not None:
            at = snapshot.pool.taken_at if snapshot.pool is not None else snapshot.taken_at
            self._add(at, Kind.POOL, rows.pool_row(snapshot, self._mask))

    def add_probe(self, probe: ProbeSample) -> None:
        self._add(probe.taken_at, Kind.PROBE, rows.probe_row(probe))

    def add_checks(self, at: float, results: tuple[CheckResult, ...],
                   hops: tuple[Hop, ...]) -> None:
        if self._store is not None:
            self._add(at, Kind.CHECKS, rows.checks_row(results, self._mask))
            self._add(at, Kind.HOPS, rows.hops_row(hops, self._mask))

    def add_entries(self, entries: list[LogEntry]) -> None:
        if self._store is not None:
            for entry in entries:
                self._add(entry.timestamp or time.time(), Kind.SIGNATURE,
                          rows.signature_row(entry))

    def add_fix(self, at: float, command: str, exit_code: int | None) -> None:
        self._add(at, Kind.FIX, {"command": self._mask(command), "exit_code": exit_code})

    def add_mark(self, at: float) -> None:
        self._add(at, Kind.MARK, {})

"""The one place observations are written: off until started, then each one goes to the file.

The tape subscribes to the monitor's stream, so `authlib-tui record` and the
app's record toggle write the same rows from the same observations, and a
recording made either way replays the same. Observing only queues a row (cheap,
any thread); `flush` writes the queue in one transaction and belongs in a worker
thread. Starting, stopping and flushing are serialised, so a toggle pressed twice
opens one file and no flush touches a file that `stop` closed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.password_mask import mask_passwords
from tui.core.recording import observations as rows
from tui.core.recording.observations import Kind

if TYPE_CHECKING:  # the app builds a Tape before its first frame; the rest waits for `start`
    from tui.core.installation import Installation
    from tui.core.monitor.observations import Observation
    from tui.core.recording.store import RecordingStore


def default_recordings_dir() -> Path:
    """`$XDG_STATE_HOME/authlib-tui/recordings` (where the app's R key writes)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "authlib-tui" / "recordings"


class Tape:
    def __init__(self) -> None:
        self._store: RecordingStore | None = None
        self.started_at: float | None = None
        self._installation: Installation | None = None
        self._lock = threading.Lock()  # start, stop and flush: one at a time

    @property
    def recording(self) -> Path | None:
        store = self._store
        return store.path if store is not None else None

    def start(self, path: Path, installation: Installation, **meta: str) -> Path:
        """Open `path` (a new file) and describe the recording; a running recording is kept.

        Returns the file being recorded to: `path`, or the one already open.
        """
        import socket

        from tui.core.checks.output import package_version
        from tui.core.recording.store import RecordingStore

        with self._lock:
            if self._store is not None:
                return self._store.path
            store = RecordingStore(path)
            store.set_meta(host=socket.gethostname(), version=package_version(),
                           started=str(time.time()),
                           platform=installation.discovery.platform.value,
                           probe_address=installation.settings.probe_address.value, **meta)
            self._store, self._installation = store, installation
            self.started_at = time.time()
            return path

    def stop(self) -> Path | None:
        with self._lock:
            store, self._store = self._store, None
            self.started_at = None
            if store is None:
                return None
            store.set_meta(ended=str(time.time()))
            store.close()
            return store.path

    def toggle(self, new_path: Callable[[], Path], installation: Installation,
               **meta: str) -> tuple[Path | None, Path | None]:
        """Stop a running recording or start one: (now recording to, saved), decided atomically."""
        with self._lock:
            running = self._store is not None
        if running:
            return None, self.stop()
        from tui.core.safe_files import ensure_private_dir

        path = new_path()
        ensure_private_dir(path.parent)  # never made through a link someone planted
        return self.start(path, installation, **meta), None

    def flush(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.flush()

    # -- the stream's subscriber -----------------------------------------------------------------
    def _mask(self, text: str) -> str:
        return mask_passwords(text)

    def _add(self, at: float, kind: str, data: dict[str, object] | None) -> None:
        store = self._store
        if store is not None and data is not None:
            store.add(at, kind, data)

    def observe(self, observation: Observation) -> None:
        """Queue the rows for one observation, while recording (a no-op otherwise)."""
        if self._store is None:
            return
        from tui.core.monitor.observations import (
            ChecksRan,
            FixRan,
            IncidentMarked,
            LogBatch,
            PoolSampled,
            ProbeRan,
        )

        if isinstance(observation, LogBatch):
            if observation.backfill:
                return  # a recording starts now: the last hour's lines are not news in it
            for hit in observation.hits:
                self._add(hit.at, Kind.SIGNATURE, rows.signature_row(hit))
        elif isinstance(observation, PoolSampled):
            if observation.snapshot is not None:
                self._add(observation.at, Kind.POOL,
                          rows.pool_row(observation.snapshot, self._mask))
        elif isinstance(observation, ProbeRan):
            self._add(observation.probe.taken_at, Kind.PROBE, rows.probe_row(observation.probe))
        elif isinstance(observation, ChecksRan):
            self._add(observation.at, Kind.CHECKS, rows.checks_row(observation.results,
                                                                   self._mask))
            self._add(observation.at, Kind.HOPS, rows.hops_row(observation.hops, self._mask))
        elif isinstance(observation, FixRan):
            self._add(observation.at, Kind.FIX, {"command": self._mask(observation.command),
                                                 "exit_code": observation.exit_code})
        elif isinstance(observation, IncidentMarked):
            self._add(observation.at, Kind.MARK, {})

"""`authlib-tui record`: sample at 1 Hz, run the checks every few seconds, follow the log, store.

The same samplers and checks as the panes; every string stored has been through
the same masking as the screen (and the installation's secrets are replaced
again), so a recording can be shared or shipped with a training scenario.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, run_checks
from tui.core.checks.incident_note import mask_known_secrets
from tui.core.checks.output import package_version
from tui.core.installation import Installation
from tui.core.logs.entry import LogEntry
from tui.core.logs.log_reader import open_sources
from tui.core.recording.store import RecordingStore
from tui.core.workers.sampler import WorkersSampler
from tui.core.xray import build_hops

CHECK_EVERY = 5.0  # seconds between runs of the checks (the x-ray's schedule)


class Recorder:
    def __init__(self, installation: Installation, store: RecordingStore,
                 interval: float = 1.0, check_every: float = CHECK_EVERY) -> None:
        self.installation = installation
        self.store = store
        self.interval = interval
        self.check_every = check_every
        self.sampler = WorkersSampler(installation)
        self._stop = threading.Event()

    def _masked(self, text: str) -> str:
        return mask_known_secrets(text, self.installation)

    def _on_entries(self, entries: list[LogEntry]) -> None:
        self.sampler.deferrals.add(entries)
        for entry in entries:
            if entry.signature is not None:
                self.store.add(entry.timestamp or time.time(), "signature", {
                    "id": entry.signature.id, "severity": entry.signature.severity.value,
                    "kind": entry.kind.value, "step": entry.signature.wizard_step,
                })

    def _follow_log(self) -> None:
        sources = open_sources(self.installation)
        try:
            sources.follow(self._on_entries, lambda _event: None, self._stop)
        finally:
            sources.close()

    def sample_once(self) -> None:
        pool = self.sampler.sample_pool()
        self.store.add(pool.taken_at, "pool", {
            "configured": pool.configured, "alive": pool.alive, "busy": pool.busy,
            "queued": pool.queued, "backlog": pool.backlog, "listening": pool.listening,
        })
        probe = self.sampler.probe()
        if probe is not None:
            self.store.add(probe.taken_at, "probe", {
                "outcome": probe.outcome.value if probe.outcome else None,
                "latency": round(probe.latency, 6), "skipped": probe.skipped,
            })

    def check_once(self) -> None:
        now = time.time()
        context = CheckContext(self.installation.refreshed(), timeout=3.0)
        results = tuple(run_checks(context, ALL_CHECKS))
        hops = build_hops(results, context, self.sampler.deferrals, now)
        self.store.add(now, "hops", {hop.id: {"state": hop.state.value, "word": hop.word,
                                              "detail": self._masked(hop.detail)}
                                     for hop in hops})
        self.store.add(now, "checks", {r.id: {"status": r.status.value,
                                              "finding": self._masked(r.finding)}
                                       for r in results})

    def run(self, duration: float) -> None:
        self.store.set_meta(host=socket.gethostname(), version=package_version(),
                            started=str(time.time()), interval=str(self.interval))
        follower = threading.Thread(target=self._follow_log, name="record-log", daemon=True)
        follower.start()
        started = time.monotonic()
        next_check = started
        try:
            while time.monotonic() - started < duration and not self._stop.is_set():
                tick = time.monotonic()
                self.sample_once()
                if tick >= next_check:
                    self.check_once()
                    next_check = tick + self.check_every
                self.store.flush()
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - tick)))
        finally:
            self._stop.set()
            follower.join(timeout=5)
            self.sampler.close()
            self.store.set_meta(ended=str(time.time()))
            self.store.flush()

    def stop(self) -> None:
        self._stop.set()


def record(installation: Installation, path: Path, duration: float,
           interval: float = 1.0) -> None:
    store = RecordingStore(path)
    try:
        Recorder(installation, store, interval).run(duration)
    finally:
        store.close()

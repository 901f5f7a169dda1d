"""`authlib-tui record`: sample at 1 Hz, run the checks every few seconds, follow the log, store.

The same samplers and checks as the panes; every string stored has been through
the same masking as the screen (and the installation's secrets are replaced
again), so a recording can be shared or shipped with a training scenario.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, run_checks
from tui.core.installation import Installation
from tui.core.logs.entry import LogEntry
from tui.core.logs.log_reader import open_sources
from tui.core.recording.tape import Tape
from tui.core.workers.sampler import WorkersSampler
from tui.core.xray import Hop, build_hops

CHECK_EVERY = 5.0  # seconds between runs of the checks (the x-ray's schedule)


class Recorder:
    def __init__(self, installation: Installation, tape: Tape, interval: float = 1.0,
                 check_every: float = CHECK_EVERY,
                 on_hops: Callable[[float, tuple[Hop, ...]], None] | None = None) -> None:
        self.installation = installation
        self.tape = tape
        self.interval = interval
        self.check_every = check_every
        self.on_hops = on_hops  # what was seen live, for whoever wants to compare with a replay
        self.sampler = WorkersSampler(installation)
        self._stop = threading.Event()

    def _on_entries(self, entries: list[LogEntry]) -> None:
        self.sampler.deferrals.add(entries)
        self.tape.add_entries(entries)

    def _follow_log(self) -> None:
        sources = open_sources(self.installation)
        try:
            sources.follow(self._on_entries, lambda _event: None, self._stop)
        finally:
            sources.close()

    def sample_once(self) -> None:
        self.sampler.sample_pool()
        self.tape.add_pool(self.sampler.snapshot())
        probe = self.sampler.probe()
        if probe is not None:
            self.tape.add_probe(probe)

    def check_once(self) -> None:
        now = time.time()
        context = CheckContext(self.installation.refreshed(), timeout=3.0)
        results = tuple(run_checks(context, ALL_CHECKS))
        hops = build_hops(results, context, self.sampler.deferrals, now)
        self.tape.add_checks(now, results, hops)
        if self.on_hops is not None:
            self.on_hops(now, hops)

    def run(self, duration: float) -> None:
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
                self.tape.flush()
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - tick)))
        finally:
            self._stop.set()
            follower.join(timeout=5)
            self.sampler.close()
            self.tape.flush()

    def stop(self) -> None:
        self._stop.set()


def record(installation: Installation, path: Path, duration: float, interval: float = 1.0,
           check_every: float = CHECK_EVERY,
           on_hops: Callable[[float, tuple[Hop, ...]], None] | None = None) -> None:
    tape = Tape()
    tape.start(path, installation, interval=str(interval), check_every=str(check_every))
    try:
        Recorder(installation, tape, interval, check_every, on_hops).run(duration)
    finally:
        tape.stop()

"""`authlib-tui record`: the app's monitor, headless, with a tape as its subscriber.

The same loops and schedule as the app (pool and probe every `interval`, the checks
every `check_every`, the log followed); every string stored has been through the
same masking as the screen (and the installation's secrets are replaced again), so
a recording can be shared or shipped with a training scenario.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tui.core.installation import Installation
from tui.core.monitor.monitor import Monitor
from tui.core.monitor.observations import ChecksRan, Observation
from tui.core.monitor.stream import ObservationStream, counting_logs
from tui.core.recording.tape import Tape
from tui.core.xray import Hop

CHECK_EVERY = 5.0  # seconds between runs of the checks (the x-ray's schedule)


def record(installation: Installation, path: Path, duration: float, interval: float = 1.0,
           check_every: float = CHECK_EVERY,
           on_hops: Callable[[float, tuple[Hop, ...]], None] | None = None,
           stop: threading.Event | None = None) -> None:
    """Record for `duration` seconds, or until `stop` is set; `on_hops` sees each x-ray live."""
    tape = Tape()
    tape.start(path, installation, interval=str(interval), check_every=str(check_every))
    stream = ObservationStream()
    stream.subscribe(tape.observe)
    if on_hops is not None:
        def hops_seen(observation: Observation) -> None:
            if isinstance(observation, ChecksRan):
                on_hops(observation.at, observation.hops)

        stream.subscribe(hops_seen)
    # No backfill: a recording starts now (the tape skips backfilled lines anyway).
    monitor = Monitor(installation, stream, health_interval=check_every,
                      sample_interval=interval, backfill_lines=0)
    stream.subscribe(counting_logs(monitor.counts))
    try:
        monitor.run_for(duration, tape.flush, interval, stop)
    finally:
        tape.stop()

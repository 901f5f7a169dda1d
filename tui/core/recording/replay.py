"""A recording read back: what every pane showed as of a moment (the replay's cursor).

The whole file is loaded once (an hour at 1 Hz is a few thousand rows); every
question is then a bisect. The state as of a moment is the last observation at
or before it, the Workers pane's window is rebuilt from the samples in the five
minutes before it, and the timeline is replayed from the recording's start, so
it scrolls back that far. The file is untrusted input: `reader.py` checks it whole
before a row is believed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.recording import observations as rows
from tui.core.recording.observations import Kind
from tui.core.recording.reader import READ_BUDGET_SECONDS, read_recording
from tui.core.recording.reader import RecordingError as RecordingError
from tui.core.recording.store import Observation
from tui.core.timeline import Timeline
from tui.core.workers.history import WINDOW_SECONDS, WorkersHistory
from tui.core.workers.sampler import WorkersSnapshot
from tui.core.xray import Hop

# A hop sample older than this, as of the cursor, shows as stale (as the live x-ray does).
STALE_AFTER_CHECKS = 3  # times the recording's check interval


@dataclass
class Recording:
    path: Path
    meta: dict[str, str]
    observations: list[Observation]
    _times: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _of_kind: dict[str, list[Observation]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.observations.sort(key=lambda o: o.at)
        for observation in self.observations:
            self._of_kind.setdefault(observation.kind, []).append(observation)
        self._times = {kind: [o.at for o in items] for kind, items in self._of_kind.items()}
        self._all_times = sorted({o.at for o in self.observations})

    @classmethod
    def load(cls, path: Path, budget_seconds: float = READ_BUDGET_SECONDS) -> Recording:
        """The recording at `path`; RecordingError (one sentence, terminal-safe) if it is not."""
        meta, observations = read_recording(path, budget_seconds)
        if not observations:
            raise RecordingError(f"{path}: the recording is empty")
        return cls(path, meta, observations)

    # -- the axis ---------------------------------------------------------------------------
    @property
    def start(self) -> float:
        return self._all_times[0]

    @property
    def end(self) -> float:
        return self._all_times[-1]

    @property
    def first_check(self) -> float:
        """When the checks first ran (the x-ray's first state); the start without any."""
        hops = self._times.get(Kind.HOPS)
        return hops[0] if hops else self.start

    def next_moment(self, moment: float) -> float:
        """The next moment anything was observed (the end when nothing follows)."""
        index = bisect.bisect_right(self._all_times, moment)
        return self._all_times[min(index, len(self._all_times) - 1)]

    def previous_moment(self, moment: float) -> float:
        index = bisect.bisect_left(self._all_times, moment) - 1
        return self._all_times[max(index, 0)]

    @property
    def check_every(self) -> float:
        try:
            return float(self.meta.get("check_every", "5"))
        except ValueError:
            return 5.0

    # -- state as of a moment -----------------------------------------------------------------
    def latest(self, kind: str, moment: float) -> Observation | None:
        times = self._times.get(kind, [])
        index = bisect.bisect_right(times, moment)
        return self._of_kind[kind][index - 1] if index else None

    def between(self, kind: str, start: float, end: float) -> list[Observation]:
        times = self._times.get(kind, [])
        return self._of_kind.get(kind, [])[bisect.bisect_left(times, start):
                                            bisect.bisect_right(times, end)]

    def hops_at(self, moment: float) -> tuple[Hop, ...] | None:
        """The x-ray as of `moment`; None before the first run of the checks."""
        observation = self.latest(Kind.HOPS, moment)
        if observation is None:
            return None
        checks = self.latest(Kind.CHECKS, observation.at)
        results = rows.check_results(checks.data) if checks is not None else {}
        hops = rows.hops(observation.data, results)
        if moment - observation.at <= STALE_AFTER_CHECKS * self.check_every:
            return hops
        return tuple(hop.stale() for hop in hops)

    def workers_at(self, moment: float) -> WorkersSnapshot | None:
        """The Workers pane as of `moment`: the recorded verdict and the window before it."""
        latest = self.latest(Kind.POOL, moment)
        if latest is None:
            return None
        history = WorkersHistory(WINDOW_SECONDS)
        start = moment - WINDOW_SECONDS
        for observation in self.between(Kind.POOL, start, moment):
            sample = rows.pool_sample(observation.at, observation.data)
            if sample is not None:
                history.add_pool(sample)
        probes = [rows.probe_sample(o.at, o.data) for o in self.between(Kind.PROBE, start, moment)]
        for probe in probes:
            history.add_probe(probe)
        queue, busy, latency = history.series()
        deferrals = latest.data.get("deferrals", [])
        return WorkersSnapshot(
            taken_at=latest.at,
            pool=rows.pool_sample(latest.at, latest.data),
            stats=history.latency_stats(),
            last_probe=probes[-1] if probes else None,
            sessions=None,
            deferrals=tuple((int(p[0]), int(p[1])) for p in
                            (deferrals if isinstance(deferrals, list) else [])
                            if isinstance(p, list) and len(p) == 2),
            queue_series=tuple(queue), busy_series=tuple(busy), latency_series=tuple(latency),
            verdict=rows.verdict(latest.data),
        )

    def signatures_until(self, moment: float, limit: int = 500) -> list[Observation]:
        """The log's signature hits up to `moment`, oldest first, the last `limit` of them."""
        hits = self.between(Kind.SIGNATURE, float("-inf"), moment)
        return hits[-limit:]

    def timeline_until(self, moment: float) -> Timeline:
        """The incident timeline as it stood at `moment`, from the recording's start."""
        timeline = Timeline(max_events=len(self.observations) + 1)
        for recorded in self.observations:
            if recorded.at > moment:
                break
            observation = rows.observation(recorded.at, recorded.kind, recorded.data)
            if observation is not None:
                timeline.observe(observation)
        return timeline

"""The facts the monitor publishes: one type per kind of observation.

Every subscriber (timeline, recording, per-minute counts, the app's panes) gets
the same objects, and the replay rebuilds them from a recording, so each fact is
interpreted by one piece of code whether it is live or replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the app imports this before its first frame; the types are for mypy
    from tui.core.checks.result import CheckResult
    from tui.core.health import HealthSnapshot
    from tui.core.logs.entry import LogEntry
    from tui.core.postfix.bounces import BounceReport
    from tui.core.postfix.queue import QueueSnapshot
    from tui.core.workers.pool import PoolSample
    from tui.core.workers.probe import ProbeSample
    from tui.core.workers.sampler import WorkersSnapshot
    from tui.core.xray import Hop


@dataclass(frozen=True, slots=True)
class SignatureHit:
    """A log line with a known meaning: what the timeline and the recording keep of it."""

    at: float
    signature_id: str
    severity: str  # info, warning, error
    short: str
    step: str  # the wizard step that deals with it
    kind: str  # auth or delivery

    @classmethod
    def of(cls, entry: LogEntry, now: float) -> SignatureHit | None:
        signature = entry.signature
        if signature is None:
            return None
        return cls(entry.timestamp or now, signature.id, signature.severity.value,
                   signature.short or signature.meaning, signature.wizard_step,
                   entry.kind.value)


@dataclass(frozen=True, slots=True)
class LogBatch:
    """Lines read from the log (backfill or follow) and the signature hits among them."""

    entries: tuple[LogEntry, ...]
    hits: tuple[SignatureHit, ...]
    backfill: bool = False

    @classmethod
    def of(cls, entries: list[LogEntry], now: float, backfill: bool = False) -> LogBatch:
        hits = tuple(hit for hit in (SignatureHit.of(entry, now) for entry in entries)
                     if hit is not None)
        return cls(tuple(entries), hits, backfill)


@dataclass(frozen=True, slots=True)
class LogSource:
    """What the log follower reads (or a change to it: rotation, truncation, a gap)."""

    text: str
    event: str = ""  # "" for the description itself


@dataclass(frozen=True, slots=True)
class HealthSampled:
    """The health strip's cells from one sample."""

    snapshot: HealthSnapshot


@dataclass(frozen=True, slots=True)
class ChecksRan:
    """One run of every check, and the x-ray's hops built from it."""

    at: float
    results: tuple[CheckResult, ...]
    hops: tuple[Hop, ...]


@dataclass(frozen=True, slots=True)
class QueueSampled:
    """The mail Postfix holds for the chain, and what maildrop bounced in the last hour.

    Both are None, with `note` saying why, where there is no Postfix to look at.
    """

    at: float
    queue: QueueSnapshot | None
    bounces: BounceReport | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class PoolSampled:
    """One look at the worker pool; `snapshot` is the Workers pane's whole picture.

    `peak` is the busiest the pool was seen since the previous published sample
    (the same sample when nothing busier was seen), so a burst between looks is kept.
    """

    at: float
    pool: PoolSample | None
    snapshot: WorkersSnapshot | None = None
    peak: PoolSample | None = None


@dataclass(frozen=True, slots=True)
class ProbeRan:
    """One probe lookup (or why it was skipped)."""

    probe: ProbeSample


@dataclass(frozen=True, slots=True)
class FixRan:
    """A fix command that ran, with its exit code (None: it did not finish)."""

    at: float
    command: str
    exit_code: int | None


@dataclass(frozen=True, slots=True)
class IncidentMarked:
    """The admin said "the incident began now"."""

    at: float


@dataclass(frozen=True, slots=True)
class ComponentFailed:
    """A sampler raised: its pane or cell shows `sentence` as stale until it samples again."""

    component: str  # logs, pool, probe, sessions, health
    sentence: str
    at: float = field(default=0.0)


@dataclass(frozen=True, slots=True)
class ComponentRecovered:
    """A sampler that had failed produced a sample again."""

    component: str


Observation = (LogBatch | LogSource | HealthSampled | ChecksRan | QueueSampled | PoolSampled
               | ProbeRan | FixRan | IncidentMarked | ComponentFailed | ComponentRecovered)

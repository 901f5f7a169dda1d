"""Recording overhead: an hour of 1 Hz observations written to SQLite, against not writing them.

No lab is needed: the observations are built from the objects the samplers and
checks produce (a pool sample with its verdict and a probe every second, the
checks and the x-ray's hops every 5 s, a log signature hit every 10 s) and turned
into rows by the same functions the recorder uses (`tui.core.recording.observations`).
Each second's rows are flushed like the recorder does. Measured: the file's size
for one hour and the CPU time of building + storing them, against building the
same objects without recording (the sampling itself is bench/workers.py's
business). Asserts nothing.

    .venv/bin/python bench/record.py [HOURS]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.diagnosis import ALL_CHECKS
from tui.core.checks.result import CheckResult, Status
from tui.core.logs.catalogue.registry import SIGNATURES_BY_ID
from tui.core.logs.entry import LogEntry
from tui.core.logs.kind import Kind as LineKind
from tui.core.monitor.observations import SignatureHit
from tui.core.recording import observations as rows
from tui.core.recording.observations import Kind
from tui.core.recording.store import RecordingStore
from tui.core.workers.history import LatencyStats
from tui.core.workers.pool import PoolSample
from tui.core.workers.probe import ProbeSample
from tui.core.workers.sampler import WorkersSnapshot
from tui.core.workers.verdict import PoolState, Verdict
from tui.core.xray import HOPS, Hop, HopState

FINDING = "authpgsqlrc's password is wrong: every lookup is a temporary failure (…)"
STATS = LatencyStats(300, 0.0012, 0.011, 0.02, 0, 0, 0, 0)
SERIES = tuple(float(i % 3) for i in range(300))


def unmasked(text: str) -> str:
    return text


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def observations(at: float, second: int) -> list[tuple[str, dict[str, object] | None]]:
    """One second's observations, as the recorder makes them: objects first, then rows."""
    pool = PoolSample(at, 2, 2, second % 3 // 2, 0, 4096, (101, 102), (), True,
                      worker_started=((101, at - 3600), (102, at - 3600)))
    snapshot = WorkersSnapshot(at, pool, STATS, None, None, ((0, 0),) * 5, SERIES, SERIES,
                               SERIES, Verdict(PoolState.IDLE, "Idle: 0/2 workers busy, 0 queued"))
    probe = ProbeSample(at, Outcome.NOT_FOUND, 0.001234)
    made: list[tuple[str, dict[str, object] | None]] = [
        (Kind.POOL, rows.pool_row(snapshot, unmasked)),
        (Kind.PROBE, rows.probe_row(probe)),
    ]
    if second % 5 == 0:
        results = tuple(CheckResult(check.id, check.id, Status.OK, FINDING)
                        for check in ALL_CHECKS)
        hops = tuple(Hop(spec.id, spec.title, HopState.OK, "ok", FINDING, 1.2, at, ())
                     for spec in HOPS)
        made.append((Kind.CHECKS, rows.checks_row(results, unmasked)))
        made.append((Kind.HOPS, rows.hops_row(hops, unmasked)))
    if second % 10 == 0:
        entry = LogEntry(at, "journal", LineKind.AUTH, 3, "authdaemond", 100, FINDING,
                         SIGNATURES_BY_ID["db-password-wrong"], None, None, len(FINDING))
        hit = SignatureHit.of(entry, at)
        assert hit is not None
        made.append((Kind.SIGNATURE, rows.signature_row(hit)))
    return made


def run(seconds: int, store: RecordingStore | None) -> float:
    started = cpu()
    base = time.time()
    for second in range(seconds):
        for kind, data in observations(base + second, second):
            if store is not None and data is not None:
                store.add(base + second, kind, data)
        if store is not None:
            store.flush()
    return cpu() - started


def main(hours: float) -> None:
    seconds = int(hours * 3600)
    with tempfile.TemporaryDirectory(prefix="authlib-tui-bench-") as directory:
        path = Path(directory) / "recording.sqlite"
        without = run(seconds, None)
        store = RecordingStore(path)
        try:
            with_store = run(seconds, store)
        finally:
            store.close()
        size = path.stat().st_size
    per_hour = size / hours / 1024 / 1024
    print(f"record: {seconds:,} s of 1 Hz observations ({hours:g} h), flushed every second")
    print(f"  file size          {per_hour:8.2f} MiB per hour")
    print(f"  CPU building only  {without:8.3f} s")
    print(f"  CPU with SQLite    {with_store:8.3f} s   (+{with_store - without:.3f} s, "
          f"{(with_store - without) / seconds * 1000:.3f} ms per second recorded = "
          f"{(with_store - without) / seconds * 100:.3f} % of one core)")
    print(f"  ratio with / without: {with_store / max(without, 1e-9):.1f}x")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)

"""Recording overhead: an hour of 1 Hz observations written to SQLite, against not writing them.

No lab is needed: the observations are the ones `authlib-tui record` writes (a pool
sample and a probe every second, hops and checks every 5 s, a log signature hit
every 10 s), built with the same shapes and sizes. Each second's rows are
flushed like the recorder does. Measured: the file's size for one hour and the CPU
time of building + storing them, against building them without storing (the
sampling itself is bench/workers.py's business). Asserts nothing.

    .venv/bin/python bench/record.py [HOURS]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from tui.core.checks.diagnosis import ALL_CHECKS
from tui.core.recording.store import RecordingStore
from tui.core.xray import HOPS

FINDING = "authpgsqlrc's password is wrong: every lookup is a temporary failure (…)"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def observations(second: int) -> list[tuple[str, dict[str, object]]]:
    rows: list[tuple[str, dict[str, object]]] = [
        ("pool", {"configured": 2, "alive": 2, "busy": second % 3 // 2, "queued": 0,
                  "backlog": 4096, "listening": True}),
        ("probe", {"outcome": "not-found", "latency": 0.001234, "skipped": ""}),
    ]
    if second % 5 == 0:
        rows.append(("hops", {hop.id: {"state": "ok", "word": "ok", "detail": FINDING}
                              for hop in HOPS}))
        rows.append(("checks", {check.__name__: {"status": "ok", "finding": FINDING}
                                for check in ALL_CHECKS}))
    if second % 10 == 0:
        rows.append(("signature", {"id": "db-password-wrong", "severity": "error",
                                   "kind": "auth", "step": "db-credentials"}))
    return rows


def run(seconds: int, store: RecordingStore | None) -> float:
    started = cpu()
    base = time.time()
    for second in range(seconds):
        for kind, data in observations(second):
            if store is not None:
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

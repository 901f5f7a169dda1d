"""Memory over a simulated hour: the app following a busy log and sampling at 1 Hz.

The app runs headless in this process with the Logs pane open, its monitor
started as usual (health loop, log follower on an empty file). A feeder thread
publishes an hour of observations on the app's stream, `--speed` times faster
than real time, with simulated timestamps (so the per-minute counts, the
timeline and the views see an hour go by): every simulated second `--shown`
log entries the Logs pane shows (the logs bench's mix of authdaemond and
maildrop delivery lines, parsed and classified once, then re-stamped each
second), a pool sample with the Workers pane's snapshot and a probe (1 Hz), and
the checks with the x-ray's hops every 5 s. Each observation goes through every
subscriber (inbox, per-minute counts, timeline, the app's messages), as the
monitor's would.

Measured: this process's USS and PSS (/proc/self/smaps_rollup) at each
simulated minute, printed every 5 minutes, and the change and the range from
minute 20 (the views and the inbox are long full, the allocator has settled) to
the end: "flat" when the range is within FLAT_MIB. Re-stamped entries share their
message text, so the absolute numbers are a little below a real log's; the slope is
what this measures. Asserts nothing.

    .venv/bin/python bench/hour.py [--minutes 60] [--speed 30] [--shown 500]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.logs.entry import LogEntry

sys.path.insert(0, str(Path(__file__).parent))

from logs import HOST, mail_lines, memory_kib, mib, syslog_stamp

BENCH_DIR = Path("/var/tmp")
SIZE = (100, 30)
FLAT_MIB = 2.0
SETTLED_MINUTE = 20  # the views and counters are full, the allocator settled


def shown_entries(count: int) -> list[LogEntry]:
    """`count` entries of the mix that the Logs pane shows (parsed and classified once)."""
    from tui.core.log_sources.log_reader import SHOWN_KINDS
    from tui.core.logs.entry import build_entry
    from tui.core.logs.syslog_line import parse_syslog_line

    entries = []
    for text, _error in mail_lines(random.Random(7), count * 6):
        line = parse_syslog_line(f"{syslog_stamp(time.time())} {HOST} {text}")
        if line is None:
            continue
        entry = build_entry(message=line.message, tag=line.tag, source="bench",
                            timestamp=line.timestamp, pid=line.pid, cursor=None)
        if entry.kind in SHOWN_KINDS:
            entries.append(entry)
        if len(entries) == count:
            break
    return entries


def workers_observations(at: float, second: int) -> list[object]:
    """A pool sample with its snapshot and a probe; the checks and hops every 5 s."""
    from tui.core.authdaemon.outcome import Outcome
    from tui.core.checks.diagnosis import ALL_CHECKS
    from tui.core.checks.result import CheckResult, Status
    from tui.core.monitor.observations import ChecksRan, PoolSampled, ProbeRan
    from tui.core.workers.history import LatencyStats
    from tui.core.workers.pool import PoolSample
    from tui.core.workers.probe import ProbeSample
    from tui.core.workers.sampler import WorkersSnapshot
    from tui.core.workers.verdict import PoolState, Verdict
    from tui.core.xray import HOPS, Hop, HopState

    series = tuple(float((second + i) % 3) for i in range(300))
    pool = PoolSample(at, 2, 2, second % 3 // 2, 0, 4096, (101, 102), (), True,
                      worker_started=((101, at - 3600), (102, at - 3600)))
    probe = ProbeSample(at, Outcome.NOT_FOUND, 0.001 + (second % 7) / 10000)
    stats = LatencyStats(300, 0.0012, 0.011, 0.02, 0, 0, 0, 0)
    snapshot = WorkersSnapshot(at, pool, stats, probe, None, ((0, 0),) * 5, series, series,
                               series, Verdict(PoolState.IDLE, "Idle: 0/2 workers busy"))
    made: list[object] = [PoolSampled(at, pool, snapshot), ProbeRan(probe)]
    if second % 5 == 0:
        status = Status.FAIL if second % 600 < 60 else Status.OK  # a minute of failure per 10
        results = tuple(CheckResult(check.id, check.id, status,
                                    f"{check.id} at second {second}")
                        for check in ALL_CHECKS)
        hops = tuple(Hop(spec.id, spec.title, HopState.OK, "ok", f"second {second}", 1.2, at, ())
                     for spec in HOPS)
        made.append(ChecksRan(at, results, hops))
    return made


def feed(app: object, minutes: int, speed: float, shown: int,
         uss: list[dict[str, int]], done: threading.Event) -> None:
    """Publish the simulated hour on the app's stream, paced to `speed` x real time."""
    from tui.core.monitor.observations import LogBatch

    pool = shown_entries(shown)
    stream = app.stream  # type: ignore[attr-defined]
    base = time.time() - minutes * 60  # the hour just past, ending now
    started = time.monotonic()
    try:
        for second in range(minutes * 60):
            at = base + second
            entries = [dataclasses.replace(entry, timestamp=at) for entry in pool]
            stream.publish(LogBatch.of(entries, at))
            for observation in workers_observations(at, second):
                stream.publish(observation)
            if second % 60 == 59:
                uss.append(memory_kib())
            delay = started + (second + 1) / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    finally:
        done.set()


async def run(minutes: int, speed: float, shown: int) -> None:
    from tui.app.app import AuthlibApp
    from tui.app.widgets.log_view import LogView
    from tui.core.installation import Installation

    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-bench-", dir=BENCH_DIR))
    try:
        log = directory / "maillog"
        log.write_text("")
        app = AuthlibApp(Installation.from_flags(
            {"log_files": [str(log)], "socket": "/nonexistent/socket"}))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 15
            while not app.query(LogView) and loop.time() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(2.0)  # the monitor's first health run, the follower's imports
            start = memory_kib()
            uss: list[dict[str, int]] = []
            done = threading.Event()
            thread = threading.Thread(target=feed, args=(app, minutes, speed, shown, uss, done),
                                      name="bench-feeder", daemon=True)
            began = loop.time()
            thread.start()
            while not done.is_set():
                await asyncio.sleep(0.1)
            real = loop.time() - began
            await asyncio.sleep(1.0)  # the last flushes reach the view
            end = memory_kib()
            in_view = len(app.query_one(LogView).entries)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(f"hour: {minutes} simulated minutes in {real:.0f} s ({minutes * 60 / real:.0f}x real "
          f"time); {shown} shown log entries per simulated second "
          f"({shown * minutes * 60:,} in all), pool + probe at 1 Hz, checks every 5 s; "
          f"app headless {SIZE[0]}x{SIZE[1]}, Logs pane open ({in_view:,} entries in its view)")
    print(f"  start (app ready)      USS {mib(start['uss'])}   PSS {mib(start['pss'])}")
    for minute, sample in enumerate(uss, start=1):
        if minute % 5 == 0 or minute == len(uss):
            print(f"  simulated minute {minute:3d}   USS {mib(sample['uss'])}   "
                  f"PSS {mib(sample['pss'])}")
    print(f"  end (1 s later)        USS {mib(end['uss'])}   PSS {mib(end['pss'])}")
    if len(uss) > SETTLED_MINUTE:
        settled = [sample["uss"] for sample in uss[SETTLED_MINUTE - 1:]] + [end["uss"]]
        spread = (max(settled) - min(settled)) / 1024
        change = (end["uss"] - settled[0]) / 1024
        flat = spread <= FLAT_MIB
        print(f"USS from simulated minute {SETTLED_MINUTE} to the end: {change:+.1f} MiB, "
              f"range {spread:.1f} MiB ({'flat' if flat else 'NOT flat'}: within "
              f"{FLAT_MIB:g} MiB); from the start: {(end['uss'] - start['uss']) / 1024:+.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description="App memory over a simulated hour.")
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--speed", type=float, default=30.0,
                        help="simulated seconds per real second (default 30)")
    parser.add_argument("--shown", type=int, default=500,
                        help="log entries the pane shows, per simulated second (default 500)")
    args = parser.parse_args()
    asyncio.run(run(args.minutes, args.speed, args.shown))


if __name__ == "__main__":
    main()

"""Workers pane sampler: what it costs at 1 Hz, and what its probe does to other clients' lookups.

One lab, one run, two measurements on an idle healthy pool:

1. Overhead. The sampler is driven the way the pane drives it, once a second:
   `sample_pool()`, `probe()`, `sample_sessions()`, `snapshot()`. The pane runs
   them on three worker threads; here they run one after the other in the main
   thread, which costs the same CPU. The sampler's 5-minute window starts full
   (copies of the warm-up tick's samples), as in an app that has sampled for 5
   minutes. This process's CPU time is read with getrusage(RUSAGE_SELF), which
   counts every thread. Reported as CPU seconds per minute of sampling and as % of
   one core (target: under 0.5 %), with each call's median and max wall time.
   The server side is read from /proc/PID/stat (utime+stime, plus cutime+cstime
   so children that exit are not lost; clock ticks, usually 10 ms): the
   lab's authdaemond processes and its PostgreSQL cluster (postmaster and
   children, split into the workers' backends, the sampler's own session backend
   and the rest). The same numbers are taken over idle windows of the same
   length with no sampler, so the difference is the sampler's server cost; idle
   and sampling windows alternate (`--rounds` of each, `--seconds` in all for
   each kind), so PostgreSQL's periodic work (autovacuum launches, checkpoints)
   has an even chance to land in either.
2. Effect on other lookups. A separate client (`lab.client()`) looks up a real
   mailbox at `--rate` per second (jittered intervals, so the lookups do not lock
   into phase with the 1 Hz sampler) in alternating phases without and with a
   sampler thread running at 1 Hz (pool, probe, sessions, snapshot): A/B/A/B with
   `--rounds 2`, so drift hits both alike. The sampler thread shares this process
   (and its GIL) with the timed client, as it would in the app. Reports p50, p95
   and max per kind of phase and the ratios with / without; no target.

Prints numbers; asserts nothing.

    .venv/bin/python bench/workers.py [--seconds 60] [--phase-seconds S] [--rounds 2] [--rate 5]
    (root; starts and removes its own lab; --phase-seconds defaults to half of --seconds)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.authdaemon.client import AuthdaemonClient
    from tui.core.workers.sampler import WorkersSampler
    from tui.lab.lab import Lab

ADDRESS = "foo@domain.com"
TARGET_PERCENT = 0.5
CLOCK_TICK = 1.0 / os.sysconf("SC_CLK_TCK")
CALLS = ("sample_pool", "probe", "sample_sessions", "snapshot")
# A client backend's process title names its client: "postgres: role db 127.0.0.1(5432) idle".
_CLIENT_TITLE = re.compile(r"\(\d+\)|\[local\]")

GROUPS = (
    ("authdaemond", "authdaemond + courierlogger"),
    ("pg-workers", "PostgreSQL: the workers' backends"),
    ("pg-sampler", "PostgreSQL: the sampler's session"),
    ("pg-postmaster", "PostgreSQL: postmaster + exited children"),
    ("pg-other", "PostgreSQL: background processes"),
)


# -- CPU of the lab's processes, from /proc ----------------------------------------------------
def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 is the state)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime + cutime + cstime: the process and the children it has reaped."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return sum(int(value) for value in fields[11:15]) * CLOCK_TICK


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def postgres_processes(lab: Lab, sampler_backends: frozenset[int]) -> dict[int, str]:
    """The lab cluster's postmaster and its children, by group (see GROUPS)."""
    postmaster = lab.pg.postmaster_pid()
    if postmaster is None:
        return {}
    found = {postmaster: "pg-postmaster"}  # its cutime: autovacuum workers, ended backends
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or int(fields[1]) != postmaster:
            continue
        pid = int(entry.name)
        if pid in sampler_backends:
            found[pid] = "pg-sampler"
        elif _CLIENT_TITLE.search(_title(pid)):
            found[pid] = "pg-workers"
        else:
            found[pid] = "pg-other"
    return found


def client_backends(lab: Lab) -> frozenset[int]:
    return frozenset(pid for pid, group in postgres_processes(lab, frozenset()).items()
                     if group == "pg-workers")


@dataclass
class ServerCpu:
    """CPU seconds of the lab's processes by group at one moment, and how many processes."""

    seconds: dict[str, float] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, lab: Lab, sampler_backends: frozenset[int]) -> ServerCpu:
        groups = {pid: "authdaemond" for pid in lab.daemon_pids()}
        groups.update(postgres_processes(lab, sampler_backends))
        reading = cls({name: 0.0 for name, _ in GROUPS}, {name: 0 for name, _ in GROUPS})
        for pid, group in groups.items():
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                reading.seconds[group] += cpu
                reading.processes[group] += 1
        return reading

    def minus(self, start: ServerCpu) -> dict[str, float]:
        """CPU spent in between; a child that exited shows up in its parent's cutime."""
        return {name: self.seconds[name] - start.seconds[name] for name, _ in GROUPS}


def self_cpu() -> float:
    """User + system CPU of every thread of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- part 1: the sampler at 1 Hz ---------------------------------------------------------------
@dataclass
class Window:
    wall: float
    self_cpu: float
    server: dict[str, float]
    processes: dict[str, int]
    timings: dict[str, list[float]]  # ms per call

    @property
    def percent(self) -> float:
        return self.self_cpu / self.wall * 100

    def add(self, other: Window) -> Window:
        return Window(
            self.wall + other.wall, self.self_cpu + other.self_cpu,
            {name: self.server.get(name, 0.0) + value for name, value in other.server.items()},
            other.processes,
            {name: self.timings.get(name, []) + values for name, values in other.timings.items()},
        )


def tick(sampler: WorkersSampler, record: Callable[[str, float, float], None]) -> None:
    """One pane tick: the four calls in order, each timed (perf_counter start, end)."""
    calls: tuple[tuple[str, Callable[[], object]], ...] = (
        ("sample_pool", sampler.sample_pool), ("probe", sampler.probe),
        ("sample_sessions", sampler.sample_sessions), ("snapshot", sampler.snapshot),
    )
    for name, call in calls:
        started = time.perf_counter()
        call()
        record(name, started, time.perf_counter())


def measure_window(lab: Lab, seconds: int, sampler: WorkersSampler | None,
                   sampler_backends: frozenset[int]) -> Window:
    """`seconds` one-second ticks, sampling on each if `sampler` is given, else idle."""
    timings: dict[str, list[float]] = {name: [] for name in CALLS}

    def record(name: str, started: float, ended: float) -> None:
        timings[name].append((ended - started) * 1000)

    server_start = ServerCpu.read(lab, sampler_backends)  # outside the self-CPU window
    cpu_start, wall_start = self_cpu(), time.monotonic()
    for index in range(seconds):
        delay = wall_start + index - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if sampler is not None:
            tick(sampler, record)
    delay = wall_start + seconds - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    cpu_end, wall_end = self_cpu(), time.monotonic()
    server_end = ServerCpu.read(lab, sampler_backends)
    return Window(wall_end - wall_start, cpu_end - cpu_start, server_end.minus(server_start),
                  server_end.processes, timings)


def fill_window(sampler: WorkersSampler) -> None:
    """Start with the 5-minute window full, as in an app that has sampled that long: the
    snapshot's work grows with the window, so a short run on an empty one would flatter it.
    The window is filled with copies of the warm-up tick's real samples, one a second."""
    from dataclasses import replace

    pool, probe = sampler.history.latest_pool(), sampler.history.probes()[-1]
    assert pool is not None
    now = time.time()
    for age in range(int(sampler.history.window) - 1, 0, -1):
        sampler.history.add_pool(replace(pool, taken_at=now - age))
        sampler.history.add_probe(replace(probe, taken_at=now - age))


# -- part 2: another client's lookups without and with a sampler thread ---------------------
class SamplerThread:
    """The sampler at 1 Hz on its own thread, starting at a random offset into the second."""

    def __init__(self, sampler: WorkersSampler, rng: random.Random) -> None:
        self.sampler = sampler
        self.offset = rng.uniform(0.0, 1.0)
        self.busy: list[tuple[float, float]] = []  # perf_counter spans of every call
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def _record(self, _name: str, started: float, ended: float) -> None:
        self.busy.append((started, ended))

    def _run(self) -> None:
        next_tick = time.monotonic() + self.offset
        while not self._stop.wait(max(0.0, next_tick - time.monotonic())):
            tick(self.sampler, self._record)
            next_tick += 1.0

    def __enter__(self) -> SamplerThread:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Lookup:
    started: float  # perf_counter
    ms: float
    found: bool


def lookup_phase(client: AuthdaemonClient, seconds: float, rate: float,
                 rng: random.Random) -> list[Lookup]:
    """Lookups at `rate` per second on average, each interval 0.5-1.5x the mean."""
    lookups = []
    period = 1.0 / rate
    deadline = time.monotonic() + seconds
    next_at = time.monotonic()
    while next_at < deadline:
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        started = time.perf_counter()
        result = client.lookup(ADDRESS)
        lookups.append(Lookup(started, (time.perf_counter() - started) * 1000, result.found))
        next_at += period * rng.uniform(0.5, 1.5)
    return lookups


def overlapped(lookup: Lookup, spans: list[tuple[float, float]]) -> bool:
    ended = lookup.started + lookup.ms / 1000
    return any(start < ended and end > lookup.started for start, end in spans)


# -- reporting -----------------------------------------------------------------------------
def percentiles(values: list[float]) -> tuple[float, float, float]:
    from tui.core.workers.history import nearest_rank  # the pane's own definition

    ordered = sorted(values)
    return nearest_rank(ordered, 0.50), nearest_rank(ordered, 0.95), ordered[-1]


def print_overhead(idle: Window, sampling: Window, ticks: int, rounds: int) -> None:
    per_minute = sampling.self_cpu / sampling.wall * 60
    print(f"1. sampler overhead at 1 Hz: {ticks} ticks of sample_pool, probe, sample_sessions, "
          f"snapshot, sequential in one thread, over {sampling.wall:.1f} s "
          f"({rounds} windows alternating with {rounds} idle ones)")
    print(f"   this process (all threads)   {per_minute:7.3f} CPU s per minute of sampling "
          f"= {sampling.percent:.3f} % of one core")
    print(f"   same process, idle windows   {idle.self_cpu / idle.wall * 60:7.3f} CPU s per minute "
          f"= {idle.percent:.3f} % of one core (the bench loop's own floor)")
    print("   per call, wall ms        median       max")
    for name in CALLS:
        values = sampling.timings[name]
        print(f"     {name:20}{statistics.median(values):10.3f}{max(values):10.3f}")
    print(f"   server side, CPU ms over {sampling.wall:.0f} s of each kind "
          f"(from /proc, {CLOCK_TICK * 1000:.0f} ms ticks)")
    print(f"     {'':42}{'idle':>8}{'sampler':>9}{'diff':>8}   processes")
    for name, label in GROUPS:
        before, during = idle.server[name] * 1000, sampling.server[name] * 1000
        print(f"     {label:42}{before:8.0f}{during:9.0f}{during - before:+8.0f}   "
              f"{sampling.processes[name]}")
    idle_total = sum(idle.server.values()) * 1000
    sampling_total = sum(sampling.server.values()) * 1000
    print(f"     {'total':42}{idle_total:8.0f}{sampling_total:9.0f}"
          f"{sampling_total - idle_total:+8.0f}   "
          f"= {(sampling_total - idle_total) / 10 / sampling.wall:+.3f} % of one core")


def print_latency(phases: list[tuple[bool, list[Lookup], list[tuple[float, float]]]],
                  rate: float, phase_seconds: float) -> tuple[float, float]:
    without = [lk.ms for with_sampler, lookups, _ in phases if not with_sampler for lk in lookups]
    with_ = [lk.ms for with_sampler, lookups, _ in phases if with_sampler for lk in lookups]
    failed = sum(1 for _, lookups, _ in phases for lk in lookups if not lk.found)
    order = "/".join("B" if with_sampler else "A" for with_sampler, _, _ in phases)
    print(f"2. lookup latency of another client ({ADDRESS}, ~{rate:g}/s, jittered), phases "
          f"{order} of {phase_seconds:g} s (A without, B with a 1 Hz sampler thread)")
    print(f"   {'':28}{'lookups':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, values in (("without sampler", without), ("with sampler", with_)):
        p50, p95, top = percentiles(values)
        print(f"   {label:28}{len(values):8}{p50:9.3f}{p95:9.3f}{top:9.3f}")
    hit = [lk.ms for with_sampler, lookups, spans in phases if with_sampler
           for lk in lookups if overlapped(lk, spans)]
    if hit:
        p50, p95, top = percentiles(hit)
        print(f"   {'  of which overlap a call':28}{len(hit):8}{p50:9.3f}{p95:9.3f}{top:9.3f}")
    else:
        print("     none of the lookups overlapped a sampler call")
    if failed:
        print(f"   {failed} lookup(s) did not come back FOUND")
    p50_ratio = percentiles(with_)[0] / percentiles(without)[0]
    p95_ratio = percentiles(with_)[1] / percentiles(without)[1]
    print(f"   ratio with / without: p50 {p50_ratio:.3f}x, p95 {p95_ratio:.3f}x (no target)")
    return p50_ratio, p95_ratio


# -- the run ---------------------------------------------------------------------------------
def main(seconds: int, phase_seconds: float, rounds: int, rate: float) -> None:
    from tui.core.installation import Installation
    from tui.core.workers.sampler import WorkersSampler
    from tui.lab.lab import Lab

    rng = random.Random(20240611)
    lab = Lab.create()
    sampler: WorkersSampler | None = None
    try:
        lab.wait_found()
        client = lab.client()
        for _ in range(20):  # warm up every worker's DB connection
            client.lookup(ADDRESS)

        sampler = WorkersSampler(Installation.from_flags({"config": str(lab.settings_file)}))
        probe_address = sampler.probe_address
        before = client_backends(lab)
        tick(sampler, lambda *_: None)  # warm: imports, the session connection
        ours = client_backends(lab) - before
        fill_window(sampler)
        pool = sampler.snapshot().pool
        idle = sampling = Window(0.0, 0.0, {}, {}, {})
        for index in range(rounds):  # idle, sampling, idle, sampling, ...
            ticks = seconds // rounds + (1 if index < seconds % rounds else 0)
            idle = idle.add(measure_window(lab, ticks, None, ours))
            sampling = sampling.add(measure_window(lab, ticks, sampler, ours))
        final = sampler.snapshot()

        phases: list[tuple[bool, list[Lookup], list[tuple[float, float]]]] = []
        for _ in range(rounds):
            phases.append((False, lookup_phase(client, phase_seconds, rate, rng), []))
            with SamplerThread(sampler, rng) as background:
                lookups = lookup_phase(client, phase_seconds, rate, rng)
            phases.append((True, lookups, background.busy))
    finally:
        if sampler is not None:
            sampler.close()
        lab.down()

    load = os.getloadavg()
    workers = f"{pool.alive} workers (daemons={pool.configured})" if pool else "no pool sample"
    print(f"workers sampler bench: lab with {workers}, {os.cpu_count()} CPUs, "
          f"{sum(1 for e in Path('/proc').iterdir() if e.name.isdigit())} processes in /proc, "
          f"load average {load[0]:.2f} / {load[1]:.2f} (1 / 5 min) at the end")
    print(f"   probe address {probe_address}")
    print(f"   sampler's own session backend(s): {len(ours)}; verdict at the end: "
          f"{final.verdict.state} ({final.stats.probes} probes in its window, "
          f"probe p50 {(final.stats.p50 or 0) * 1000:.2f} ms)")
    print_overhead(idle, sampling, seconds, rounds)
    p50_ratio, p95_ratio = print_latency(phases, rate, phase_seconds)
    verdict = "met" if sampling.percent < TARGET_PERCENT else "NOT met"
    print("summary:")
    print(f"   sampler CPU at 1 Hz: {sampling.percent:.3f} % of one core "
          f"(target < {TARGET_PERCENT:g} %): {verdict}")
    print(f"   other client's lookup latency with / without sampler: p50 {p50_ratio:.3f}x, "
          f"p95 {p95_ratio:.3f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60,
                        help="length of the sampling window (and of the idle one), s")
    parser.add_argument("--phase-seconds", type=float, default=None,
                        help="length of each latency phase, s (default: half of --seconds)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="idle/sampling window pairs in part 1, A/B phase pairs in part 2")
    parser.add_argument("--rate", type=float, default=5.0, help="lookups per second in part 2")
    args = parser.parse_args()
    main(args.seconds, args.phase_seconds or args.seconds / 2, args.rounds, args.rate)

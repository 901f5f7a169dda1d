"""The monitor: every sampler on one schedule, each in its own loop, publishing observations.

Five loops, one per component, so a slow component never delays another: the log
follower (backfill, then follow), the worker pool (local and instant), the probe
lookup (up to its timeout), the mail role's database sessions (up to its timeout)
and the health sample with the run of every check (the strip and the x-ray). Each
loop waits for the end of its own run before the next, so runs never pile up. A new
authdaemond error in the followed log starts the health run early (at most once per
`LOG_WAKE_GAP`), so the strip and the Overview, which read the recent errors from
that one run, show it together within a moment of the line.

A run that raises is published as `ComponentFailed` with one sentence, the loop
carries on, and its next good run publishes `ComponentRecovered`: a dead or
broken component is a state on screen, never a silent stop.

The loops run on the monitor's own daemon threads, not on an executor: they never
finish, and a pool of a few threads would be taken by them and starve the short
jobs (lookups, the wizard). The app, `authlib-tui record` and the tests run this
same class; only their subscribers differ.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.health import DB_CHECK_TIMEOUT
from tui.core.installation import Installation, LiveInstallation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.logs.reported import is_reported_error
from tui.core.monitor.observations import (
    ChecksRan,
    ComponentFailed,
    ComponentRecovered,
    HealthSampled,
    LogBatch,
    LogSource,
    PoolSampled,
    ProbeRan,
    QueueSampled,
)
from tui.core.monitor.schedule import HEALTH_INTERVAL, LOG_WAKE_GAP, STALE_AFTER
from tui.core.monitor.stream import ObservationStream

if TYPE_CHECKING:
    from tui.core.checks.context import CheckContext, Measured
    from tui.core.logs.entry import LogEntry
    from tui.core.workers.sampler import WorkersSampler

RETRY_AFTER = 5.0  # seconds before a failed log follower is opened again
BACKFILL_LINES = 2000
BACKFILL_SECONDS = 3600.0

COMPONENTS = {
    "logs": "Reading the log",
    "pool": "Sampling the worker pool",
    "probe": "The probe lookup",
    "sessions": "Reading the database sessions",
    "health": "The health sample",
}


def queue_of(context: CheckContext, now: float) -> QueueSampled:
    """The queue and the bounces the delivery checks just read (each read once per run)."""
    postfix = context.postfix
    if not postfix.configured:
        return QueueSampled(now, None, None, f"No Postfix configuration in "
                            f"{postfix.config.path} ({postfix.config.source}); give it with "
                            "--postfix-dir.")
    return QueueSampled(now, postfix.queue, postfix.bounces)


def failure_sentence(component: str, error: BaseException) -> str:
    what = COMPONENTS.get(component, component)
    detail = str(error) or type(error).__name__
    return f"{what} failed: {detail} ({type(error).__name__}); retrying."


class Monitor:
    def __init__(self, installation: Installation, stream: ObservationStream, *,
                 counts: DeferralCounts | None = None,
                 health_interval: float = HEALTH_INTERVAL,
                 sample_interval: float | None = None,
                 check_timeout: float = DB_CHECK_TIMEOUT,
                 backfill_lines: int = BACKFILL_LINES,
                 stale_after: float = STALE_AFTER) -> None:
        # The one owner of the installation: the health run reads it afresh, every other
        # reader (the sampler, the log follower, the panes) takes the same value.
        self.live = LiveInstallation(installation)
        self.stream = stream
        self.counts = counts if counts is not None else DeferralCounts()
        self.health_interval = health_interval
        self.sample_interval = (sample_interval if sample_interval is not None
                                else installation.settings.sample_interval.value)
        self.check_timeout = check_timeout
        self.backfill_lines = backfill_lines
        self.stale_after = stale_after
        self._sampler: WorkersSampler | None = None  # built at first use: see `sampler`
        self._sampler_lock = threading.Lock()
        self.stopping = threading.Event()
        self.probing = threading.Event()
        self.probing.set()
        self._wake_health = threading.Event()
        self._failed: set[str] = set()
        self._backfilled = backfill_lines <= 0
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    @property
    def sampler(self) -> WorkersSampler:
        """The Workers pane's sampler, built when a loop first needs it.

        Its modules (the database driver among them) take ~70 ms to import, which the
        app's first frame, built with this monitor, need not wait for.
        """
        with self._sampler_lock:
            if self._sampler is None:
                from tui.core.workers.sampler import WorkersSampler

                self._sampler = WorkersSampler(self.live, deferrals=self.counts)
            return self._sampler

    # -- starting and stopping ---------------------------------------------------------------
    def start(self, *components: str) -> None:
        """Start the named loops (logs, pool, probe, sessions, health); a running one is kept."""
        loops: dict[str, Callable[[], None]] = {
            "logs": self.run_logs, "pool": self.run_pool, "probe": self.run_probe,
            "sessions": self.run_sessions, "health": self.run_health,
        }
        with self._lock:
            for name in components:
                if name in self._threads or self.stopping.is_set():
                    continue
                thread = threading.Thread(target=self._guarded, args=(name, loops[name]),
                                          name=f"monitor-{name}", daemon=True)
                self._threads[name] = thread
                thread.start()

    def running(self, component: str) -> bool:
        return component in self._threads

    def stop(self, wait: float = 0.0) -> None:
        """Ask every loop to end; with `wait`, join them for at most that many seconds."""
        self.stopping.set()
        self._wake_health.set()
        deadline = time.monotonic() + wait
        for thread in list(self._threads.values()):
            if thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._sampler is not None:
            self._sampler.close()

    def refresh(self) -> None:
        """Run the health sample and the checks now, not at the end of the interval."""
        self._wake_health.set()

    def set_probing(self, on: bool) -> None:
        if on:
            self.probing.set()
        else:
            self.probing.clear()

    # -- one run, reported ----------------------------------------------------------------------
    def _guarded(self, component: str, loop: Callable[[], None]) -> None:
        """A loop that ends by an exception is said, never silent."""
        try:
            loop()
        except Exception as exc:  # reported as a state on screen
            self._failed.add(component)
            self.stream.publish(ComponentFailed(component, failure_sentence(component, exc)
                                                .replace("; retrying.", "; stopped."),
                                                time.time()))

    def attempt(self, component: str, run: Callable[[], None]) -> bool:
        """Run one sample of `component`; a failure is published, and so is the recovery."""
        try:
            run()
        except Exception as exc:  # any failure of a sampler is a state
            self._failed.add(component)
            self.stream.publish(ComponentFailed(component, failure_sentence(component, exc),
                                                time.time()))
            return False
        self._recovered(component)
        return True

    def _recovered(self, component: str) -> None:
        if component in self._failed:
            self._failed.discard(component)
            self.stream.publish(ComponentRecovered(component))

    def _every(self, interval: float, component: str, run: Callable[[], None]) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            self.attempt(component, run)
            self.stopping.wait(max(0.0, interval - (time.monotonic() - started)))

    # -- the loops ----------------------------------------------------------------------------
    def run_logs(self) -> None:
        """Backfill once, then follow until stopped; a failure reopens the sources later."""
        while not self.stopping.is_set():
            if self.attempt("logs", self._follow):
                return  # stopped
            self.stopping.wait(RETRY_AFTER)

    def _follow(self) -> None:
        from tui.core.log_sources.log_reader import open_sources

        sources = open_sources(self.live.current())
        try:
            self.stream.publish(LogSource(sources.describe()))
            self._recovered("logs")  # following never returns: it works once it is open
            if not self._backfilled:  # once: a reopened source must not repeat the last hour
                for entries in sources.backfill(self.backfill_lines,
                                                time.time() - BACKFILL_SECONDS):
                    self._publish_lines(entries, backfill=True)
                self._backfilled = True
            sources.follow(self._publish_lines,
                           lambda text: self.stream.publish(LogSource(sources.describe(), text)),
                           self.stopping)
        finally:
            sources.close()

    def _publish_lines(self, entries: list[LogEntry], backfill: bool = False) -> None:
        if not entries:
            return
        self.stream.publish(LogBatch.of(entries, time.time(), backfill))
        if not backfill and any(is_reported_error(entry) for entry in entries):
            self._wake_health.set()

    def run_pool(self) -> None:
        self._every(self.sample_interval, "pool", self.sample_pool_once)

    def sample_pool_once(self) -> None:
        pool = self.sampler.sample_pool()
        self.stream.publish(PoolSampled(pool.taken_at, pool, self.sampler.snapshot()))

    def run_probe(self) -> None:
        self._every(self.sample_interval, "probe", self.probe_once)

    def probe_once(self) -> None:
        if not self.probing.is_set():
            return
        probe = self.sampler.probe()
        if probe is not None:
            self.stream.publish(ProbeRan(probe))

    def run_sessions(self) -> None:
        self._every(self.sample_interval, "sessions", self.sessions_once)

    def sessions_once(self) -> None:
        """Read into the sampler: the next pool snapshot carries them."""
        self.sampler.sample_sessions()

    def run_health(self) -> None:
        while not self.stopping.is_set():
            self._wake_health.clear()
            started = time.monotonic()
            self.attempt("health", self.health_once)
            self._wake_health.wait(self.health_interval)
            # Woken early (a burst of log errors, a refresh): not more often than this.
            self.stopping.wait(max(0.0, LOG_WAKE_GAP - (time.monotonic() - started)))

    def health_once(self) -> None:
        """The strip's cells and every check, on one context (each thing measured once)."""
        from tui.core.checks.context import CheckContext
        from tui.core.checks.diagnosis import ALL_CHECKS, run_checks
        from tui.core.health_sampler import sample_health
        from tui.core.xray import build_hops

        installation = self.live.refresh()
        context = CheckContext(installation, timeout=self.check_timeout,
                               measured=self.latest_measured(), periodic=True)
        self.stream.publish(HealthSampled(sample_health(installation, context=context)))
        results = tuple(run_checks(context, ALL_CHECKS))
        now = time.time()
        hops = build_hops(results, context, self.counts, now, stale_after=self.stale_after)
        self.stream.publish(ChecksRan(now, results, hops))
        self.stream.publish(queue_of(context, now))

    def latest_measured(self) -> Measured | None:
        """The pool, probe and sessions samples the running loops took lately, for the
        health run.

        One sample per fact: with the pool loop running (every second), the strip and the
        checks take its latest sample instead of measuring the pool again, and so for the
        probe lookup and the sessions. A sample older than two intervals (a stalled loop)
        or a skipped probe is not used; the run measures that fact on its own.
        """
        from tui.core.checks.context import Measured

        sampler = self._sampler
        if sampler is None:
            return None
        fresh_since = time.time() - 2 * self.sample_interval - 1.0
        pool = sampler.history.latest_pool() if self.running("pool") else None
        sessions = sampler.latest_sessions if self.running("sessions") else None
        probe = sampler.latest_probe if self.running("probe") else None
        return Measured(
            pool=pool if pool is not None and pool.taken_at >= fresh_since else None,
            sessions=(sessions if sessions is not None and sessions.taken_at >= fresh_since
                      else None),
            probe=(probe.lookup if probe is not None and probe.taken_at >= fresh_since
                   else None),
        )

    # -- headless (authlib-tui record) ----------------------------------------------------------
    def run_for(self, duration: float, every: Callable[[], None], interval: float = 1.0,
                until: threading.Event | None = None) -> None:
        """Run every loop for `duration` seconds (or until `until` is set), calling `every`
        once per `interval`."""
        self.start("logs", "pool", "probe", "sessions", "health")
        deadline = time.monotonic() + duration
        try:
            while not self.stopping.is_set() and not (until is not None and until.is_set()):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.stopping.wait(min(interval, left))
                every()
        finally:
            self.stop(wait=5.0)
            every()

"""Everything the Workers pane measures, in one object the pane, the tests and the bench share.

Three measurements with different costs run on their own schedule (the caller's
threads): the pool (local: /proc and one sock_diag dump), the probe (one lookup,
up to its timeout) and the database sessions (one query, up to its timeout).
So a slow database never delays the pool graph. Discovery runs again every
REDISCOVER_EVERY pool samples; the configs are read again as soon as one changes on
disk (one stat each per sample), so a fixed password or an edited `daemons=` shows up
in the next sample.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from tui.core.authdaemon.own_lookups import OWN_LOOKUPS, OwnLookupsReading
from tui.core.authdaemon.socket_state import SocketState, socket_state
from tui.core.discovery.processes import (
    DaemonProcesses,
    find_daemon_processes,
    refresh_workers,
)
from tui.core.installation import Installation, LiveInstallation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.platforms.platform import Platform, PlatformCommands, commands_for
from tui.core.workers.database_sessions import SessionsSample, SessionWatcher
from tui.core.workers.history import WINDOW_SECONDS, LatencyStats, WorkersHistory
from tui.core.workers.pool import PoolSample, sample_pool
from tui.core.workers.probe import ProbeSample, probe_client, probe_pool
from tui.core.workers.verdict import RECENT_PROBES, PoolContext, Verdict, judge

REDISCOVER_EVERY = 30  # the full process scan; workers are re-read every sample

CommandsKey = tuple[Platform, Path | None, str | None]  # what the fix commands depend on


@dataclass(frozen=True)
class WorkersSnapshot:
    """What the pane draws: the latest numbers, the window's series and the verdict."""

    taken_at: float
    pool: PoolSample | None
    stats: LatencyStats
    last_probe: ProbeSample | None
    sessions: SessionsSample | None
    deferrals: tuple[tuple[int, int], ...]  # (s_connect, tempfail) per minute, oldest first
    queue_series: tuple[float, ...]
    busy_series: tuple[float, ...]
    latency_series: tuple[float, ...]
    verdict: Verdict


class WorkersSampler:
    def __init__(
        self,
        installation: Installation | LiveInstallation,
        window: float = WINDOW_SECONDS,
        deferrals: DeferralCounts | None = None,
    ) -> None:
        # The monitor's live installation, shared with the health run and the log follower;
        # a sampler of its own (a bench, a test) keeps its own.
        self.live = (installation if isinstance(installation, LiveInstallation)
                     else LiveInstallation(installation))
        installation = self.live.latest
        self.installation = installation
        self.history = WorkersHistory(window)
        # Counted by whoever reads the log (the app's Logs pane); empty if nobody does.
        self.deferrals = deferrals if deferrals is not None else DeferralCounts()
        self.probe_address = installation.settings.probe_address.value
        self._pool_samples = 0
        self._sessions: SessionWatcher | None = None
        self._last_sessions: SessionsSample | None = None
        self._last_probe: ProbeSample | None = None
        self._probing = threading.Event()
        self._probe_ended = False  # a probe ended since the last pool sample
        self._processes: DaemonProcesses | None = None
        self._commands: tuple[CommandsKey, PlatformCommands] | None = None
        # The register of our own lookups as the previous pool sample read it (from now on:
        # lookups that ended before this sampler existed are not counted).
        self._own_seen: tuple[Path, OwnLookupsReading] | None = None
        if installation.socket is not None:
            self._own_seen = (installation.socket, OWN_LOOKUPS.reading(installation.socket))

    # -- the three measurements (each may block up to its own timeout) -------------------------
    def sample_pool(self) -> PoolSample:
        # Read again when a config changed on disk (a fix), for every reader at once.
        self.installation = self.live.current()
        self._pool_samples += 1
        path = self.installation.socket
        processes = None
        if self._processes is not None and self._pool_samples % REDISCOVER_EVERY != 1:
            processes = refresh_workers(self._processes)
        if processes is None:
            processes = find_daemon_processes(path.parent / "pid" if path is not None else None)
        self._processes = processes
        rc = self.installation.authdaemonrc
        probing = self._probing.is_set()
        sample = sample_pool(path, processes, rc.effective_daemons if rc is not None else None)
        # The worker that answered our last probe closes its end just after the answer: a
        # busy worker seen in the first sample after it may still be the probe's. (Whether
        # a busy worker is load is `own_lookups`' business, below; this flag is the pane's.)
        lingering = self._probe_ended and bool(sample.busy)
        self._probe_ended = False
        probe_in_flight = probing or self._probing.is_set() or lingering
        own = self._own_lookups_since_last(path)
        if probe_in_flight or own:
            sample = replace(sample, probe_in_flight=probe_in_flight, own_lookups=own)
        self.history.add_pool(sample)
        return sample

    def _own_lookups_since_last(self, path: Path | None) -> int:
        """Our lookups on `path` that may hold a worker in the sample just taken: in flight
        now, or ended since the previous sample (read after the sample, so one that ran
        during it counts too). After a change of socket, only those in flight."""
        if path is None:
            self._own_seen = None
            return 0
        now = OWN_LOOKUPS.reading(path)
        previous = self._own_seen[1] if self._own_seen and self._own_seen[0] == path else None
        self._own_seen = (path, now)
        return now.since(previous)

    def probe(self) -> ProbeSample | None:
        """One lookup of the probe address; None when there is no socket to probe."""
        path = self.installation.socket
        if path is None or self.history.latest_pool() is None:
            return None  # not before the first pool sample: it decides whether probing is safe
        self._probing.set()
        try:
            sample = probe_pool(probe_client(str(path)), self.probe_address,
                                self.history.latest_pool())
        finally:
            self._probing.clear()
            self._probe_ended = True
        self.history.add_probe(sample)
        self._last_probe = sample
        return sample

    def _commands_for(self, platform: Platform, authdaemonrc: Path | None,
                      unit: str | None) -> PlatformCommands:
        """The fix commands, worked out again only when what they depend on changed: the
        lab's own command is a file looked for on disk, not worth doing every second."""
        key: CommandsKey = (platform, authdaemonrc, unit)
        if self._commands is None or self._commands[0] != key:
            self._commands = (key, commands_for(platform, authdaemonrc, unit))
        return self._commands[1]

    @property
    def latest_probe(self) -> ProbeSample | None:
        """The newest probe (None before the first); a skipped one carries no lookup."""
        return self._last_probe

    @property
    def latest_sessions(self) -> SessionsSample | None:
        """The newest sessions sample (None before the first, or without credentials)."""
        return self._last_sessions

    @property
    def probe_in_flight(self) -> bool:
        return self._probing.is_set()

    def sample_sessions(self) -> SessionsSample | None:
        """The mail role's PostgreSQL sessions; None without usable authpgsqlrc credentials."""
        config = self.installation.authpgsqlrc
        connection = config.connection if config is not None else None
        if connection is None:
            self._last_sessions = None
            return None
        if self._sessions is None or self._sessions.conn != connection:
            if self._sessions is not None:
                self._sessions.close()
            self._sessions = SessionWatcher(connection)
        # Our own probe's query is not load: leave it out (its login is a literal in the SQL).
        local = self.probe_address.rpartition("@")[0] or self.probe_address
        self._last_sessions = self._sessions.sample().without("'" + local.replace("'", "''") + "'")
        return self._last_sessions

    def close(self) -> None:
        if self._sessions is not None:
            self._sessions.close()

    # -- putting it together (cheap: no I/O but one stat when stopped) -------------------------
    def snapshot(self, now: float | None = None) -> WorkersSnapshot:
        now = time.time() if now is None else now
        pools = tuple(self.history.pools())
        stats = self.history.latency_stats()
        path = self.installation.socket
        state: SocketState | None = None
        if pools and pools[-1].alive == 0 and path is not None:
            state = socket_state(path)
        discovery = self.installation.discovery
        platform = discovery.platform.value
        context = PoolContext(
            pools=pools,
            stats=stats,
            recent_probe_outcomes=tuple(map(str, self.history.recent_outcomes(RECENT_PROBES))),
            sessions=self._last_sessions,
            socket=path,
            socket_state=state,
            platform=platform,
            commands=self._commands_for(platform, discovery.authdaemonrc, discovery.unit.value),
            maildrop_read_timeout=self.installation.delivery_timeouts.read,
            busy_for_others_seen=self.history.busy_for_others_seen(),
        )
        queue, busy, latency = self.history.series()
        return WorkersSnapshot(
            taken_at=now,
            pool=pools[-1] if pools else None,
            stats=stats,
            last_probe=self._last_probe,
            sessions=self._last_sessions,
            deferrals=tuple(self.deferrals.last_minutes(now)),
            queue_series=tuple(queue),
            busy_series=tuple(busy),
            latency_series=tuple(latency),
            verdict=judge(context),
        )

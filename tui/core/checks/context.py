"""The facts the checks share, each measured at most once per run and only when a check asks.

A run of every check must not connect to authdaemond or PostgreSQL more than it
needs: the socket state, the pool sample, one probe lookup and one database
connection are computed on first use and reused by every check that looks at them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tui.core.authdaemon.client import AuthdaemonClient, LookupResult
from tui.core.authdaemon.socket_state import SocketState, socket_state
from tui.core.config.authpgsqlrc import ConnInfo
from tui.core.database.probe import ProbeResult, run_query, run_select
from tui.core.findings import Finding
from tui.core.installation import Installation
from tui.core.log_sources.recent_errors import RecentErrors, recent_errors
from tui.core.platforms.platform import Platform, PlatformCommands, commands_for
from tui.core.postfix.observed import PostfixView
from tui.core.workers.database_sessions import SessionsSample, SessionWatcher
from tui.core.workers.pool import PoolSample, sample_pool_for

DEFAULT_CHECK_TIMEOUT = 10.0  # per network call; `check --timeout` lowers it
RECENT_ERRORS = 50  # the start-up check looks this far back; the Overview lists the newest


@dataclass(frozen=True, slots=True)
class Measured:
    """Samples the monitor's samplers already took: a check reads these, not a second
    measurement of its own, so the strip, the checks and the Workers pane show one sample
    of the pool, of the probe lookup and of the mail role's sessions."""

    pool: PoolSample | None = None
    sessions: SessionsSample | None = None
    probe: LookupResult | None = None


class CheckContext:
    def __init__(self, installation: Installation, timeout: float = DEFAULT_CHECK_TIMEOUT,
                 measured: Measured | None = None, periodic: bool = False) -> None:
        self.installation = installation
        self.timeout = timeout
        # The monitor's run every few seconds: a check whose test costs the host something
        # (postmap writes to the mail log) may answer from its last test for a while.
        self.periodic = periodic
        self.started = time.time()
        if measured is not None:  # as if measured here: the cached properties hold them
            if measured.pool is not None:
                self.__dict__["pool"] = measured.pool
            if measured.sessions is not None:
                self.__dict__["sessions"] = measured.sessions
            if measured.probe is not None:
                self.__dict__["probe"] = measured.probe

    @classmethod
    def fresh(
        cls, installation: Installation, timeout: float = DEFAULT_CHECK_TIMEOUT
    ) -> CheckContext:
        """Discovery and configs read again: a verify after a fix must see the new state."""
        return cls(installation.refreshed(), timeout)

    @property
    def platform(self) -> Platform:
        return self.installation.discovery.platform.value

    @property
    def lab_command(self) -> str:
        """The lab's own command (its fixes stand in for a platform's tools); "" elsewhere."""
        return self.commands.lab if self.platform is Platform.LAB else ""

    @cached_property
    def commands(self) -> PlatformCommands:
        discovery = self.installation.discovery
        return commands_for(self.platform, discovery.authdaemonrc, discovery.unit.value)

    @cached_property
    def recent_errors(self) -> RecentErrors:
        """authdaemond's newest errors from the Logs pane's source, read once per run: the
        start-up check, the strip's last error and the Overview's list are this one read."""
        return recent_errors(self.installation, limit=RECENT_ERRORS)

    @cached_property
    def config_findings(self) -> list[Finding]:
        """The linter's findings, once per run (three checks read them)."""
        return self.installation.config_findings()

    @property
    def socket(self) -> Path | None:
        return self.installation.socket

    @cached_property
    def socket_state(self) -> SocketState | None:
        return socket_state(self.socket) if self.socket is not None else None

    @cached_property
    def pool(self) -> PoolSample | None:
        try:
            return sample_pool_for(self.installation.discovery, self.installation.authdaemonrc)
        except OSError:
            return None

    @property
    def probe_address(self) -> str:
        return self.installation.settings.probe_address.value

    @cached_property
    def probe(self) -> LookupResult | None:
        """One lookup of the probe address, timed (None without a socket)."""
        if self.socket is None:
            return None
        client = AuthdaemonClient(self.socket, connect_timeout=min(self.timeout, 10.0),
                                  read_timeout=self.timeout)
        return client.lookup(self.probe_address)

    @property
    def connection(self) -> ConnInfo | None:
        config = self.installation.authpgsqlrc
        return config.connection if config is not None else None

    @cached_property
    def db_ping(self) -> ProbeResult | None:
        """`SELECT 1` with authpgsqlrc's credentials (None without a usable PGSQL_CONNECTION)."""
        if self.connection is None:
            return None
        return run_query(self.connection, "SELECT 1", timeout=self.timeout)

    @cached_property
    def db_select(self) -> ProbeResult | None:
        """authpgsql's own SELECT for the probe address, as the daemon would run it."""
        config = self.installation.authpgsqlrc
        if config is None:
            return None
        return run_select(config, self.probe_address, "login", timeout=self.timeout)

    @property
    def measured_probe(self) -> LookupResult | None:
        """The probe if a check already ran it; never starts one (for reports)."""
        return self.__dict__.get("probe")

    @property
    def measured_db_ping(self) -> ProbeResult | None:
        return self.__dict__.get("db_ping")

    @property
    def measured_pool(self) -> PoolSample | None:
        return self.__dict__.get("pool")

    @cached_property
    def postfix(self) -> PostfixView:
        """The Postfix side (routing, maildrop, queue, bounces), each part read on first use."""
        return PostfixView(self.installation.settings, self.installation.discovery.log_files,
                           self.timeout)

    @property
    def measured_postfix(self) -> PostfixView | None:
        return self.__dict__.get("postfix")

    @cached_property
    def sessions(self) -> SessionsSample | None:
        if self.connection is None:
            return None
        watcher = SessionWatcher(self.connection, min(self.timeout, 3.0))
        try:
            return watcher.sample()
        finally:
            watcher.close()

"""The authlib installation under inspection: settings, what discovery found, its configs.

One object for the headless commands and the panes alike, so `lookup`, `check`
and the app read the same files from the same places and agree on what they saw.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.findings import Finding, Severity
from tui.core.settings import DEFAULT_SOURCE, Settings, load_settings

if TYPE_CHECKING:
    # Discovery (the process scan, the login services, the platform's layout) is imported
    # where it runs: for the app, in its monitor's first health run, after the first frame.
    # The config parsers are imported when a config is first read, after the app's first
    # frame; the lookup's explanation where a lookup is explained.
    from tui.core.authdaemon.client_timeouts import ClientTimeouts
    from tui.core.config.authdaemonrc import AuthdaemonRc
    from tui.core.config.authpgsqlrc import AuthPgsqlRc
    from tui.core.config.errors import ConfigUnreadable
    from tui.core.database.explain import Explanation
    from tui.core.discovery.discover import Discovery

# Config findings that make every lookup a temporary failure, in the order to report them.
_TEMPFAIL_CAUSES = (
    "marker-missing",
    "old-style-keys",
    "connection-missing",
    "connection-invalid",
    "user-table-required",
    "crypt-field-required",
)


class InstallationError(Exception):
    """The settings themselves are unusable (e.g. an explicit --config that cannot be read)."""


class Installation:
    """The settings and what discovery found with them; the configs are read on first use.

    `discovery` too is found on first use when the installation was built without it
    (`from_flags(..., discover_now=False)`): the app's first frame does not wait for the
    process scan, and its monitor's first health run (`refreshed`) finds it.
    """

    def __init__(self, settings: Settings, discovery: Discovery | None = None,
                 read_errors: dict[str, ConfigUnreadable] | None = None) -> None:
        self.settings = settings
        self._discovery = discovery
        self._discovering = threading.Lock()  # two threads asking first discover once
        self.read_errors: dict[str, ConfigUnreadable] = read_errors or {}

    @classmethod
    def from_flags(cls, flags: Mapping[str, object | None], *,
                   discover_now: bool = True) -> Installation:
        """Raises InstallationError for unusable settings, whether or not it discovers now."""
        from tui.core.settings import SettingsError

        try:
            settings = load_settings(flags)
        except SettingsError as exc:
            raise InstallationError(str(exc)) from exc
        installation = cls(settings)
        if discover_now:
            installation.discovery  # noqa: B018 - found now, not on first use
        return installation

    @property
    def discovered(self) -> bool:
        return self._discovery is not None

    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            with self._discovering:
                if self._discovery is None:
                    from tui.core.discovery.discover import discover

                    self._discovery = discover(self.settings)
        return self._discovery

    def refreshed(self) -> Installation:
        """The same settings, discovered and read again: processes and files change.

        Never discovered yet: discovering it now is reading it again, so this one is
        filled in (and whoever holds it sees that discovery, with no second scan).
        """
        from tui.core.discovery.discover import discover

        if not self.discovered:
            self.discovery  # noqa: B018 - found now, for every holder of this installation
            return self
        return Installation(self.settings, discover(self.settings))

    @property
    def socket(self) -> Path | None:
        return self.discovery.socket.value

    @cached_property
    def delivery_timeouts(self) -> ClientTimeouts:
        """How long maildrop waits for authdaemond under this Postfix (its TIMEOUT_* variables)."""
        from tui.core.authdaemon.client_timeouts import delivery_timeouts

        return delivery_timeouts(self.settings.postfix_dir.value)

    @property
    def lookup_timeouts(self) -> ClientTimeouts:
        """What our own lookups wait: maildrop's timeouts, unless a setting says otherwise."""
        delivery = self.delivery_timeouts
        connect, read = self.settings.connect_timeout, self.settings.read_timeout
        if connect.source == DEFAULT_SOURCE and read.source == DEFAULT_SOURCE:
            return delivery
        from tui.core.authdaemon.client_timeouts import ClientTimeouts

        return ClientTimeouts(
            sock=delivery.sock if connect.source == DEFAULT_SOURCE else connect.value,
            read=delivery.read if read.source == DEFAULT_SOURCE else read.value,
            write=delivery.write,
            source=f"connect {connect.source}, read {read.source}",
        )

    @cached_property
    def authdaemonrc(self) -> AuthdaemonRc | None:
        from tui.core.config.authdaemonrc import load_authdaemonrc
        from tui.core.config.errors import ConfigUnreadable

        if self.discovery.authdaemonrc is None:
            return None
        try:
            return load_authdaemonrc(self.discovery.authdaemonrc)
        except ConfigUnreadable as exc:
            self.read_errors["authdaemonrc"] = exc
            return None

    @cached_property
    def authpgsqlrc(self) -> AuthPgsqlRc | None:
        from tui.core.config.authpgsqlrc import load_authpgsqlrc
        from tui.core.config.errors import ConfigUnreadable

        if self.discovery.authpgsqlrc is None:
            return None
        try:
            return load_authpgsqlrc(self.discovery.authpgsqlrc)
        except ConfigUnreadable as exc:
            self.read_errors["authpgsqlrc"] = exc
            return None

    def config_findings(self) -> list[Finding]:
        from tui.core.config.lint import lint_config

        findings = lint_config(self.authdaemonrc, self.authpgsqlrc)
        # Discovery already reports files it cannot read, with the way to get access.
        reported = {finding.where for finding in self.discovery.access}
        for name, error in self.read_errors.items():
            if str(error.path) in reported:
                continue
            findings.insert(
                0, Finding(f"{name}-unreadable", Severity.ERROR, str(error), str(error.path))
            )
        return findings

    def config_explanation(self) -> Explanation | None:
        """A config problem that by itself makes authpgsql fail temporarily, as a sentence."""
        from tui.core.database.explain import Explanation, Reason

        by_id = {finding.id: finding for finding in self.config_findings()}
        for cause in _TEMPFAIL_CAUSES:
            if cause in by_id:
                finding = by_id[cause]
                fix = f" Fix: {finding.fix}" if finding.fix else ""
                return Explanation(Reason.NO_CONFIG, f"{finding.message}{fix}")
        return None


ConfigStamp = tuple[int, int, int] | None  # (inode, size, mtime ns) of a config file; None: absent


def config_stamps(installation: Installation) -> tuple[ConfigStamp, ...]:
    """What authdaemonrc and authpgsqlrc look like on disk now: one stat each.

    A fix rewrites authpgsqlrc (a password) or authdaemonrc (daemons=): the sample
    after it must use the new file, not wait for the next full rediscovery.
    """
    stamps: list[ConfigStamp] = []
    for path in (installation.discovery.authdaemonrc, installation.discovery.authpgsqlrc):
        try:
            info = os.stat(path) if path is not None else None
        except OSError:
            info = None
        stamps.append((info.st_ino, info.st_size, info.st_mtime_ns) if info else None)
    return tuple(stamps)


class LiveInstallation:
    """The one owner of the installation while the monitor runs.

    The health run reads it afresh every run (`refresh`): processes come and go. The
    pool sampler, the log follower and the panes take `current()`, which is that same
    value unless a config file changed on disk since it was read, or it is older than
    `rediscover_after` (the health loop stalled): then it is read again, once, for all.
    So every reader sees one discovery, and a fix's new authpgsqlrc within a second.
    """

    def __init__(self, installation: Installation, rediscover_after: float = 30.0) -> None:
        self._lock = threading.Lock()
        self.rediscover_after = rediscover_after
        self._installation = installation
        self._stamps: tuple[ConfigStamp, ...] | None = None  # unknown: the first read checks
        self._read_at = time.monotonic()

    @property
    def latest(self) -> Installation:
        """As last read, without looking at the disk."""
        return self._installation

    def current(self) -> Installation:
        with self._lock:
            if not self._installation.discovered:  # built undiscovered: its first discovery
                self._set(self._installation.refreshed())
                return self._installation
            stamps = config_stamps(self._installation)
            old = time.monotonic() - self._read_at > self.rediscover_after
            if old or stamps != self._stamps:
                self._set(self._installation.refreshed())
            return self._installation

    def refresh(self) -> Installation:
        """Discovered and read again now, for every reader."""
        with self._lock:
            self._set(self._installation.refreshed())
            return self._installation

    def _set(self, installation: Installation) -> None:
        self._installation = installation
        self._stamps = config_stamps(installation)
        self._read_at = time.monotonic()

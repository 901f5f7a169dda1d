"""The authlib installation under inspection: settings, what discovery found, its configs.

One object for the headless commands and the panes alike, so `lookup`, `check`
and the app read the same files from the same places and agree on what they saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.authdaemon.client_timeouts import ClientTimeouts, delivery_timeouts
from tui.core.discovery.discover import Discovery, discover
from tui.core.findings import Finding, Severity
from tui.core.settings import DEFAULT_SOURCE, Settings, load_settings

if TYPE_CHECKING:
    # The config parsers are imported when a config is first read, after the app's first
    # frame; the lookup's explanation where a lookup is explained.
    from tui.core.config.authdaemonrc import AuthdaemonRc
    from tui.core.config.authpgsqlrc import AuthPgsqlRc
    from tui.core.config.errors import ConfigUnreadable
    from tui.core.database.explain import Explanation

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


@dataclass
class Installation:
    settings: Settings
    discovery: Discovery
    read_errors: dict[str, ConfigUnreadable] = field(default_factory=dict)

    @classmethod
    def from_flags(cls, flags: Mapping[str, object | None]) -> Installation:
        from tui.core.settings import SettingsError

        try:
            settings = load_settings(flags)
        except SettingsError as exc:
            raise InstallationError(str(exc)) from exc
        return cls(settings, discover(settings))

    def refreshed(self) -> Installation:
        """The same settings, discovered and read again: processes and files change."""
        return Installation(self.settings, discover(self.settings))

    @property
    def socket(self) -> Path | None:
        return self.discovery.socket.value

    @cached_property
    def delivery_timeouts(self) -> ClientTimeouts:
        """How long maildrop waits for authdaemond under this Postfix (its TIMEOUT_* variables)."""
        return delivery_timeouts(self.settings.postfix_dir.value)

    @property
    def lookup_timeouts(self) -> ClientTimeouts:
        """What our own lookups wait: maildrop's timeouts, unless a setting says otherwise."""
        delivery = self.delivery_timeouts
        connect, read = self.settings.connect_timeout, self.settings.read_timeout
        if connect.source == DEFAULT_SOURCE and read.source == DEFAULT_SOURCE:
            return delivery
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

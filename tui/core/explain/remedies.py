"""A catalogue record's remedy in the commands and paths of this platform.

Each record carries its remedy as templates (`logs/catalogue/remedy.py`); this fills
them from what discovery found (ApisCP, Debian, RHEL, …), or with placeholders for
every platform at once, so `authlib-tui explain`, the generated docs/failures.md and
a test that every problem has a remedy share them. On ApisCP the Bootstrapper owns
authdaemonrc and authpgsqlrc, so a hand edit is never the fix there: the record's
`apiscp_fix` replaces its `fix`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core.discovery.discover import Discovery
from tui.core.logs.catalogue.remedy import PLACEHOLDERS, Remedy
from tui.core.platforms.layouts import DEBIAN, LAYOUTS_BY_NAME, RHEL_APISCP, UPSTREAM_LOCAL, Layout
from tui.core.platforms.platform import PLATFORM_LABELS, Platform, commands_for

# The layout whose paths a platform's fixes use when nothing is installed here.
_LAYOUT_OF_PLATFORM: dict[Platform, Layout] = {
    Platform.APISCP: RHEL_APISCP,
    Platform.RHEL: RHEL_APISCP,
    Platform.DEBIAN: DEBIAN,
    Platform.OPENSUSE: LAYOUTS_BY_NAME["opensuse"],
    Platform.UPSTREAM: UPSTREAM_LOCAL,
    Platform.LAB: DEBIAN,
}
_PGSQL_PACKAGE: dict[Platform, str] = {
    Platform.DEBIAN: "courier-authlib-postgresql",
    Platform.LAB: "courier-authlib-postgresql",
    Platform.RHEL: "courier-authlib-pgsql",
    Platform.APISCP: "courier-authlib-pgsql",
    Platform.OPENSUSE: "courier-authlib-pgsql",
    Platform.UPSTREAM: "authlib built with authpgsql (configure --with-authpgsql)",
}


@dataclass(frozen=True)
class PlatformFacts:
    """The paths and commands a fix is written in; `assumed` says why, when nothing was found."""

    platform: Platform
    label: str
    authdaemonrc: str
    authpgsqlrc: str
    socket: str
    socket_dir: str
    module_dir: str
    pgsql_package: str
    start: str
    restart: str
    start_database: str
    mail_log: str
    mail_user: str
    mail_group: str
    reason: str  # why this platform: what discovery saw, or what was assumed
    assumed: bool  # no authlib installation was found: the paths are the platform's defaults

    @classmethod
    def from_discovery(cls, discovery: Discovery) -> PlatformFacts:
        platform = discovery.platform.value
        found = discovery.layout.value
        layout = found if found is not None else _LAYOUT_OF_PLATFORM[platform]
        conf_dir = discovery.conf_dir.value or layout.conf_dir
        authdaemonrc = discovery.authdaemonrc or conf_dir / "authdaemonrc"
        socket = discovery.socket.value or layout.socket
        commands = commands_for(platform, discovery.authdaemonrc, discovery.unit.value or (
            layout.units[0] if found is None and layout.units else None))
        logs = discovery.log_files or layout.log_files
        assumed = found is None and discovery.authdaemonrc is None
        reason = discovery.platform.source
        if assumed:
            reason = (f"no authlib installation found here ({reason}); fixes assume "
                      f"{PLATFORM_LABELS[platform]} defaults")
        return cls(
            platform=platform,
            label=PLATFORM_LABELS[platform],
            authdaemonrc=str(authdaemonrc),
            authpgsqlrc=str(discovery.authpgsqlrc or conf_dir / "authpgsqlrc"),
            socket=str(socket),
            socket_dir=str(Path(socket).parent),
            module_dir=str(layout.module_dirs[0]),
            pgsql_package=_PGSQL_PACKAGE[platform],
            start=commands.start,
            restart=commands.restart,
            start_database=commands.start_database,
            mail_log=str(logs[0]) if logs else "the mail log",
            mail_user=layout.mail_user,
            mail_group=layout.mail_group,
            reason=reason,
            assumed=assumed,
        )

    @classmethod
    def generic(cls) -> PlatformFacts:
        """Placeholders instead of paths: the catalogue written for every platform at once."""
        return cls(
            platform=Platform.UPSTREAM, label="any platform", authdaemonrc="authdaemonrc",
            authpgsqlrc="authpgsqlrc", socket="<authdaemonvar>/socket",
            socket_dir="<authdaemonvar>", module_dir="<pkglibdir>",
            pgsql_package="the authpgsql module package (Debian: courier-authlib-postgresql, "
            "RHEL/ApisCP: courier-authlib-pgsql)",
            start="systemctl start <unit>", restart="systemctl restart <unit>",
            start_database="systemctl start postgresql", mail_log="the mail log",
            mail_user="the mail user", mail_group="the mail group",
            reason="written for every platform", assumed=False,
        )

    def fill(self, template: str) -> str:
        return template.format(**{name: getattr(self, name) for name in PLACEHOLDERS})

    def fix(self, remedy: Remedy) -> str:
        """The remedy's fix here: on ApisCP the Bootstrapper's way, where the record has one."""
        apiscp = remedy.apiscp_fix and self.platform is Platform.APISCP
        return self.fill(remedy.apiscp_fix if apiscp else remedy.fix)

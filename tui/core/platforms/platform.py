"""Which platform runs authlib, so a fix is given in that platform's own commands.

The layout says where files are; the platform says how the admin is expected to
change them. ApisCP and plain RHEL share a layout, but on ApisCP hand edits to
authdaemonrc are overwritten by the Bootstrapper, so the fix there is `cpcmd` +
`upcp`, never an edit.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tui.core.platforms.layouts import Layout
from tui.core.shell_words import shell_command


class Platform(StrEnum):
    APISCP = "apiscp"
    DEBIAN = "debian"
    RHEL = "rhel"
    OPENSUSE = "opensuse"
    UPSTREAM = "upstream"
    LAB = "lab"  # the built-in lab: its own commands stand in for the platform's


PLATFORM_LABELS: dict[Platform, str] = {
    Platform.APISCP: "ApisCP",
    Platform.DEBIAN: "Debian / Ubuntu",
    Platform.RHEL: "RHEL / Alma / Rocky",
    Platform.OPENSUSE: "openSUSE",
    Platform.UPSTREAM: "upstream source build",
    Platform.LAB: "authlib-tui lab",
}

# ApisCP installs its panel here; its presence is what tells ApisCP from plain RHEL.
APISCP_ROOT = Path("/usr/local/apnscp")

_BY_LAYOUT = {
    "debian": Platform.DEBIAN,
    "rhel-apiscp": Platform.RHEL,
    "opensuse": Platform.OPENSUSE,
    "upstream-local": Platform.UPSTREAM,
}


@dataclass(frozen=True)
class PlatformCommands:
    """The commands an admin of this platform runs; each a complete shell line."""

    start: str
    # stop + start: env settings such as DEBUG_LOGIN are read only then, a HUP does not
    restart: str
    resize_pool: tuple[str, ...]  # set the worker count to {workers} and apply it
    # Put the mail role's real password back into authpgsqlrc; () where only a hand edit can.
    sync_db_password: tuple[str, ...] = ()
    start_database: str = "systemctl start postgresql"
    # The lab's own command prefix (`authlib-tui lab --dir D`); "" on a real platform.
    lab: str = ""

    def resize(self, workers: int) -> tuple[str, ...]:
        """`resize_pool` with the worker count filled in."""
        return tuple(command.format(workers=workers) for command in self.resize_pool)


def _word(text: str) -> str:
    """`text` as one shell word: a path with a space or `;` stays one argument, never code."""
    return shell_command(text)


def _template_word(text: str) -> str:
    """`_word(text)` for a `resize_pool` line: its braces are kept from str.format."""
    return _word(text).replace("{", "{{").replace("}", "}}")


def commands_for(
    platform: Platform, authdaemonrc: Path | None, unit: str | None
) -> PlatformCommands:
    """Start/restart/resize commands; `unit` is the systemd unit discovery found, if any.

    Every path and name from the system goes in quoted, so a config dir such as
    `/etc/my authlib` or `/etc/a;b` is one argument to the command, not a second command.
    """
    rc = str(authdaemonrc) if authdaemonrc else "authdaemonrc"
    if platform is Platform.LAB and authdaemonrc is not None:
        own, lab_dir = _own_command(), str(authdaemonrc.parent.parent)
        lab = f"{_word(own)} lab --dir {_word(lab_dir)}"
        lab_template = f"{_template_word(own)} lab --dir {_template_word(lab_dir)}"
        return PlatformCommands(
            start=f"{lab} start",
            restart=f"{lab} restart",
            resize_pool=(f"{lab_template} set-workers {{workers}}",),
            sync_db_password=(f"{lab} sync-password",),
            start_database=f"{lab} start-db",
            lab=lab,
        )
    if platform is Platform.APISCP:
        # The Bootstrapper rewrites authpgsqlrc from mailboxes.cf.
        bootstrap = "upcp -sb mail/configure-courier-authlib"
        return PlatformCommands(
            start="systemctl restart courier-authlib",
            restart="systemctl restart courier-authlib",
            resize_pool=("cpcmd scope:set cp.bootstrapper courier_workers {workers}", bootstrap),
            sync_db_password=(bootstrap,),
        )
    edit = f"sed -i 's/^daemons=.*/daemons={{workers}}/' {_template_word(rc)}"
    if unit:
        name = unit.removesuffix(".service")
        return PlatformCommands(
            start=f"systemctl start {_word(name)}",
            restart=f"systemctl restart {_word(name)}",
            resize_pool=(edit, f"systemctl restart {_template_word(name)}"),
        )
    return PlatformCommands(
        start="authdaemond start",
        restart="authdaemond stop && authdaemond start",
        resize_pool=(edit, "authdaemond restart"),
    )


def _own_command() -> str:
    """This install's `authlib-tui`, by path: a fix must not depend on $PATH."""
    beside = Path(sys.executable).parent / "authlib-tui"
    return str(beside) if beside.exists() else "authlib-tui"


def detect_platform(layout: Layout | None, root: Path = Path("/")) -> tuple[Platform, str]:
    """ApisCP if its panel is installed, else the layout's platform (upstream if none); and why."""
    if (root / APISCP_ROOT.relative_to("/")).is_dir():
        return Platform.APISCP, f"{APISCP_ROOT} exists (the ApisCP panel)"
    if layout is None:
        return Platform.UPSTREAM, "no known layout found"
    return _BY_LAYOUT.get(layout.name, Platform.UPSTREAM), f"{layout.label} layout"

"""Where each distribution puts authlib: config, socket, daemon, units, logs.

These are the facts discovery checks against the file system; nothing here touches
the disk, so the table can be read and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """One packaging of Courier Authlib. Paths are absolute paths on the target system."""

    name: str
    label: str
    conf_dir: Path
    socket_dir: Path
    daemon_binary: Path
    module_dirs: tuple[Path, ...]
    units: tuple[str, ...]
    mail_user: str
    mail_group: str
    log_files: tuple[Path, ...]
    pid_file: Path
    # Older releases of the same packaging used these socket dirs instead.
    socket_dir_fallbacks: tuple[Path, ...] = ()

    @property
    def authdaemonrc(self) -> Path:
        return self.conf_dir / "authdaemonrc"

    @property
    def authpgsqlrc(self) -> Path:
        return self.conf_dir / "authpgsqlrc"

    @property
    def socket(self) -> Path:
        """Clients connect to `<authdaemonvar>/socket` (the listener's bind name is socket.tmp)."""
        return self.socket_dir / "socket"

    @property
    def socket_dirs(self) -> tuple[Path, ...]:
        return (self.socket_dir, *self.socket_dir_fallbacks)


DEBIAN = Layout(
    name="debian",
    label="Debian / Ubuntu",
    conf_dir=Path("/etc/courier"),
    socket_dir=Path("/run/courier/authdaemon"),
    socket_dir_fallbacks=(Path("/var/run/courier/authdaemon"),),
    daemon_binary=Path("/usr/lib/courier/courier-authlib/authdaemond"),
    module_dirs=(Path("/usr/lib/courier-authlib"),),
    units=("courier-authdaemon.service",),
    mail_user="courier",
    mail_group="courier",
    log_files=(Path("/var/log/mail.log"),),
    pid_file=Path("/run/courier/authdaemon/pid"),
)

RHEL_APISCP = Layout(
    name="rhel-apiscp",
    label="RHEL / Alma / Rocky (upstream RPM; ApisCP)",
    conf_dir=Path("/etc/authlib"),
    socket_dir=Path("/var/spool/authdaemon"),
    daemon_binary=Path("/usr/libexec/courier-authlib/authdaemond"),
    # %{_libdir}: lib64 on 64-bit RPM systems, lib on 32-bit ones.
    module_dirs=(Path("/usr/lib64/courier-authlib"), Path("/usr/lib/courier-authlib")),
    units=("courier-authlib.service",),
    mail_user="daemon",
    mail_group="daemon",
    log_files=(Path("/var/log/maillog"),),
    pid_file=Path("/var/spool/authdaemon/pid"),
)

OPENSUSE = Layout(
    name="opensuse",
    label="openSUSE",
    conf_dir=Path("/etc/authlib"),
    socket_dir=Path("/run/courier-authlib"),
    socket_dir_fallbacks=(Path("/var/run/authdaemon.courier-imap"),),
    daemon_binary=Path("/usr/lib/courier-authlib/authdaemond"),
    module_dirs=(Path("/usr/lib64/courier-authlib"), Path("/usr/lib/courier-authlib")),
    units=("courier-authdaemon.service",),
    # tmpfiles: `d /run/courier-authlib 0750 root mail`
    mail_user="root",
    mail_group="mail",
    log_files=(Path("/var/log/mail"),),
    pid_file=Path("/run/courier-authlib/pid"),
)

UPSTREAM_LOCAL = Layout(
    name="upstream-local",
    label="upstream source build (/usr/local)",
    conf_dir=Path("/usr/local/etc/authlib"),
    socket_dir=Path("/usr/local/var/spool/authdaemon"),
    daemon_binary=Path("/usr/local/libexec/courier-authlib/authdaemond"),
    module_dirs=(Path("/usr/local/lib/courier-authlib"),),
    units=(),
    # configure picks the first existing of courier/daemon/adm/bin/root; daemon is the usual one.
    mail_user="daemon",
    mail_group="daemon",
    log_files=(),
    pid_file=Path("/usr/local/var/spool/authdaemon/pid"),
)

# Order matters only as a tie-break when several layouts' files exist.
LAYOUTS: tuple[Layout, ...] = (DEBIAN, RHEL_APISCP, OPENSUSE, UPSTREAM_LOCAL)
LAYOUTS_BY_NAME: dict[str, Layout] = {layout.name: layout for layout in LAYOUTS}

# Every unit name any layout uses, so a custom install is still found by its unit file.
KNOWN_UNITS: tuple[str, ...] = tuple(dict.fromkeys(u for layout in LAYOUTS for u in layout.units))

"""Work out where this system's authlib lives, and say why for every answer.

Rules (explicit beats guessed, and the reason is always kept):
* a path from the settings (flag, env, settings file) wins and keeps its source;
* otherwise the layout whose `authdaemonrc` exists is chosen; when several do, the one
  whose `authdaemonvar=` and socket agree with the file system wins, and the
  ambiguity is reported as an info finding;
* the socket is the setting, else `<authdaemonvar>/socket` from the chosen
  authdaemonrc, else the layout's socket dir + `/socket`.

Everything is read under `root`, so tests can point discovery at a fake tree. Paths
that come from the settings are used as given. Permission errors never raise: what
the current user cannot read or reach is recorded in `Discovery.access` together
with how to get access.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from tui.core.authdaemon.client_timeouts import delivery_timeouts
from tui.core.discovery.login_services import (
    NO_LOGIN_SERVICES,
    LoginServices,
    find_login_services,
)
from tui.core.discovery.processes import DaemonProcesses, find_daemon_processes
from tui.core.findings import Finding, Severity
from tui.core.owner_names import group_name, user_name
from tui.core.platforms.layouts import KNOWN_UNITS, LAYOUTS, LAYOUTS_BY_NAME, Layout
from tui.core.platforms.platform import PLATFORM_LABELS, Platform, detect_platform
from tui.core.safe_text import safe_text
from tui.core.settings import PRECEDENCE, Settings, Sourced

UNIT_DIRS: tuple[Path, ...] = (
    Path("/etc/systemd/system"),
    Path("/lib/systemd/system"),
    Path("/usr/lib/systemd/system"),
)
JOURNAL_DIRS: tuple[Path, ...] = (Path("/var/log/journal"), Path("/run/log/journal"))

GENERIC_CONFIG_GROUP_FIX = "run as root or join group courier (Debian) / daemon (ApisCP)"
SOCKET_DIR_WARNING = (
    "Do not loosen the directory's mode: anyone who can connect can read every account's password."
)


_UNDETECTED: Sourced[Platform] = Sourced(Platform.UPSTREAM, "not detected")


@dataclass(frozen=True)
class Discovery:
    """Everything discovered, each guessable item with the reason it was picked."""

    layout: Sourced[Layout | None]
    conf_dir: Sourced[Path | None]
    authdaemonrc: Path | None
    authpgsqlrc: Path | None
    socket: Sourced[Path | None]
    unit: Sourced[str | None]
    log_files: tuple[Path, ...]
    journal_dirs: tuple[Path, ...]
    processes: DaemonProcesses
    access: tuple[Finding, ...]
    problems: tuple[Finding, ...]
    # The `authdaemonvar=` value read from authdaemonrc (a system path), if any.
    authdaemonvar: Path | None = None
    # Whose commands fixes are given in (ApisCP, Debian, …) and why.
    platform: Sourced[Platform] = _UNDETECTED
    # Courier IMAP/POP3, the other clients of authdaemond (or Dovecot, which is not).
    login_services: LoginServices = NO_LOGIN_SERVICES


class PathState(Enum):
    """Whether a path is there, as far as this user can tell."""

    PRESENT = "present"
    MISSING = "missing"
    DENIED = "denied"  # a parent directory is not searchable: it may or may not exist


def probe(path: Path) -> PathState:
    """`Path.exists()` raises on EACCES in Python 3.11; discovery must not."""
    try:
        path.stat()
    except PermissionError:
        return PathState.DENIED
    except (OSError, ValueError):
        return PathState.MISSING
    return PathState.PRESENT


def under(root: Path, path: Path) -> Path:
    """`path` (a system path) as seen inside `root`."""
    if root == Path("/"):
        return path
    return root / path.relative_to(path.anchor) if path.is_absolute() else root / path


_AUTHDAEMONVAR = re.compile(r"^\s*authdaemonvar=(.*)$")


def read_authdaemonvar(authdaemonrc: Path) -> Path | None:
    """The `authdaemonvar=` value, parsed like authdaemond does: `#` comments, quotes, last wins.

    Only this one line is looked at; the full parser lives in `tui.core.config`.
    """
    try:
        text = authdaemonrc.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    value: str | None = None
    for line in text.splitlines():
        match = _AUTHDAEMONVAR.match(line.split("#", 1)[0])
        if match is None:
            continue
        raw = match.group(1).strip()
        if raw[:1] in ('"', "'"):
            raw = raw[1:].split(raw[0], 1)[0]
        else:
            raw = raw.split()[0] if raw.split() else ""
        value = raw
    if not value or not value.startswith("/"):
        return None
    return Path(value)


def _readable(path: Path) -> bool:
    return os.access(path, os.R_OK)


def _read_access_fix(path: Path, fallback: str) -> str:
    """How to get read access, from the file's own mode and group when we can see them."""
    try:
        st = path.stat()
    except OSError:
        return fallback[:1].upper() + fallback[1:] + "."
    if st.st_mode & 0o040 and st.st_gid != 0:
        return f"Run as root or join group {group_name(st.st_gid)}."
    if st.st_mode & 0o400 and st.st_uid != 0:
        return f"Run as root or as user {user_name(st.st_uid)}."
    return "Run as root."


def _uid_text() -> str:
    return f"uid {os.geteuid()}"


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    layout: Layout
    rc: Path
    rc_state: PathState
    var_matches: bool
    socket_present: bool
    binary_present: bool
    unit_present: bool

    @property
    def rank(self) -> tuple[bool, bool, bool, bool, bool]:
        return (
            self.rc_state is PathState.PRESENT,
            self.var_matches,
            self.socket_present,
            self.binary_present,
            self.unit_present,
        )

    def reason(self) -> str:
        label = f"{self.layout.label} layout"
        if self.rc_state is PathState.PRESENT:
            text = f"{label}: {self.rc} exists"
        elif self.rc_state is PathState.DENIED:
            text = (
                f"{label}: {self.rc.parent} exists ({self.rc.name} not checkable as {_uid_text()})"
            )
        elif self.binary_present:
            text = f"{label}: its daemon binary exists (no authdaemonrc found)"
        elif self.socket_present:
            text = f"{label}: its socket exists (no authdaemonrc found)"
        else:
            text = f"{label}: its unit file exists (no authdaemonrc found)"
        extras = []
        if self.rc_state is not PathState.MISSING:
            if self.var_matches:
                extras.append("authdaemonvar= matches")
            if self.socket_present:
                extras.append("socket exists")
        return text + (f" ({', '.join(extras)})" if extras else "")


def _unit_file(root: Path, unit: str) -> Path | None:
    for unit_dir in UNIT_DIRS:
        candidate = under(root, unit_dir / unit)
        if probe(candidate) is PathState.PRESENT:
            return candidate
    return None


def _evidence(root: Path, layout: Layout) -> _Evidence:
    rc = under(root, layout.authdaemonrc)
    rc_state = probe(rc)
    if rc_state is PathState.DENIED and probe(rc.parent) is not PathState.PRESENT:
        rc_state = PathState.MISSING  # nothing suggests this layout is installed
    var = read_authdaemonvar(rc) if rc_state is PathState.PRESENT else None
    return _Evidence(
        layout=layout,
        rc=rc,
        rc_state=rc_state,
        var_matches=var is not None and var in layout.socket_dirs,
        socket_present=any(
            probe(under(root, d / "socket")) is PathState.PRESENT for d in layout.socket_dirs
        ),
        binary_present=probe(under(root, layout.daemon_binary)) is PathState.PRESENT,
        unit_present=any(_unit_file(root, unit) for unit in layout.units),
    )


def _file_identity(path: Path) -> tuple[int, int] | str:
    """Which file `path` is: device and inode when it can be stat'ed (a symlink or a bind
    mount is the same file), else its resolved path."""
    try:
        info = path.stat()
    except OSError:
        return os.path.realpath(path)
    return info.st_dev, info.st_ino


def _best(candidates: list[_Evidence]) -> _Evidence:
    # max() keeps the first of equals, so LAYOUTS order breaks ties.
    return max(candidates, key=lambda e: e.rank)


def _choose_layout(
    settings: Settings, root: Path, problems: list[Finding]
) -> tuple[Sourced[Layout | None], bool]:
    """The layout and whether its authdaemonrc was found (so its conf dir can be used)."""
    if settings.layout.value is not None:
        layout = LAYOUTS_BY_NAME[settings.layout.value]
        return Sourced(layout, settings.layout.source), True

    evidence = [_evidence(root, layout) for layout in LAYOUTS]
    explicit_dir = settings.conf_dir.value
    if explicit_dir is not None:
        matching = [e for e in evidence if explicit_dir in (e.layout.conf_dir, e.rc.parent)]
        if matching:
            best = _best(matching)
            return (
                Sourced(
                    best.layout,
                    f"{best.layout.label} layout: its conf dir is {explicit_dir} "
                    f"(from {settings.conf_dir.source})",
                ),
                True,
            )

    with_rc = [e for e in evidence if e.rc_state is not PathState.MISSING]
    if with_rc:
        best = _best(with_rc)
        # Layouts that share a conf dir (RHEL and openSUSE: /etc/authlib) find one and the
        # same file: that is one installation, nothing to tell the admin about.
        chosen = _file_identity(best.rc)
        elsewhere = [e for e in with_rc if _file_identity(e.rc) != chosen]
        if elsewhere:
            others = ", ".join(e.layout.label for e in elsewhere)
            problems.append(
                Finding(
                    id="discovery.ambiguous-layout",
                    severity=Severity.INFO,
                    message=f"authdaemonrc found for several layouts; chose {best.layout.label} "
                    f"over {others}.",
                    where=", ".join(sorted({str(e.rc) for e in with_rc})),
                    fix='Pin it with `layout = "<name>"` in the settings file, or pass '
                    "--conf-dir and --socket.",
                )
            )
        return Sourced(best.layout, best.reason()), True

    other_signs = [e for e in evidence if e.binary_present or e.socket_present or e.unit_present]
    if other_signs:
        best = _best(other_signs)
        return Sourced(best.layout, best.reason()), False

    searched = ", ".join(str(under(root, layout.authdaemonrc)) for layout in LAYOUTS)
    return Sourced(None, f"no known layout found (none of {searched} exists)"), False


# --- the pieces ---------------------------------------------------------------------------


def _conf_dir(
    settings: Settings,
    layout: Sourced[Layout | None],
    rc_found: bool,
    root: Path,
    problems: list[Finding],
) -> Sourced[Path | None]:
    explicit = settings.conf_dir
    if explicit.value is not None:
        state = probe(explicit.value)
        if state is PathState.MISSING:
            problems.append(
                Finding(
                    id="discovery.conf-dir-missing",
                    severity=Severity.ERROR,
                    message=f"The config dir {explicit.value} (from {explicit.source}) "
                    "does not exist.",
                    where=str(explicit.value),
                    fix="Point --conf-dir / AUTHLIB_TUI_CONF_DIR / conf_dir at the directory "
                    "holding authdaemonrc.",
                )
            )
        elif state is PathState.PRESENT and not explicit.value.is_dir():
            problems.append(
                Finding(
                    id="discovery.conf-dir-not-dir",
                    severity=Severity.ERROR,
                    message=f"The config dir {explicit.value} (from {explicit.source}) "
                    "is not a directory.",
                    where=str(explicit.value),
                    fix="Give the directory that holds authdaemonrc, not the file.",
                )
            )
        return Sourced(explicit.value, explicit.source)
    if layout.value is not None and rc_found:
        conf_dir = under(root, layout.value.conf_dir)
        if probe(conf_dir) is PathState.MISSING:
            problems.append(
                Finding(
                    id="discovery.conf-dir-missing",
                    severity=Severity.ERROR,
                    message=f"The {layout.value.label} config dir {conf_dir} does not exist.",
                    where=str(conf_dir),
                    fix="Check the layout setting, or pass --conf-dir.",
                )
            )
        if settings.layout.value is not None:
            return Sourced(
                conf_dir, f"{layout.value.label} layout default (layout {_origin(layout.source)})"
            )
        return Sourced(conf_dir, layout.source)
    problems.append(
        Finding(
            id="discovery.no-authdaemonrc",
            severity=Severity.WARNING,
            message="No authdaemonrc found in any known location.",
            where=", ".join(str(under(root, lay.authdaemonrc)) for lay in LAYOUTS),
            fix="Install courier-authlib, or pass --conf-dir if it lives elsewhere.",
        )
    )
    return Sourced(None, "not found in any known location")


def _config_file(
    conf_dir: Sourced[Path | None],
    name: str,
    layout: Layout | None,
    problems: list[Finding],
    access: list[Finding],
) -> Path | None:
    if conf_dir.value is None:
        return None
    path = conf_dir.value / name
    state = probe(path)
    if state is PathState.MISSING:
        if probe(conf_dir.value) is PathState.PRESENT:
            problems.append(
                Finding(
                    id=f"discovery.{name}-missing",
                    severity=Severity.ERROR if name == "authdaemonrc" else Severity.INFO,
                    message=f"There is no {name} in {conf_dir.value}.",
                    where=str(path),
                    fix="authdaemond will not start without it."
                    if name == "authdaemonrc"
                    else "Only the authpgsql module needs it.",
                )
            )
        return None
    fallback = (
        f"run as root or join group {layout.mail_group}" if layout else GENERIC_CONFIG_GROUP_FIX
    )
    if state is PathState.DENIED:
        access.append(
            Finding(
                id="access.config-dir",
                severity=Severity.WARNING,
                message=f"Cannot look inside {conf_dir.value} as {_uid_text()}, so {name} "
                "cannot be checked.",
                where=str(path),
                fix=fallback[:1].upper() + fallback[1:] + ".",
            )
        )
    elif not _readable(path):
        access.append(
            Finding(
                id="access.config-unreadable",
                severity=Severity.WARNING,
                message=f"Cannot read {name} as {_uid_text()}; its checks are skipped.",
                where=str(path),
                fix=_read_access_fix(path, fallback),
            )
        )
    return path


def _socket(
    settings: Settings,
    layout: Layout | None,
    rc_var: Path | None,
    rc: Path | None,
    root: Path,
    problems: list[Finding],
) -> Sourced[Path | None]:
    explicit = settings.socket
    if explicit.value is not None:
        if probe(explicit.value) is PathState.MISSING:
            problems.append(_socket_missing(explicit.value, f"from {explicit.source}"))
        return Sourced(explicit.value, explicit.source)

    candidates: list[tuple[Path, str]] = []
    if rc_var is not None:
        candidates.append((under(root, rc_var / "socket"), f"authdaemonvar={rc_var} in {rc}"))
    layouts = (layout,) if layout is not None else ()
    for lay in layouts:
        for socket_dir in lay.socket_dirs:
            candidates.append((under(root, socket_dir / "socket"), f"{lay.label} layout default"))
    if not candidates:
        # No layout: only a socket that is really there is worth reporting.
        for lay in LAYOUTS:
            path = under(root, lay.socket)
            if probe(path) is PathState.PRESENT:
                return Sourced(path, f"{path} exists ({lay.label} location)")
        return Sourced(None, "not found (no authdaemonrc and no socket in a known location)")

    states = [(path, reason, probe(path)) for path, reason in candidates]
    for path, reason, state in states:
        if state is PathState.PRESENT:
            return Sourced(path, reason)
    for path, reason, state in states:
        if state is PathState.DENIED:
            return Sourced(path, f"{reason} (its directory is not searchable, so unchecked)")
    path, reason = candidates[0]
    problems.append(_socket_missing(path, reason))
    return Sourced(path, f"{reason} (not present now)")


def _socket_missing(path: Path, why: str) -> Finding:
    return Finding(
        id="discovery.socket-missing",
        severity=Severity.WARNING,
        message=f"The socket {path} ({why}) does not exist: authdaemond is not running, "
        "was never started, or /run was cleared.",
        where=str(path),
        fix="Start authdaemond (systemctl start <unit>) and check its log for start-up errors.",
    )


def _socket_access(socket: Path, layout: Layout | None, access: list[Finding]) -> None:
    group_hint = f"join group {layout.mail_group}" if layout else "join the mail user's group"
    socket_dir = socket.parent
    if probe(socket_dir) is PathState.PRESENT and not os.access(socket_dir, os.X_OK):
        access.append(
            Finding(
                id="access.socket-dir",
                severity=Severity.WARNING,
                message=f"The socket dir is not searchable as {_uid_text()}: lookups and "
                "the pid file are out of reach.",
                where=str(socket_dir),
                fix=f"Run as root or {group_hint}. {SOCKET_DIR_WARNING}",
            )
        )
        return
    if probe(socket) is PathState.PRESENT and not os.access(socket, os.W_OK):
        access.append(
            Finding(
                id="access.socket",
                severity=Severity.WARNING,
                message=f"Cannot connect to the socket as {_uid_text()} (no write permission).",
                where=str(socket),
                fix=f"Run as root or {group_hint}.",
            )
        )


def _unit(root: Path, layout: Layout | None) -> Sourced[str | None]:
    preferred = layout.units if layout else ()
    for unit in dict.fromkeys((*preferred, *KNOWN_UNITS)):
        unit_file = _unit_file(root, unit)
        if unit_file is not None:
            return Sourced(unit, f"unit file {unit_file} exists")
    if layout is not None and layout.units:
        return Sourced(layout.units[0], f"{layout.label} layout default (no unit file found)")
    return Sourced(None, "no unit file found in " + ", ".join(str(d) for d in UNIT_DIRS))


def _log_files(
    root: Path, layout: Layout | None, access: list[Finding], configured: tuple[Path, ...] = ()
) -> tuple[Path, ...]:
    wanted = configured or (
        layout.log_files
        if layout
        else tuple(dict.fromkeys(f for lay in LAYOUTS for f in lay.log_files))
    )
    found: list[Path] = []
    for log_file in wanted:
        path = under(root, log_file)
        if probe(path) is not PathState.PRESENT:
            continue
        found.append(path)
        if not _readable(path):
            access.append(
                Finding(
                    id="access.log-unreadable",
                    severity=Severity.WARNING,
                    message=f"Cannot read the mail log as {_uid_text()}.",
                    where=str(path),
                    fix=_read_access_fix(path, "run as root or join group adm"),
                )
            )
    return tuple(found)


def _journal_dirs(
    root: Path, access: list[Finding], configured: Path | None = None
) -> tuple[Path, ...]:
    wanted = (configured,) if configured is not None else JOURNAL_DIRS
    found = tuple(
        under(root, d) for d in wanted if probe(under(root, d)) is PathState.PRESENT
    )
    for journal_dir in found:
        unreadable = _unreadable_journal(journal_dir)
        if unreadable is not None:
            access.append(
                Finding(
                    id="access.journal",
                    severity=Severity.WARNING,
                    message=f"Cannot read the system journal as {_uid_text()}; "
                    "authdaemond lines there are invisible.",
                    where=str(unreadable),
                    fix="Run as root or join group systemd-journal or adm.",
                )
            )
    return found


def _unreadable_journal(journal_dir: Path) -> Path | None:
    """The first part of the journal this user cannot read (dir or system.journal), if any."""
    if not os.access(journal_dir, os.R_OK | os.X_OK):
        return journal_dir
    try:
        machine_dirs = [Path(e.path) for e in os.scandir(journal_dir) if e.is_dir()]
    except OSError:
        return journal_dir
    for machine_dir in machine_dirs:
        if not os.access(machine_dir, os.R_OK | os.X_OK):
            return machine_dir
        system_journal = machine_dir / "system.journal"
        if probe(system_journal) is PathState.PRESENT and not _readable(system_journal):
            return system_journal
    return None


def _check_group_file(settings: Settings, problems: list[Finding]) -> None:
    group_file = settings.group_file
    if group_file.value is not None and probe(group_file.value) is PathState.MISSING:
        problems.append(
            Finding(
                id="discovery.group-file-missing",
                severity=Severity.WARNING,
                message=f"The group file {group_file.value} (from {group_file.source}) "
                "does not exist; gid → site lookups fall back to the system's groups.",
                where=str(group_file.value),
                fix="Fix group_file in the settings file or remove it.",
            )
        )


# --- entry point --------------------------------------------------------------------------


def discover(settings: Settings, root: Path = Path("/")) -> Discovery:
    """Resolve layout, config, socket, unit, logs and processes; never raises on permissions."""
    problems: list[Finding] = []
    access: list[Finding] = []

    layout, rc_found = _choose_layout(settings, root, problems)
    conf_dir = _conf_dir(settings, layout, rc_found, root, problems)
    authdaemonrc = _config_file(conf_dir, "authdaemonrc", layout.value, problems, access)
    authpgsqlrc = _config_file(conf_dir, "authpgsqlrc", layout.value, problems, access)
    rc_var = read_authdaemonvar(authdaemonrc) if authdaemonrc is not None else None

    socket = _socket(settings, layout.value, rc_var, authdaemonrc, root, problems)
    if socket.value is not None:
        _socket_access(socket.value, layout.value, access)

    _check_group_file(settings, problems)

    if socket.value is not None:
        pid_file: Path | None = socket.value.parent / "pid"
    elif layout.value is not None:
        pid_file = under(root, layout.value.pid_file)
    else:
        pid_file = None
    processes = find_daemon_processes(pid_file, proc=under(root, Path("/proc")))

    platform = _platform(settings, layout.value, root)
    return Discovery(
        layout=layout,
        conf_dir=conf_dir,
        authdaemonrc=authdaemonrc,
        authpgsqlrc=authpgsqlrc,
        socket=socket,
        unit=_unit(root, layout.value),
        log_files=_log_files(root, layout.value, access, settings.log_files.value),
        journal_dirs=_journal_dirs(root, access, settings.journal_dir.value),
        processes=processes,
        access=tuple(access),
        problems=tuple(problems),
        authdaemonvar=rc_var,
        platform=platform,
        login_services=find_login_services(platform.value, root, settings.login_configs),
    )


def _platform(settings: Settings, layout: Layout | None, root: Path) -> Sourced[Platform]:
    if settings.platform.value is not None:
        return Sourced(Platform(settings.platform.value), settings.platform.source)
    platform, reason = detect_platform(layout, root)
    return Sourced(platform, reason)


# --- `authlib-tui where` ------------------------------------------------------------------

_SETTING_SOURCE_PREFIXES = ("--", "env ", "config ", "default")


def _origin(source: str) -> str:
    if source == "default":
        return "built-in default"
    return f"from {source}" if source.startswith(_SETTING_SOURCE_PREFIXES) else source


def _line(label: str, value: object, source: str | None = None) -> str:
    """One labelled value; paths and reasons can hold anything a local user named a file."""
    shown = "(none)" if value is None or value == () else safe_text(value)
    text = f"  {label:<16}{shown}"
    return text + (f"\n  {'':<16}↳ {safe_text(_origin(source))}" if source else "")


def _findings_block(title: str, findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return [f"{title}: none"]
    lines = [f"{title}:"]
    for finding in findings:
        where = f" [{safe_text(finding.where)}]" if finding.where else ""
        lines.append(f"  {finding.severity.value.upper()}: {safe_text(finding.message)}{where}")
        if finding.fix:
            lines.append(f"    fix: {safe_text(finding.fix)}")
    return lines


def _processes_lines(processes: DaemonProcesses) -> list[str]:
    if processes.parent_pid is None:
        lines = ["  no authdaemond process found"]
    else:
        logger = (
            f"courierlogger {processes.logger_pid} → " if processes.logger_pid is not None else ""
        )
        lines = [
            f"  {logger}authdaemond parent {processes.parent_pid} → "
            f"{len(processes.worker_pids)} worker(s)"
        ]
        for pid in processes.worker_pids:
            started = processes.worker_started.get(pid)
            when = (
                datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S")
                if started is not None
                else "start time unknown"
            )
            lines.append(f"    worker {pid}, started {when}")
    lines.extend(f"  note: {safe_text(note)}" for note in processes.notes)
    return lines


def render_where(discovery: Discovery, settings: Settings, log_setup: str | None = None) -> str:
    """Plain-text report for `authlib-tui where`. Shows paths and reasons, never file contents.

    `log_setup` is the sentence the log readers' source choice gives ("journald only
    (no mail log file)"); it needs the journal probed, which discovery does not do.
    """
    # Here, not at the top: the log readers (and the signature catalogue behind them) are
    # not needed to discover, and the app imports discovery before its first frame.
    from tui.core.logs.rotated import describe_files
    from tui.core.postfix.postconf import discover_config_dir

    postfix_dir = discover_config_dir(settings)
    layout = discovery.layout.value
    layout_text = f"{layout.label} ({layout.name})" if layout else None
    searched = ", ".join(str(p) for p in settings.config_searched) or "(none)"
    lines = [
        "authlib-tui: what was discovered and from where",
        "",
        "Settings",
        f"  precedence      {PRECEDENCE}",
        _line("settings file", settings.config_file or "none found", f"searched: {searched}"),
        *(_line("ignored", path, f"not read: it is {why}")
          for path, why in settings.config_ignored),
        _line(
            "connect timeout",
            f"{settings.connect_timeout.value:g} s",
            settings.connect_timeout.source,
        ),
        _line("read timeout", f"{settings.read_timeout.value:g} s", settings.read_timeout.source),
        _line("maildrop waits", _delivery_text(settings), "TIMEOUT_SOCK/READ/WRITE maildrop gets"),
        _line("virtual root", settings.virtual_root.value, settings.virtual_root.source),
        _line(
            "group file",
            settings.group_file.value or "system groups (NSS)",
            settings.group_file.source,
        ),
        "",
        "Discovered",
        _line("layout", layout_text, discovery.layout.source),
        _line("platform", PLATFORM_LABELS[discovery.platform.value], discovery.platform.source),
        _line("conf dir", discovery.conf_dir.value, discovery.conf_dir.source),
        _line("authdaemonrc", discovery.authdaemonrc),
        _line("authpgsqlrc", discovery.authpgsqlrc),
        _line("authdaemonvar", discovery.authdaemonvar),
        _line("socket", discovery.socket.value, discovery.socket.source),
        _line("unit", discovery.unit.value, discovery.unit.source),
        _line("postfix dir", postfix_dir.path, postfix_dir.source),
        _line("logins", discovery.login_services.said),
        *([_line("log set-up", log_setup)] if log_setup else []),
        _line("log files", describe_files(discovery.log_files) or None,
              settings.log_files.source if settings.log_files.value else None),
        _line("journal", ", ".join(str(p) for p in discovery.journal_dirs) or None,
              settings.journal_dir.source if settings.journal_dir.value else None),
        "",
        "Processes",
        *_processes_lines(discovery.processes),
        "",
        *_findings_block("Access", discovery.access),
        "",
        *_findings_block("Problems", settings.problems + discovery.problems),
    ]
    return "\n".join(lines) + "\n"


def _delivery_text(settings: Settings) -> str:
    """The delivery side's timeouts: our lookups use them unless a timeout setting is given."""
    timeouts = delivery_timeouts(settings.postfix_dir.value)
    return (f"connect {timeouts.sock:g} s, write {timeouts.write:g} s, reply {timeouts.read:g} s "
            f"({timeouts.source})")

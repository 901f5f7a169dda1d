"""The app's own settings, each value carrying where it came from.

Precedence, highest first: CLI flags > environment > TOML settings file > built-in
defaults. Whatever is still unset after that (config dir, socket, layout) is filled
by discovery. Keeping the source next to the value lets `authlib-tui where` explain
every path instead of leaving the admin to guess which override won.

A broken settings file never stops the tool: bad TOML, unknown keys and wrong types
become `Finding`s in `Settings.problems`. Only a settings file the user named
explicitly (`--config` or `AUTHLIB_TUI_CONFIG`) that cannot be read is an error,
because silently ignoring it would run with settings the user did not ask for.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from tui.core.findings import Finding, Severity
from tui.core.platforms.layouts import LAYOUTS_BY_NAME
from tui.core.safe_files import UnsafePath, read_trusted_file

T = TypeVar("T")

PRECEDENCE = (
    "CLI flags > environment > settings file > built-in defaults; "
    "discovery fills what is still unset"
)

SYSTEM_CONFIG_PATH = Path("/etc/authlib-tui.toml")
USER_CONFIG_RELATIVE = Path("authlib-tui") / "config.toml"

ENV_CONF_DIR = "AUTHLIB_TUI_CONF_DIR"
ENV_SOCKET = "AUTHLIB_TUI_SOCKET"
ENV_CONFIG = "AUTHLIB_TUI_CONFIG"
ENV_PLATFORM = "AUTHLIB_TUI_PLATFORM"

DEFAULT_VIRTUAL_ROOT = Path("/home/virtual")
DEFAULT_CONNECT_TIMEOUT = 10.0  # libcourierauth's TIMEOUT_SOCK default
DEFAULT_READ_TIMEOUT = 30.0  # libcourierauth's TIMEOUT_READ default

DEFAULT_SOURCE = "default"
# An address no mail system has (RFC 2606 .invalid): each probe costs one query and gets FAIL.
DEFAULT_PROBE_ADDRESS = "authlib-tui-probe@example.invalid"
DEFAULT_SAMPLE_INTERVAL = 1.0  # seconds between Workers pane samples
DEFAULT_POSTFIX_DIR = Path("/etc/postfix")  # master.cf (delivery user), mailboxes.cf (ApisCP)
DEFAULT_AUDIT_LOG = Path("/var/log/authlib-tui/audit.log")  # every fix run from the app


class SettingsError(Exception):
    """A settings problem the tool must not run past (an explicit file that is unusable)."""


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A value and a human sentence fragment saying where it came from."""

    value: T
    source: str


# Built-in defaults, named so the dataclass defaults below are plain (immutable) values.
_UNSET_PATH: Sourced[Path | None] = Sourced(None, DEFAULT_SOURCE)
_UNSET_LAYOUT: Sourced[str | None] = Sourced(None, DEFAULT_SOURCE)
_DEFAULT_VIRTUAL_ROOT: Sourced[Path] = Sourced(DEFAULT_VIRTUAL_ROOT, DEFAULT_SOURCE)
_DEFAULT_CONNECT: Sourced[float] = Sourced(DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOURCE)
_DEFAULT_READ: Sourced[float] = Sourced(DEFAULT_READ_TIMEOUT, DEFAULT_SOURCE)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; every field defaults so tests and the lab can build one directly."""

    conf_dir: Sourced[Path | None] = _UNSET_PATH
    socket: Sourced[Path | None] = _UNSET_PATH
    # None = resolve gid → group name through the system's NSS (`grp`).
    group_file: Sourced[Path | None] = _UNSET_PATH
    virtual_root: Sourced[Path] = _DEFAULT_VIRTUAL_ROOT
    connect_timeout: Sourced[float] = _DEFAULT_CONNECT
    read_timeout: Sourced[float] = _DEFAULT_READ
    layout: Sourced[str | None] = _UNSET_LAYOUT
    # Mail log files to read instead of the layout's (e.g. the lab's maillog).
    log_files: Sourced[tuple[Path, ...]] = Sourced((), DEFAULT_SOURCE)
    # A journal directory to read instead of the system's (journal files copied off a host,
    # the lab's journald-only mode); None = /var/log/journal and /run/log/journal.
    journal_dir: Sourced[Path | None] = _UNSET_PATH
    # Which platform's commands fixes are given in; None = detect (discovery.platform).
    platform: Sourced[str | None] = Sourced(None, DEFAULT_SOURCE)
    # The address the Workers pane looks up once per interval to time the pool.
    probe_address: Sourced[str] = Sourced(DEFAULT_PROBE_ADDRESS, DEFAULT_SOURCE)
    sample_interval: Sourced[float] = Sourced(DEFAULT_SAMPLE_INTERVAL, DEFAULT_SOURCE)
    postfix_dir: Sourced[Path] = Sourced(DEFAULT_POSTFIX_DIR, DEFAULT_SOURCE)
    audit_log: Sourced[Path] = Sourced(DEFAULT_AUDIT_LOG, DEFAULT_SOURCE)
    # Courier IMAP/POP3 configs (imapd, pop3d…) to take as installed instead of looking in the
    # packagings' dirs; () = look (discovery.login_services).
    login_configs: Sourced[tuple[Path, ...]] = Sourced((), DEFAULT_SOURCE)
    config_file: Path | None = None
    config_searched: tuple[Path, ...] = ()
    # Settings files found but not read, each with why ("owned by uid 1000"): `where` names them.
    config_ignored: tuple[tuple[Path, str], ...] = ()
    problems: tuple[Finding, ...] = ()


def default_config_paths(
    environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> tuple[Path, ...]:
    """Where the settings file is looked for when none is named, in order (first found wins)."""
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative values
        user_dir = Path(xdg)
    else:
        user_dir = _home_dir(environ, home) / ".config"
    return (SYSTEM_CONFIG_PATH, user_dir / USER_CONFIG_RELATIVE)


# The name the rest of the app (and `where`) uses for the list above.
DEFAULT_CONFIG_PATHS = default_config_paths


def _home_dir(environ: Mapping[str, str], home: Path | None) -> Path:
    if home is not None:
        return home
    env_home = environ.get("HOME", "")
    return Path(env_home) if env_home else Path.home()


# --- value parsing ------------------------------------------------------------------------


def _as_path(value: object) -> Path:
    if isinstance(value, Path):
        return value.expanduser()
    if isinstance(value, str) and value.strip():
        return Path(value.strip()).expanduser()
    raise ValueError("expected a non-empty path string")


def _as_timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("expected a number of seconds")
    try:
        seconds = float(value)
    except ValueError as exc:
        raise ValueError("expected a number of seconds") from exc
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError("expected a positive number of seconds")
    return seconds


def _as_layout(value: object) -> str:
    if not isinstance(value, str) or value.strip() not in LAYOUTS_BY_NAME:
        known = ", ".join(LAYOUTS_BY_NAME)
        raise ValueError(f"expected one of: {known}")
    return value.strip()


def _as_platform(value: object) -> str:
    from tui.core.platforms.platform import Platform

    known = [platform.value for platform in Platform]
    if not isinstance(value, str) or value.strip() not in known:
        raise ValueError(f"expected one of: {', '.join(known)}")
    return value.strip()


def _as_address(value: object) -> str:
    from tui.core.authdaemon.request import address_problem

    if not isinstance(value, str):
        raise ValueError("expected an address string")
    problem = address_problem(value.strip(), what="probe address")
    if problem is not None:
        raise ValueError(problem.message)
    return value.strip()


def _as_paths(value: object) -> tuple[Path, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    paths = tuple(_as_path(item) for item in items)
    if not paths:
        raise ValueError("expected one or more paths")
    return paths


_PARSERS: dict[str, Callable[[object], object]] = {
    "conf_dir": _as_path,
    "socket": _as_path,
    "group_file": _as_path,
    "virtual_root": _as_path,
    "connect_timeout": _as_timeout,
    "read_timeout": _as_timeout,
    "layout": _as_layout,
    "log_files": _as_paths,
    "journal_dir": _as_path,
    "platform": _as_platform,
    "probe_address": _as_address,
    "sample_interval": _as_timeout,
    "postfix_dir": _as_path,
    "audit_log": _as_path,
    "login_configs": _as_paths,
}
SETTING_KEYS: tuple[str, ...] = tuple(_PARSERS)

_ENV_FOR_KEY = {"conf_dir": ENV_CONF_DIR, "socket": ENV_SOCKET, "platform": ENV_PLATFORM}


def _flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


# --- the settings file ----------------------------------------------------------------------


def _explicit_config(
    flags: Mapping[str, object | None], environ: Mapping[str, str]
) -> Sourced[Path] | None:
    flag_value = flags.get("config")
    if flag_value is not None and str(flag_value).strip():
        return Sourced(Path(str(flag_value).strip()).expanduser(), "--config flag")
    env_value = environ.get(ENV_CONFIG, "")
    if env_value.strip():
        return Sourced(Path(env_value.strip()).expanduser(), f"env {ENV_CONFIG}")
    return None


def _read_explicit(config: Sourced[Path]) -> bytes:
    """Read a file the user named; failing to is fatal because they asked for it."""
    path = config.value
    try:
        return read_trusted_file(path)
    except UnsafePath as exc:
        raise SettingsError(
            f"The settings file {path} (from {config.source}) was not read: it is "
            f"{exc.strerror}; {_trust_rule()}"
        ) from exc
    except FileNotFoundError as exc:
        raise SettingsError(
            f"The settings file {path} (from {config.source}) does not exist."
        ) from exc
    except IsADirectoryError as exc:
        raise SettingsError(
            f"The settings file {path} (from {config.source}) is a directory, not a file."
        ) from exc
    except PermissionError as exc:
        raise SettingsError(
            f"The settings file {path} (from {config.source}) is not readable by uid "
            f"{os.geteuid()}; run as root or fix its permissions."
        ) from exc
    except OSError as exc:
        raise SettingsError(
            f"The settings file {path} (from {config.source}) cannot be read: {exc.strerror}."
        ) from exc


def _trust_rule() -> str:
    if os.geteuid() == 0:
        return ("as root, authlib-tui reads only a settings file owned by root that only "
                "root can change, in a directory only root can write")
    return "authlib-tui reads only a settings file owned by you or by root"


def _read_first_default(
    candidates: tuple[Path, ...], problems: list[Finding], ignored: list[tuple[Path, str]]
) -> tuple[Path, bytes] | None:
    """The first default settings file that exists and may be trusted; others are noted.

    Under `sudo -E` the user file is the caller's: root reading it would let whatever
    runs as that user choose root's conf dir, socket and audit log.
    """
    for path in candidates:
        try:
            return path, read_trusted_file(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except UnsafePath as exc:
            ignored.append((path, str(exc.strerror)))
            problems.append(
                Finding(
                    id="settings.file-ignored",
                    severity=Severity.WARNING,
                    message=f"Settings file ignored: it is {exc.strerror}.",
                    where=str(path),
                    fix=f"Nothing from it was used: {_trust_rule()}.",
                )
            )
        except OSError as exc:
            problems.append(
                Finding(
                    id="settings.file-unreadable",
                    severity=Severity.WARNING,
                    message=f"Settings file exists but cannot be read ({exc.strerror}); "
                    "it was skipped.",
                    where=str(path),
                    fix="Run as root or make the file readable by this user.",
                )
            )
    return None


def _parse_toml(path: Path, raw: bytes, problems: list[Finding]) -> dict[str, object]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        detail = "it is not UTF-8 text"
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
    problems.append(
        Finding(
            id="settings.bad-toml",
            severity=Severity.ERROR,
            message=f"Settings file is not valid TOML ({detail}); all of it was ignored.",
            where=str(path),
            fix="Fix the syntax; see `authlib-tui where` for the keys it accepts.",
        )
    )
    return {}


def _file_values(
    path: Path, document: Mapping[str, object], problems: list[Finding]
) -> dict[str, object]:
    """Validated values from the settings file; bad entries become findings, not errors."""
    values: dict[str, object] = {}
    for key, raw_value in document.items():
        parse = _PARSERS.get(key)
        if parse is None:
            problems.append(
                Finding(
                    id="settings.unknown-key",
                    severity=Severity.WARNING,
                    message=f"Unknown setting {key!r} was ignored.",
                    where=str(path),
                    fix="Known keys: " + ", ".join(SETTING_KEYS) + ".",
                )
            )
            continue
        try:
            value = parse(raw_value)
        except ValueError as exc:
            problems.append(
                Finding(
                    id="settings.bad-value",
                    severity=Severity.ERROR,
                    message=f"Setting {key!r} = {raw_value!r} was ignored: {exc}.",
                    where=str(path),
                    fix=f"Give {key} a valid value or remove it to use the default.",
                )
            )
            continue
        if isinstance(value, Path) and not value.is_absolute():
            # Relative to the file, not to wherever the tool happens to be started.
            value = path.parent / value
        values[key] = value
    return values


# --- putting it together --------------------------------------------------------------------


def load_settings(
    flags: Mapping[str, object | None],
    environ: Mapping[str, str] = os.environ,
    home: Path | None = None,
) -> Settings:
    """Resolve every setting by precedence; raise `SettingsError` only for an unusable `--config`.

    `flags` keys: `conf_dir`, `socket`, `config` (and, for callers such as the lab, any
    other setting name). A flag whose value is None or empty counts as not given.
    """
    problems: list[Finding] = []
    ignored: list[tuple[Path, str]] = []

    explicit = _explicit_config(flags, environ)
    config_file: Path | None = None
    file_values: dict[str, object] = {}
    if explicit is not None:
        searched: tuple[Path, ...] = (explicit.value,)
        raw = _read_explicit(explicit)
        config_file = explicit.value
        file_values = _file_values(config_file, _parse_toml(config_file, raw, problems), problems)
    else:
        searched = default_config_paths(environ, home)
        found = _read_first_default(searched, problems, ignored)
        if found is not None:
            config_file, raw = found
            document = _parse_toml(config_file, raw, problems)
            file_values = _file_values(config_file, document, problems)

    resolved: dict[str, Sourced[object]] = {}
    defaults = Settings()
    for key in SETTING_KEYS:
        resolved[key] = (
            _from_flag(key, flags)
            or _from_env(key, environ)
            or _from_file(key, file_values, config_file)
            or getattr(defaults, key)
        )

    return Settings(
        **resolved,  # type: ignore[arg-type]  # each key's parser fixes its type
        config_file=config_file,
        config_searched=searched,
        config_ignored=tuple(ignored),
        problems=tuple(problems),
    )


def _from_flag(key: str, flags: Mapping[str, object | None]) -> Sourced[object] | None:
    value = flags.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    source = f"{_flag_name(key)} flag"
    try:
        return Sourced(_PARSERS[key](value), source)
    except ValueError as exc:
        raise SettingsError(f"The {source} value {value!r} is not usable: {exc}.") from exc


def _from_env(key: str, environ: Mapping[str, str]) -> Sourced[object] | None:
    name = _ENV_FOR_KEY.get(key)
    if name is None or not environ.get(name, "").strip():
        return None
    # An env value is as explicit as a flag, so a bad one is an error too.
    try:
        return Sourced(_PARSERS[key](environ[name]), f"env {name}")
    except ValueError as exc:
        raise SettingsError(
            f"The env {name} value {environ[name]!r} is not usable: {exc}."
        ) from exc


def _from_file(
    key: str, values: Mapping[str, object], config_file: Path | None
) -> Sourced[object] | None:
    if key not in values or config_file is None:
        return None
    return Sourced(values[key], f"config {config_file}")

"""Which Courier IMAP/POP3 programs log users in here, and so ask authdaemond for logins.

Debian's courier-imap and courier-pop keep their configs in /etc/courier (imapd,
imapd-ssl, pop3d, pop3d-ssl); the upstream RPMs in /etc/courier-imap or
/usr/lib/courier-imap/etc. Each found config is said with its path, and their log
tags are what the Logs pane follows. On ApisCP Dovecot serves IMAP and POP3 and
authenticates on its own: its logins are not authlib's, and discovery says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core.logs.login_line import LOGIN_TAGS
from tui.core.platforms.platform import Platform
from tui.core.settings import Sourced

# Where each packaging puts the login programs' configs (one file per service).
CONFIG_DIRS: tuple[Path, ...] = (Path("/etc/courier"), Path("/etc/courier-imap"),
                                 Path("/usr/lib/courier-imap/etc"))
SERVICE_CONFIGS: tuple[str, ...] = ("imapd", "imapd-ssl", "pop3d", "pop3d-ssl")
DOVECOT_CONFIG = Path("/etc/dovecot/dovecot.conf")


@dataclass(frozen=True)
class LoginServices:
    """The login programs found (service name → its config), and what that means here."""

    configs: tuple[tuple[str, Path], ...]
    said: str  # one sentence for `where` and the wizard
    dovecot: bool = False  # Dovecot does the logins: they are not authlib's

    @property
    def sentence(self) -> str:
        """`said` as a sentence on its own (the wizard's skip and its verdict)."""
        return f"{self.said[:1].upper()}{self.said[1:]}."

    @property
    def installed(self) -> bool:
        return bool(self.configs)

    @property
    def log_tags(self) -> tuple[str, ...]:
        """The syslog tags to follow: the login programs' own, only where they are installed."""
        return LOGIN_TAGS if self.installed else ()


NO_LOGIN_SERVICES = LoginServices((), "not looked for")


def _under(root: Path, path: Path) -> Path:
    return root / path.relative_to("/")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def find_login_services(platform: Platform, root: Path = Path("/"),
                        configured: Sourced[tuple[Path, ...]] | None = None) -> LoginServices:
    """Courier IMAP/POP3's configs under `root`; on ApisCP (or wherever Dovecot is the one
    configured) the logins are said to be Dovecot's. Configs named in the settings
    (`login_configs`) are taken as given, with where they came from."""
    if configured is not None and configured.value:
        named = tuple((path.name, path) for path in configured.value)
        shown = ", ".join(str(path) for path in configured.value)
        return LoginServices(named, f"Courier {shown} (from {configured.source}): their logins "
                                    "ask authdaemond")
    dovecot = _is_file(_under(root, DOVECOT_CONFIG))
    configs = tuple((name, _under(root, directory / name)) for directory in CONFIG_DIRS
                    for name in SERVICE_CONFIGS if _is_file(_under(root, directory / name)))
    if platform is Platform.APISCP or (dovecot and not configs):
        why = "ApisCP" if platform is Platform.APISCP else f"{DOVECOT_CONFIG} exists"
        return LoginServices((), f"Dovecot does IMAP/POP3 logins here ({why}): they are not "
                                 "authlib's, and their failures are Dovecot's to explain", True)
    if not configs:
        return LoginServices((), "no Courier IMAP/POP3 config found (" + ", ".join(
            str(_under(root, d)) for d in CONFIG_DIRS) + "): logins are not authlib's here")
    names = ", ".join(f"{name} ({path})" for name, path in configs)
    return LoginServices(configs, f"Courier {names}: their logins ask authdaemond")

"""The recent login lines of Courier IMAP/POP3, from the same source the Logs pane reads."""

from __future__ import annotations

import threading

from tui.core.installation import Installation
from tui.core.log_sources.log_reader import open_sources
from tui.core.logs.kind import Kind
from tui.core.logs.login_line import LoginLine, parse_login_message

RECENT_LOGIN_LINES = 5000

TimedLogin = tuple[float, LoginLine]


def recent_logins(installation: Installation, since: float | None = None,
                  max_lines: int = RECENT_LOGIN_LINES) -> list[TimedLogin]:
    """(time, login event) of the newest login lines, oldest first; [] where no login program
    is installed (its lines are not authlib's then)."""
    return _read(installation, since, max_lines)[1]


def _read(installation: Installation, since: float | None,
          max_lines: int) -> tuple[str, list[TimedLogin]]:
    """The sources read (as a key: another set of sources is another history) and their
    login lines from `since` on."""
    if not installation.discovery.login_services.installed:
        return "", []
    reader = open_sources(installation)
    key = repr((reader.choice.primary, reader.choice.files, reader.choice.journal_dirs,
                reader.choice.units, installation.discovery.login_services.log_tags))
    try:
        found: list[TimedLogin] = []
        for batch in reader.backfill(max_lines, since):
            for entry in batch:
                if entry.kind is not Kind.LOGIN or entry.timestamp is None:
                    continue
                line = parse_login_message(entry.message)
                if line is not None:
                    found.append((entry.timestamp, line))
        return key, found
    finally:
        reader.close()


class LoginHistory:
    """The login lines of a sliding window, for a caller that asks every few seconds.

    The monitor's health run asks for the last hour's logins each run; on a busy server
    that hour is many megabytes of mail log. Each call reads back only to the newest line
    the previous call saw (that second's lines again, since several share it) and keeps
    the rest from before; other sources (a changed log set-up) start over.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._lines: list[TimedLogin] = []
        self.read_from: float | None = None  # where the last call's read began (for tests)

    def since(self, installation: Installation, since: float,
              max_lines: int = RECENT_LOGIN_LINES) -> list[TimedLogin]:
        """Like `recent_logins(installation, since)`, from what earlier calls read."""
        with self._lock:
            newest = self._lines[-1][0] if self._lines else None
            start = since if newest is None or newest < since else newest
            key, new = _read(installation, start, max_lines)
            if key != self._key:
                if start != since:  # the kept lines were another source's: read it all
                    start = since
                    key, new = _read(installation, start, max_lines)
                kept: list[TimedLogin] = []
            else:
                kept = [(at, line) for at, line in self._lines if since <= at < start]
            self._key, self.read_from = key, start
            self._lines = (kept + new)[-max_lines:]
            return list(self._lines)

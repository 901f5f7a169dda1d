"""The recent login lines of Courier IMAP/POP3, from the same source the Logs pane reads."""

from __future__ import annotations

from tui.core.installation import Installation
from tui.core.log_sources.log_reader import open_sources
from tui.core.logs.kind import Kind
from tui.core.logs.login_line import LoginLine, parse_login_message

RECENT_LOGIN_LINES = 5000


def recent_logins(installation: Installation, since: float | None = None,
                  max_lines: int = RECENT_LOGIN_LINES) -> list[tuple[float, LoginLine]]:
    """(time, login event) of the newest login lines, oldest first; [] where no login program
    is installed (its lines are not authlib's then)."""
    if not installation.discovery.login_services.installed:
        return []
    reader = open_sources(installation)
    try:
        found: list[tuple[float, LoginLine]] = []
        for batch in reader.backfill(max_lines, since):
            for entry in batch:
                if entry.kind is not Kind.LOGIN or entry.timestamp is None:
                    continue
                line = parse_login_message(entry.message)
                if line is not None:
                    found.append((entry.timestamp, line))
        return found
    finally:
        reader.close()

"""A log entry's level (error, warning, info, debug), from its priority or its signature."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.logs.entry import LogEntry


def level_of(entry: LogEntry) -> str:
    """The journal's priority where there is one; a file's line has none, so its signature's."""
    priority = entry.priority
    if entry.signature is not None and priority is None:
        return entry.signature.severity.value
    if priority is None:
        return "info"
    if priority <= 3:
        return "error"
    if priority == 4:
        return "warning"
    if priority == 7:
        return "debug"
    return "info"


def is_mail_lost(entry: LogEntry) -> bool:
    """A line that says mail was bounced (lost for its sender): outranks every error."""
    if entry.signature is not None and entry.signature.mail_lost:
        return True
    delivery = entry.delivery
    return delivery is not None and delivery.status == "bounced"

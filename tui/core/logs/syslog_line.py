"""One line of a syslog file (rsyslog's /var/log/mail.log or /var/log/maillog).

Two timestamp styles exist in the wild: the traditional `Nov 26 23:30:24`
(local time, no year) and RFC 3339 `2026-11-26T23:30:24.123456+00:00`, which
newer rsyslog templates write. After the host comes `tag[pid]: message` or, as
courierlogger logs without LOG_PID, `tag: message`.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from datetime import datetime

from tui.core.password_mask import Cut, cut_of, mask_passwords

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_TRADITIONAL = re.compile(
    r"^(?P<month>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+"
    r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)\s+(?P<rest>.*)$",
    re.DOTALL,
)
_RFC3339 = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
# `host tag[pid]: message`; the tag is anything up to `[`, `:` or a blank.
_HOST_TAG = re.compile(
    r"^(?P<host>\S+)\s+(?:(?P<tag>[^\s:\[\]]+)(?:\[(?P<pid>\d+)\])?:(?: |$))?(?P<message>.*)$",
    re.DOTALL,
)
_FUTURE_TOLERANCE = 86400.0  # clocks and time zones differ: up to a day ahead is "this year"


@dataclass(frozen=True)
class LogLine:
    """A parsed syslog line; `raw` is the line as read (without its newline)."""

    timestamp: float | None  # epoch seconds; None if the date is impossible (e.g. Feb 30)
    host: str
    tag: str  # "" when the line has no `tag:`
    pid: int | None
    message: str
    raw: str  # passwords masked
    cut: Cut = Cut.WHOLE  # what courierlogger's 511-byte limit may have done to the message


def _traditional_timestamp(match: re.Match[str], year: int | None, now: float) -> float | None:
    """Local time; without a year, this year unless that is more than a day in the future."""
    month = _MONTHS.get(match.group("month"))
    if month is None:
        return None
    fields = (
        month,
        int(match.group("day")),
        int(match.group("hour")),
        int(match.group("minute")),
        int(match.group("second")),
    )
    years = [year] if year is not None else [time.localtime(now).tm_year]
    if year is None:
        years.append(years[0] - 1)
    for candidate in years:
        stamp = _local_epoch(candidate, *fields)
        if stamp is None:
            continue  # e.g. Feb 29 in a year that has none: try the year before
        if year is not None or stamp <= now + _FUTURE_TOLERANCE:
            return stamp
    return None


@functools.lru_cache(maxsize=256)
def _local_epoch(
    year: int, month: int, day: int, hour: int, minute: int, second: int
) -> float | None:
    """Epoch seconds of a local time; remembered, since a busy log repeats each second."""
    try:
        return datetime(year, month, day, hour, minute, second).timestamp()  # naive = local
    except (ValueError, OverflowError):
        return None


def _rfc3339_timestamp(stamp: str) -> float | None:
    try:
        return datetime.fromisoformat(stamp).timestamp()  # naive (no offset) = local time
    except (ValueError, OverflowError):
        return None


def parse_syslog_line(
    line: str, year: int | None = None, *, now: float | None = None
) -> LogLine | None:
    """Parse one line; None when it does not start with a syslog timestamp and host.

    `year` pins the year of traditional timestamps; otherwise it is inferred relative
    to `now` (default: the current time).
    """
    raw = line.rstrip("\r\n")
    reference = time.time() if now is None else now
    timestamp: float | None
    if traditional := _TRADITIONAL.match(raw):
        timestamp = _traditional_timestamp(traditional, year, reference)
        rest = traditional.group("rest")
    elif rfc3339 := _RFC3339.match(raw):
        timestamp = _rfc3339_timestamp(rfc3339.group("stamp"))
        rest = rfc3339.group("rest")
    else:
        return None
    fields = _HOST_TAG.match(rest)
    if fields is None:
        return None
    pid = fields.group("pid")
    message = fields.group("message")
    return LogLine(
        timestamp=timestamp,
        host=fields.group("host"),
        tag=fields.group("tag") or "",
        pid=int(pid) if pid else None,
        message=mask_passwords(message),  # DEBUG_LOGIN=2 lines: never keep the secret
        raw=mask_passwords(raw),
        cut=cut_of(message),  # measured before masking changed its length
    )

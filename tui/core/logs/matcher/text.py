"""The text a pattern is matched against: a message without its priority prefix or wrapper.

courierlogger strips the `ERR:`/`WARN:` prefix and picks the priority from it. Where
the daemon runs without courierlogger the prefix stays, so it is read and stripped here.
"""

from __future__ import annotations

import re

LOG_INFO = 6

_PRIORITY_BY_PREFIX = {"ALERT": 1, "CRIT": 2, "ERR": 3, "WARN": 4, "INFO": 6, "DEBUG": 7}
_PREFIX = re.compile(r"^\s*(?P<prefix>ERR|WARN|ALERT|CRIT|DEBUG|INFO):")
_PRIORITY_PREFIX = re.compile(r"^(?:ERR|WARN|ALERT|CRIT|DEBUG|INFO):\s*")
# rsyslog folds repeats into `message repeated 3 times: [ <message>]`.
_REPEATED = re.compile(r"^message repeated \d+ times: \[ ?(?P<message>.*)\]$")


def message_text(message: str) -> str:
    """The message as authdaemond wrote it: no priority prefix, no rsyslog repeat wrapper."""
    text = message.strip()
    repeated = _REPEATED.match(text)
    if repeated:
        text = repeated.group("message")
    return _PRIORITY_PREFIX.sub("", text, count=1)


def priority_from_prefix(message: str) -> int | None:
    """The priority an `ERR:`/`WARN:`/… prefix means (it stays when courierlogger is not used)."""
    match = _PREFIX.match(message)
    return _PRIORITY_BY_PREFIX[match.group("prefix")] if match else None

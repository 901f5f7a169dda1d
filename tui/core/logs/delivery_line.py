"""Postfix pipe(8) delivery lines: did maildrop fail, and what did it print.

    5CA13C0F12: to=<x@y.com>, relay=vmaildrop, delay=0.09, delays=0.06/0.01/0/0.02,
    dsn=4.3.0, status=deferred (temporary failure. Command output: ERR: authdaemon: ...)

Both ends of the line carry text someone else chose: the recipient address (any
sender on the internet picks it) and the command output. Postfix quotes a local
part with specials, so the address is read quote-aware and the fixed fields must
follow it directly. An address that fakes `relay=…, status=…` inside quotes
therefore stays inside `recipient`, and only the real `Command output:` is looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAILED_STATUSES = frozenset({"deferred", "bounced"})
COMMAND_OUTPUT_MARK = "Command output: "

# `"quoted \" local part"` or any run of characters that are not `"` or `>`.
_ADDRESS = r'(?:"(?:[^"\\]|\\.)*"|[^">])*'
_PIPE_LINE = re.compile(
    rf"^(?P<queue_id>[0-9A-Za-z]+): to=<(?P<recipient>{_ADDRESS})>, "
    rf"(?:orig_to=<(?P<orig_to>{_ADDRESS})>, )?"
    r"relay=(?P<relay>[^,\s]+), "
    r"(?:conn_use=\d+, )?"
    r"delay=(?P<delay>\d+(?:\.\d+)?), "
    r"delays=(?P<delays>\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)*), "
    # Fields newer Postfix adds before dsn= (3.11: `tls=…`): tolerated, not read.
    r"(?:(?!dsn=)[a-z_]+=[^,]*, )*"
    r"dsn=(?P<dsn>\d\.\d{1,3}\.\d{1,3}), "
    r"status=(?P<status>[a-z]+)"
    r"(?: \((?P<reason>.*)\))?$",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class DeliveryInfo:
    """One pipe(8) delivery attempt; `command_output` is maildrop's stderr, newlines flattened."""

    queue_id: str
    recipient: str
    relay: str
    delay: float
    delays: tuple[float, ...]  # before queue manager / in queue manager / connection / transmit
    dsn: str
    status: str  # sent, deferred, bounced, expired...
    reason: str  # text inside the status parentheses, "" if none
    command_output: str | None  # None when the reason carries no `Command output:`
    orig_to: str = ""  # the address before alias expansion (`orig_to=`), "" when not logged

    @property
    def failed(self) -> bool:
        """Deferred or bounced: the only attempts the log pane explains."""
        return self.status in FAILED_STATUSES

    @property
    def transmission_seconds(self) -> float | None:
        """The last `delays` field: ≈0 for a connect error, ≈30 s for a saturated pool."""
        return self.delays[-1] if self.delays else None


def is_maildrop_relay(relay: str) -> bool:
    """ApisCP's transports are vmaildrop/localmaildrop; custom names usually keep "maildrop"."""
    return "maildrop" in relay.lower()


def parse_delivery_line(message: str) -> DeliveryInfo | None:
    """The delivery in a `postfix/pipe` message (text after the tag), or None if it is not one."""
    match = _PIPE_LINE.match(message.rstrip("\r\n"))
    if match is None:
        return None
    reason = match.group("reason") or ""
    mark = reason.find(COMMAND_OUTPUT_MARK)
    command_output = reason[mark + len(COMMAND_OUTPUT_MARK) :] if mark >= 0 else None
    return DeliveryInfo(
        queue_id=match.group("queue_id"),
        recipient=match.group("recipient"),
        relay=match.group("relay"),
        delay=float(match.group("delay")),
        delays=tuple(float(part) for part in match.group("delays").split("/")),
        dsn=match.group("dsn"),
        status=match.group("status"),
        reason=reason,
        command_output=command_output,
        orig_to=match.group("orig_to") or "",
    )

"""Mail the maildrop transport bounced recently: lost mail, from Postfix's own log lines.

The queue no longer holds a bounced message, so only the log can say it
happened. Only pipe(8) lines of a maildrop transport count (`relay=` names it),
with `status=bounced`; what maildrop printed (`Command output:`) tells why.
Journal-only hosts are not read here: `log_files` must be files.

One bounce is counted once: the same file may be named twice (a configured log
and main.cf's `maillog_file` reached through a link or bind mount), and a host
may copy mail lines into two logs (Debian's mail.log and syslog). Postfix
bounces a recipient of a queued message only once, so (queue id, recipient)
identifies it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.logs.catalogue.record import Signature
from tui.core.logs.delivery_line import is_maildrop_relay, parse_delivery_line
from tui.core.logs.matcher.classify import classify_command_output
from tui.core.logs.matcher.entry import is_pipe_tag
from tui.core.logs.syslog_line import parse_syslog_line
from tui.core.logs.tail import read_tails

WINDOW_SECONDS = 3600.0
MAX_BYTES = 8_000_000  # per file: a busy hour of a busy server's mail log


@dataclass(frozen=True)
class BouncedMail:
    timestamp: float
    queue_id: str
    recipient: str
    relay: str
    dsn: str
    reason: str
    signature: Signature | None  # what maildrop's output means, None if not a known text
    raw: str  # the line as Postfix wrote it


@dataclass(frozen=True)
class BounceReport:
    since: float
    bounces: tuple[BouncedMail, ...] = ()
    files_read: tuple[Path, ...] = ()
    unreadable: dict[Path, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.bounces)

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(bounce.recipient for bounce in self.bounces))

    @property
    def known(self) -> bool:
        """At least one log file was read: a count of 0 means something."""
        return bool(self.files_read)


def bounced_recently(log_files: Sequence[Path], now: float | None = None,
                     window: float = WINDOW_SECONDS, max_bytes: int = MAX_BYTES) -> BounceReport:
    """Bounces by a maildrop transport within `window` seconds before `now`, oldest first."""
    reference = time.time() if now is None else now
    since = reference - window
    found: dict[tuple[str, str], BouncedMail] = {}
    read: list[Path] = []
    unreadable: dict[Path, str] = {}
    for path, tail, _ in read_tails(log_files, max_bytes, unreadable):
        read.append(path)
        for text in tail.decode("utf-8", errors="replace").split("\n"):
            if "status=bounced" not in text:
                continue
            line = parse_syslog_line(text, now=reference)
            if line is None or line.timestamp is None or not is_pipe_tag(line.tag):
                continue
            if not since <= line.timestamp <= reference + 60:
                continue
            info = parse_delivery_line(line.message)
            if info is None or info.status != "bounced" or not is_maildrop_relay(info.relay):
                continue
            signature = (classify_command_output(info.command_output)
                         if info.command_output is not None else None)
            found.setdefault((info.queue_id, info.recipient),
                             BouncedMail(line.timestamp, info.queue_id, info.recipient,
                                         info.relay, info.dsn, info.reason, signature, line.raw))
    bounces = sorted(found.values(), key=lambda bounce: bounce.timestamp)
    return BounceReport(since, tuple(bounces), tuple(read), unreadable)

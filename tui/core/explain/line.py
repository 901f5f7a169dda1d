"""Explain pasted log lines: what each known one means, its cause, how to confirm it, the fix.

An admin pastes what a ticket holds: a whole syslog line, a `journalctl -o short`
line, a Postfix pipe line, half of one (`status=deferred (… Command output: …)`)
or the bare message. Whatever wraps the message is peeled off, then the line is
matched against the same signatures the app uses, so `explain`, the log pane and
docs/failures.md always agree.

Input is read as a stream of bytes: a whole mail log, invalid UTF-8 and a
10 MB line must neither exhaust memory nor stop the run. Only the head of an
over-long line is looked at (no real message is that long), and every line
shown back is masked and sanitised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from tui.core.checks.registry import check_for_step
from tui.core.explain.remedies import PlatformFacts
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.delivery_line import COMMAND_OUTPUT_MARK, parse_delivery_line
from tui.core.logs.matcher.classify import (
    classify,
    classify_command_output,
    classify_program_line,
)
from tui.core.logs.matcher.entry import with_delays
from tui.core.password_mask import mask_passwords
from tui.core.safe_text import safe_text

LINE_HEAD_BYTES = 64 * 1024  # what is read of one line; the rest is skipped unread
SHOWN_CHARS = 300  # of the line, in the explanation

# Dates a pasted line may start with: syslog (`Nov 26 23:30:24`, journald's -o short and
# -o short-precise), RFC 3339 (-o short-iso, newer rsyslog) and `[ 1234.5678]` kernel-style.
_STAMP = (
    r"(?:[A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{4}\s+)?\d\d:\d\d:\d\d(?:\.\d+)?"
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|\[\s*\d+\.\d+\]|\d{9,}\.\d+)"
)
# `tag[pid]: ` (courierlogger logs without a pid; journald and some syslogs add one).
_TAG = r"(?P<tag>[^\s:\[\]]+)(?:\[\d+\])?:\s"
_WITH_STAMP = re.compile(rf"^\s*(?:<\d{{1,3}}>)?{_STAMP}\s+(?:(?P<host>[^\s:]+)\s+)?{_TAG}")
# Without a date, only tags of the programs we explain count as a prefix: any other
# `word: ` may be the message itself (`marker line not found in /x: …`).
_KNOWN_TAG = re.compile(
    r"^\s*(?:(?P<host>[^\s:]+)\s+)?(?P<tag>(?:\S*/)?(?:authdaemond[\w.-]*|courierlogger|authdaemon"
    r"|courier-authdaemon|courier-authlib|maildrop|postfix(?:-[\w-]+)?/[\w-]+|imapd(?:-ssl)?"
    r"|pop3d(?:-ssl)?|imaplogin|courierpop3login|couriertcpd|couriertls"
    # Postfix's commands as a terminal shows their stderr; systemd as a paste from journalctl.
    r"|post(?:map|alias|conf|queue|super|drop)|sendmail|systemd))(?:\[\d+\])?:\s"
    # The client's own `authdaemon: s_connect() failed` is maildrop's text, not a tag.
    r"(?!s_connect\(\) failed|socket\(\) failed)"
)
_AUTHDAEMOND_TAG = re.compile(r"(?:\S*/)?(?:authdaemond|courierlogger)")
_PATH_PERRORS = frozenset({"maildrop-home-create-failed"})
_BOUNCED = re.compile(r"\bstatus=bounced\b")
_QUEUE_ID = re.compile(r"^[0-9A-Za-z]+: to=<")


@dataclass(frozen=True)
class Explanation:
    """One explained line: the signature it matched and what to do, for the platform given."""

    line_number: int
    line: str  # sanitised and masked, at most SHOWN_CHARS
    signature: Signature
    mail_lost: bool  # bounced: the sender got the mail back, it will not be retried
    cause: str
    confirm: str
    fix: str
    check: str  # the `authlib-tui check` id that confirms it ("" when none)

    @property
    def normal(self) -> bool:
        """A line of normal work (a delivery, a login): explained, but nothing is wrong."""
        return self.signature.normal and not self.mail_lost

    @property
    def severity_label(self) -> str:
        if self.normal:
            return "NORMAL"
        return "MAIL LOST" if self.mail_lost else self.signature.severity.value.upper()

    def as_dict(self) -> dict[str, object]:
        signature = self.signature
        return {
            "line_number": self.line_number, "line": self.line, "id": signature.id,
            "severity": signature.severity.value, "mail_lost": self.mail_lost,
            "rank": signature.rank + (1 if self.mail_lost and not signature.mail_lost else 0),
            "short": signature.short, "meaning": signature.meaning, "cause": self.cause,
            "confirm": self.confirm, "fix": self.fix, "check": self.check,
            "wizard_step": signature.wizard_step, "normal": self.normal,
        }


def split_prefix(line: str) -> tuple[str, str]:
    """(tag, message): a syslog/journald header peeled off; ("", line) when there is none."""
    match = _WITH_STAMP.match(line) or _KNOWN_TAG.match(line)
    if match is None:
        return "", line.strip()
    return match.group("tag"), line[match.end():].strip()


def _command_output(message: str) -> str | None:
    """maildrop's text after `Command output:`, from a whole pipe line or a pasted piece."""
    delivery = parse_delivery_line(message) if _QUEUE_ID.match(message) else None
    if delivery is not None:
        return delivery.command_output
    mark = message.find(COMMAND_OUTPUT_MARK)
    if mark < 0:
        return None
    output = message[mark + len(COMMAND_OUTPUT_MARK):]
    return output[:-1] if output.endswith(")") else output


def identify(line: str) -> tuple[Signature | None, bool]:
    """The signature of one pasted line, and whether its mail was bounced (lost)."""
    tag, message = split_prefix(line)
    output = _command_output(message)
    if output is not None:
        delivery = parse_delivery_line(message) if _QUEUE_ID.match(message) else None
        signature = with_delays(classify_command_output(output), delivery)
        bounced = _BOUNCED.search(message[: message.find(COMMAND_OUTPUT_MARK)]) is not None
        return signature, signature is not None and (signature.mail_lost or bounced)
    signature = classify(message) or classify_program_line(message)
    if signature is None:
        signature = classify_command_output(message)  # maildrop's stderr pasted on its own
        # A bare `/path: strerror` from authdaemond is its own perror, never maildrop's.
        if signature is not None and signature.id in _PATH_PERRORS and _AUTHDAEMOND_TAG.match(tag):
            signature = None
    return signature, signature is not None and signature.mail_lost


def explain_line(line: str, facts: PlatformFacts, line_number: int = 1) -> Explanation | None:
    """The explanation of one line of text, or None when no signature knows it."""
    masked = mask_passwords(line)
    signature, mail_lost = identify(masked)
    if signature is None:
        return None
    remedy = signature.remedy
    return Explanation(
        line_number=line_number,
        line=safe_text(masked.strip(), SHOWN_CHARS),
        signature=signature,
        mail_lost=mail_lost,
        cause=facts.fill(remedy.cause) if remedy else signature.meaning,
        confirm=facts.fill(remedy.confirm) if remedy else "",
        fix=facts.fix(remedy) if remedy else "Nothing to do: this line is information.",
        check=check_for_step(signature.wizard_step) or "",
    )


def uncompressed(stream: BinaryIO) -> BinaryIO:
    """`stream` itself, or a streaming gzip reader when it starts with gzip's magic bytes.

    A rotated log (`mail.log.2.gz`, `maillog-20261130.gz`) can then be piped in as it is:
    `authlib-tui explain - < mail.log.2.gz`. Nothing is read into memory whole.
    """
    import gzip
    import io

    buffered = io.BufferedReader(cast(io.RawIOBase, stream))
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return cast(BinaryIO, gzip.GzipFile(fileobj=buffered, mode="rb"))
    return cast(BinaryIO, buffered)


def read_lines(stream: BinaryIO, head_bytes: int = LINE_HEAD_BYTES) -> Iterator[str]:
    """Each line of a byte stream, decoded leniently; of a long line only its first bytes.

    `readline(limit)` never holds more than `head_bytes` of a line: the rest is read
    in bounded pieces and dropped, so a 10 MB line or a log with no newline at all
    costs no more memory than a short one.
    """
    while True:
        head = stream.readline(head_bytes)
        if not head:
            return
        tail = head
        while not tail.endswith(b"\n"):
            tail = stream.readline(head_bytes)
            if not tail:
                break
        yield head.rstrip(b"\r\n").decode("utf-8", errors="replace")


def explain_lines(lines: Iterable[str], facts: PlatformFacts) -> Iterator[Explanation | int]:
    """An Explanation for each known line, then the number of lines read (the last item)."""
    count = 0
    for count, line in enumerate(lines, start=1):
        explanation = explain_line(line, facts, count)
        if explanation is not None:
            yield explanation
    yield count

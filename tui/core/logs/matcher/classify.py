"""One message's text to its record: the first record of its channel whose pattern matches."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.matcher.compiled import (
    any_authdaemond,
    authdaemond_patterns,
    command_output_patterns,
    notable,
    program_line_patterns,
)
from tui.core.logs.matcher.text import message_text


def classify(message: str) -> Signature | None:
    """The first record the message (syslog text after `authdaemond: `) matches."""
    text = message_text(message)
    if any_authdaemond().match(text) is None:
        return None  # most authdaemond lines are debug lines that no record knows
    for signature, pattern in authdaemond_patterns():
        if pattern.search(text):
            return signature
    return None


def classify_notable(message: str) -> Signature | None:
    """`classify`, for callers that only want warnings and errors: None for anything else."""
    text = message_text(message)
    if notable().search(text) is None:
        return None
    for signature, pattern in authdaemond_patterns():
        if pattern.search(text):
            return signature if signature.severity is not Severity.INFO else None
    return None


def classify_command_output(command_output: str) -> Signature | None:
    """The client-side record at the start of maildrop's stderr as Postfix logged it."""
    for signature, pattern in command_output_patterns():
        if pattern.search(command_output):
            return signature
    return None


def classify_program_line(message: str) -> Signature | None:
    """The record of another program's own line (imapd, couriertls, Postfix's daemons, …)."""
    text = message_text(message)
    for signature, pattern in program_line_patterns():
        if pattern.search(text):
            return signature
    return None

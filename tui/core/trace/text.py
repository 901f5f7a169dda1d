"""A trace as plain text at 80 columns: what `trace` prints, and what a report or note quotes.

Every line goes through the sanitiser here: addresses, Message-IDs and log text
are chosen by outsiders.
"""

from __future__ import annotations

import textwrap

from tui.core.safe_text import safe_text
from tui.core.trace.story import attempts_story, clock, verdict_words
from tui.core.trace.trace import TracedRecipient, TraceReport

WIDTH = 80


def _wrapped(text: str, indent: str = "  ", width: int = WIDTH) -> list[str]:
    return textwrap.wrap(safe_text(text, 4000), width, initial_indent=indent,
                         subsequent_indent=indent + "  ", break_on_hyphens=False) or [indent]


def begins_words(report: TraceReport) -> str:
    """Where the history starts, so "never arrived" is told apart from "rotated away"."""
    if report.history_begins is None:
        return "the logs hold no Postfix or authdaemond lines"
    where = f" ({report.oldest_source})" if report.oldest_source else ""
    return f"logs begin {clock(report.history_begins)}{where}"


def item_lines(item: TracedRecipient, width: int = WIDTH) -> list[str]:
    """One message for one recipient: its ids, the attempts' story, the verdict."""
    message = item.message
    sender = "<>" if message.sender == "" else (message.sender or "?")
    head = f"{message.queue_id}  {sender} → {item.recipient or '(no recipient logged)'}"
    lines = _wrapped(head, "", width)
    if message.message_id:
        lines += _wrapped(f"message-id {message.message_id}", width=width)
    if message.notice_of:
        lines += _wrapped(f"the bounce notice of {message.notice_of}", width=width)
    if item.attempts:
        lines += _wrapped(attempts_story(list(item.attempts)), width=width)
    lines += _wrapped(verdict_words(item.verdict, message), width=width)
    return lines


def trace_text(report: TraceReport, width: int = WIDTH) -> str:
    """The whole answer: where the logs begin, each message, authdaemond's answer now, notes."""
    lines = _wrapped(f"trace {report.query.text}: {begins_words(report)}", "", width)
    for item in report.traced:
        lines.append("")
        lines += item_lines(item, width)
    if report.now is not None:
        lines.append("")
        lines += _wrapped(f"now: {report.now.sentence}", "", width)
    for note in report.notes:
        lines += _wrapped(f"note: {note}", "", width)
    return "\n".join(lines)

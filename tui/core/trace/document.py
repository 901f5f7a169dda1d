"""The `--json` document of a trace, in the shape the issue fixes (times ISO 8601, null unknown).

    {"query", "history_begins", "messages": [{"queue_id", "message_id", "sender",
     "recipient", "state", "attempts": [{"time", "status", "dsn", "relay", "delays",
     "output", "cause", "evidence"}], "next_retry", "gives_up", "notice_queue_id"}]}

Values are the log's text, passwords already masked; JSON escapes control
characters, so nothing here can drive a terminal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.core.trace.message import Attempt
from tui.core.trace.trace import TracedRecipient, TraceReport


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")


def _attempt(attempt: Attempt) -> dict[str, Any]:
    info = attempt.delivery
    return {
        "time": iso(attempt.timestamp),
        "status": info.status,
        "dsn": info.dsn,
        "relay": info.relay,
        "delays": attempt.delays,
        "output": attempt.output,
        "cause": attempt.cause.value if attempt.cause is not None else None,
        "evidence": list(attempt.evidence),
    }


def _message(item: TracedRecipient) -> dict[str, Any]:
    message, verdict = item.message, item.verdict
    return {
        "queue_id": message.queue_id,
        "message_id": message.message_id,
        "sender": message.sender,
        "recipient": item.recipient,
        "state": verdict.state.value,
        "attempts": [_attempt(attempt) for attempt in item.attempts],
        "next_retry": iso(verdict.next_retry),
        "gives_up": iso(verdict.gives_up),
        "notice_queue_id": message.notice.queue_id,
    }


def trace_document(report: TraceReport) -> dict[str, Any]:
    return {
        "query": report.query.text,
        "history_begins": iso(report.history_begins),
        "messages": [_message(item) for item in report.traced],
    }

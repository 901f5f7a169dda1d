"""Each message as a short story an admin reads at 80 columns.

    14:02 deferred: the database password was wrong (authdaemond 14:02:07) · 14:07 deferred
    · 14:19 delivered after the fix

A cause is told once, at the first attempt it explains; the attempts after it
say only what happened. The words are plain text: the caller sanitises them
(addresses and log text are chosen by outsiders).
"""

from __future__ import annotations

import time

from tui.core.trace.message import Attempt, TracedMessage
from tui.core.trace.verdict import State, Verdict

SEPARATOR = " · "


def clock(moment: float, now: float | None = None) -> str:
    """`14:02` today, `12 Nov 14:02` on another day."""
    local = time.localtime(moment)
    today = time.localtime(time.time() if now is None else now)
    if local[:3] == today[:3]:
        return time.strftime("%H:%M", local)
    return time.strftime("%d %b %H:%M", local).lstrip("0")


def attempt_words(attempt: Attempt, previous: Attempt | None) -> str:
    status = "delivered" if attempt.status == "sent" else attempt.status
    if attempt.status == "sent" and previous is not None and previous.failed:
        status = "delivered after the fix" if previous.cause is not None else "delivered"
    words = f"{clock(attempt.timestamp)} {status}"
    told = previous is not None and previous.cause_words == attempt.cause_words
    if attempt.failed and attempt.cause_words and not told:
        words += f": {attempt.cause_words}"
        if attempt.evidence_at is not None:
            said = time.strftime("%H:%M:%S", time.localtime(attempt.evidence_at))
            words += f" (authdaemond {said})"
    elif attempt.failed and not attempt.cause_words and not told and attempt.output:
        words += f": {attempt.output}"
    return words


def attempts_story(attempts: list[Attempt]) -> str:
    parts = [attempt_words(attempt, attempts[index - 1] if index else None)
             for index, attempt in enumerate(attempts)]
    return SEPARATOR.join(parts)


def verdict_words(verdict: Verdict, message: TracedMessage) -> str:
    """The end of the story: delivered, lost (and the notice's fate), or still waiting."""
    if verdict.state is State.DELIVERED:
        return f"delivered {verdict.how}"
    if verdict.state is State.LOST:
        notice = message.notice
        words = f"LOST: {verdict.how}"
        if notice.failed_to is not None:
            reason = f": {notice.failed_reason}" if notice.failed_reason else ""
            words += f"; the bounce notice to <{notice.failed_to}> failed{reason}"
        elif notice.queue_id:
            fate = f", {notice.fate}" if notice.fate else ""
            words += f"; bounce notice {notice.queue_id} to the sender{fate}"
        return words
    if verdict.state is State.WAITING:
        parts = [f"waiting {verdict.how}"]
        if verdict.next_retry is not None:
            parts.append(f"next retry {clock(verdict.next_retry)}")
        if verdict.gives_up is not None:
            parts.append(f"Postfix gives up {clock(verdict.gives_up)}")
        return ", ".join(parts)
    return f"unknown: {verdict.how}"

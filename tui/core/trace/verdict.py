"""What became of one message for one recipient: delivered, waiting, lost, or unknown.

*lost* is the word for mail the recipient will never get: bounced, expired
(returned to sender), or deleted by postsuper. *waiting* is mail still in the
queue (`postqueue -j`), with the next attempt and the moment Postfix gives up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.core.postfix.queue import QueuedMessage
from tui.core.trace.message import Attempt, TracedMessage
from tui.core.trace.retry_clock import RetryRules


class State(StrEnum):
    DELIVERED = "delivered"
    WAITING = "waiting"
    LOST = "lost"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    state: State
    how: str  # "by vmaildrop", "bounced", "expired, returned to sender", "deleted (postsuper)"
    when: float | None  # delivered / lost at; None while waiting or unknown
    next_retry: float | None = None
    gives_up: float | None = None


def verdict_of(message: TracedMessage, recipient: str | None,
               queued: QueuedMessage | None, rules: RetryRules, *,
               queue_read: bool = False) -> Verdict:
    """`queue_read`: the queue was listed, so a message not in it is not waiting there."""
    attempts: list[Attempt] = message.attempts.get(recipient, []) if recipient else []
    last = attempts[-1] if attempts else None
    if last is not None and last.status == "sent":
        return Verdict(State.DELIVERED, f"by {last.delivery.relay}", last.timestamp)
    if last is not None and last.status == "bounced":
        return Verdict(State.LOST, "bounced", last.timestamp)
    if message.expired_at is not None:
        return Verdict(State.LOST, "expired, returned to sender", message.expired_at)
    deleted = [when for when, action in message.admin if action == "removed"]
    if deleted:
        return Verdict(State.LOST, "deleted (postsuper -d)", deleted[-1])
    if queued is None and queue_read and last is not None and not message.closed:
        # Gone from the queue with no line saying so (a postsuper -d whose line was lost).
        return Verdict(State.UNKNOWN, "no longer in the queue, and no line says where it went",
                       None)
    if queued is not None or (last is not None and not message.closed):
        arrival = queued.arrival_time if queued is not None else message.first_seen
        sender = queued.sender if queued is not None else message.sender
        held = queued is not None and queued.queue_name == "hold"
        last_try = last.timestamp if last is not None else None
        return Verdict(
            State.WAITING, "on hold (postsuper -h)" if held else
            ("in the queue" if queued is not None else "deferred (the queue was not read)"),
            None, None if held else rules.next_retry(message.queue_id, arrival, last_try),
            rules.gives_up(arrival, sender))
    return Verdict(State.UNKNOWN, "no outcome in the logs", None)

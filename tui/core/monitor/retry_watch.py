"""After a retry of the waiting mail: what became of each message, from Postfix's own lines.

A watch starts with the messages that were deferred for the chain when the admin
asked for the retry. It subscribes to the monitor's stream: each pipe line for a
watched queue id turns its message delivered (`status=sent`), deferred again (with
the reason) or bounced. A message can leave the queue a moment before the log
follower reads the line that says how, so a message missing from the queue is
called gone (no line seen) only when it is still unexplained `LINE_GRACE` seconds
after the first sample that missed it; until then the watch is not done. The
summary is the sentence the app shows:
"11 of 12 delivered, 1 still deferred: …".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tui.core.safe_text import safe_text

if TYPE_CHECKING:
    from tui.core.monitor.observations import Observation
    from tui.core.postfix.queue import QueuedMessage


class Fate(StrEnum):
    WAITING = "waiting"  # no attempt seen since the retry
    DELIVERED = "delivered"
    DEFERRED = "still deferred"
    BOUNCED = "bounced"
    GONE = "left the queue"  # no longer queued, and no line of ours said how


LINE_GRACE = 15.0  # seconds for Postfix's line to reach the log and the follower

_WORST_FIRST = (Fate.BOUNCED, Fate.DEFERRED, Fate.WAITING, Fate.GONE, Fate.DELIVERED)
_STATUS_FATE = {"sent": Fate.DELIVERED, "deferred": Fate.DEFERRED, "bounced": Fate.BOUNCED,
                "expired": Fate.BOUNCED}


@dataclass(frozen=True)
class WatchedMessage:
    queue_id: str
    recipients: tuple[str, ...]
    fate: Fate
    reason: str  # the last attempt's reason, "" when none was seen


class RetryWatch:
    def __init__(self, messages: tuple[QueuedMessage, ...], started: float) -> None:
        self.started = started
        self._lock = threading.Lock()
        # (queue id, recipient) → (fate, reason)
        self._fates: dict[tuple[str, str], tuple[Fate, str]] = {
            (message.queue_id, recipient.address): (Fate.WAITING, recipient.reason)
            for message in messages for recipient in message.chain_recipients
        }
        self._order = [message.queue_id for message in messages]
        self._missing_since: dict[str, float] = {}  # queue id → first sample without it

    def observe(self, observation: Observation) -> None:
        """The stream's subscriber: pipe lines and queue samples after the retry."""
        from tui.core.monitor.observations import LogBatch, QueueSampled

        if isinstance(observation, LogBatch) and not observation.backfill:
            for entry in observation.entries:
                delivery = entry.delivery
                if delivery is None or (entry.timestamp or self.started) < int(self.started):
                    continue
                fate = _STATUS_FATE.get(delivery.status)
                if fate is not None:
                    self._attempted(delivery.queue_id, delivery.recipient, fate,
                                    delivery.reason)
        elif isinstance(observation, QueueSampled) and observation.at > self.started:
            queue = observation.queue
            if queue is None or not queue.ok:
                return
            queued = {message.queue_id for message in queue.messages}
            with self._lock:
                for (queue_id, recipient), (fate, reason) in list(self._fates.items()):
                    if fate is not Fate.WAITING or queue_id in queued:
                        continue
                    since = self._missing_since.setdefault(queue_id, observation.at)
                    if observation.at - since >= LINE_GRACE:
                        self._fates[(queue_id, recipient)] = (Fate.GONE, reason)

    def _attempted(self, queue_id: str, recipient: str, fate: Fate, reason: str) -> None:
        with self._lock:
            keys = [key for key in self._fates if key[0] == queue_id]
            # A rewritten recipient (an alias) logs another to=: then the id decides.
            exact = [key for key in keys if key[1] == recipient]
            for key in exact or keys:
                self._fates[key] = (fate, reason)

    def messages(self) -> list[WatchedMessage]:
        """Each watched message with its worst recipient's fate, in the queue's order."""
        with self._lock:
            fates = dict(self._fates)
        shown = []
        for queue_id in self._order:
            mine = {recipient: value for (qid, recipient), value in fates.items()
                    if qid == queue_id}
            if not mine:
                continue
            fate, reason = min(mine.values(), key=lambda value: _WORST_FIRST.index(value[0]))
            shown.append(WatchedMessage(queue_id, tuple(mine), fate, reason))
        return shown

    @property
    def done(self) -> bool:
        return all(message.fate is not Fate.WAITING for message in self.messages())

    def summary(self) -> str:
        """"11 of 12 delivered, 1 still deferred: <reason>" (the reasons sanitised)."""
        messages = self.messages()
        if not messages:
            return "No message was waiting for the chain."
        delivered = sum(message.fate is Fate.DELIVERED for message in messages)
        parts = [f"{delivered} of {len(messages)} delivered"]
        for fate in (Fate.DEFERRED, Fate.BOUNCED, Fate.WAITING, Fate.GONE):
            these = [message for message in messages if message.fate is fate]
            if not these:
                continue
            part = f"{len(these)} {fate.value}"
            reason = next((m.reason for m in these if m.reason), "")
            if reason and fate in (Fate.DEFERRED, Fate.BOUNCED):
                part += f": {safe_text(reason, 200)}"
            parts.append(part)
        return ", ".join(parts)

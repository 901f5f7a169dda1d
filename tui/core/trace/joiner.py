"""Join a history's lines into messages by queue ID, across Postfix's daemons.

Traps this handles:

* **Reused queue IDs**: short IDs come back. A file qmgr removed is closed, so
  a later line with its ID starts a new message; so does a second
  `client=`/`uid=` line, or a Message-ID that differs, on an ID whose
  `removed` line was lost (rotated away, a crash).
* **The bounce notice in both orders**: before Postfix 3.11 cleanup logs the
  notice's new ID before bounce logs `OLD: sender non-delivery notification:
  NEW`; from 3.11 on the bounce line comes first. Either way the two messages
  are linked, and the notice's own fate is followed.
* **Memory**: only messages still in the queue are held, plus the answer; a
  removed message that does not match the query is dropped at once.

authdaemond's lines carry no queue ID: those that mean something (a signature)
are kept in time order for `causes.py` to join by time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.core.logs.catalogue.record import Signature
from tui.core.logs.matcher.entry import AUTH_TAGS, classify_entry
from tui.core.trace.history import HistoryLine
from tui.core.trace.message import Attempt, TracedMessage
from tui.core.trace.postfix_events import EventKind, PostfixEvent, parse_event
from tui.core.trace.query import Query, QueryKind


@dataclass(frozen=True, slots=True)
class AuthLine:
    """An authdaemond line that a signature explains: a cause waiting for an attempt."""

    timestamp: float
    message: str  # passwords masked
    signature: Signature


def matches(message: TracedMessage, query: Query) -> bool:
    key = query.key
    if query.kind is QueryKind.QUEUE_ID:
        return message.queue_id == key
    message_id = (message.message_id or "").strip("<>").lower()
    if query.kind is QueryKind.MESSAGE_ID:
        return message_id == key
    return key in message.addresses() or message_id == key


@dataclass
class Joiner:
    """Feed it the merged history (`feed`), then take `messages()` and `auth_lines`."""

    query: Query
    open: dict[str, TracedMessage] = field(default_factory=dict)
    answer: list[TracedMessage] = field(default_factory=list)
    auth_lines: list[AuthLine] = field(default_factory=list)

    def feed(self, lines: Iterable[HistoryLine]) -> None:
        for line in lines:
            if line.tag in AUTH_TAGS:
                self._auth(line)
                continue
            event = parse_event(line.message, line.tag, line.timestamp)
            if event is not None:
                self._event(event)

    def messages(self) -> list[TracedMessage]:
        """The answer, in order of arrival; messages still open are decided as they stand."""
        for message in list(self.open.values()):
            self._decide(message, final=True)
        self.open.clear()
        return sorted(self.answer, key=lambda message: message.first_seen)

    # -- authdaemond --------------------------------------------------------------------
    def _auth(self, line: HistoryLine) -> None:
        signature = classify_entry(line.message, line.tag)
        if signature is not None:
            self.auth_lines.append(AuthLine(line.timestamp, line.message, signature))

    # -- Postfix ------------------------------------------------------------------------
    def _message_for(self, event: PostfixEvent) -> TracedMessage:
        current = self.open.get(event.queue_id)
        if current is not None and self._starts_anew(current, event):
            self._close(current, None)
            current = None
        if current is None:
            current = TracedMessage(event.queue_id, event.timestamp)
            self.open[event.queue_id] = current
        current.last_seen = event.timestamp
        return current

    @staticmethod
    def _starts_anew(current: TracedMessage, event: PostfixEvent) -> bool:
        """A reused ID whose `removed` line the history lacks."""
        if event.kind is EventKind.RECEIVED:
            return bool(current.received_by)
        if event.kind is EventKind.MESSAGE_ID:
            return current.message_id is not None and current.message_id != event.message_id
        return False

    def _event(self, event: PostfixEvent) -> None:
        message = self._message_for(event)
        kind = event.kind
        if kind is EventKind.RECEIVED:
            message.received_by = event.daemon
            message.client = event.detail
            message.sender = event.sender if event.sender is not None else message.sender
        elif kind is EventKind.MESSAGE_ID:
            message.message_id = event.message_id
        elif kind is EventKind.QUEUED:
            message.sender = event.sender
            message.queued_times.append(event.timestamp)
        elif kind is EventKind.ATTEMPT:
            assert event.delivery is not None
            recipient = event.delivery.recipient
            message.attempts.setdefault(recipient, []).append(
                Attempt(event.timestamp, event.daemon, event.delivery))
            if event.delivery.orig_to:
                message.orig_to[recipient] = event.delivery.orig_to
        elif kind is EventKind.NOTICE:
            self._link_notice(message, event)
        elif kind is EventKind.NOTICE_FAILED:
            message.notice.failed_to = event.address
            message.notice.failed_reason = event.detail
            message.notice.timestamp = message.notice.timestamp or event.timestamp
        elif kind is EventKind.EXPIRED:
            message.expired_at = event.timestamp
            message.sender = event.sender
        elif kind is EventKind.ADMIN:
            message.admin.append((event.timestamp, event.detail))
            if event.detail == "removed":
                self._close(message, event.timestamp)
        elif kind is EventKind.REMOVED:
            self._close(message, event.timestamp)

    def _link_notice(self, message: TracedMessage, event: PostfixEvent) -> None:
        notice_id = event.notice_queue_id
        assert notice_id is not None
        message.notice.queue_id = notice_id
        message.notice.timestamp = event.timestamp
        notice = self.open.get(notice_id)
        if notice is None or notice.original is not None:
            # Postfix ≥ 3.11 logs the link before cleanup logs the new message.
            notice = TracedMessage(notice_id, event.timestamp, last_seen=event.timestamp)
            self.open[notice_id] = notice
        notice.notice_of = message.queue_id
        notice.original = message
        message.notice_message = notice

    # -- keeping the answer, dropping the rest ------------------------------------------
    def _close(self, message: TracedMessage, when: float | None) -> None:
        message.removed_at = when if when is not None else message.last_seen
        if self.open.get(message.queue_id) is message:
            del self.open[message.queue_id]
        self._decide(message, final=False)

    def _decide(self, message: TracedMessage, *, final: bool) -> None:
        """Keep a message that matches, or is a kept message's notice; else let it go.

        A notice whose original is still in the queue waits for the original's decision.
        """
        original = message.original
        if original is not None and not original.closed and not final:
            return
        if message.kept:
            return
        if matches(message, self.query) or (original is not None and original.kept):
            self._keep(message)
        notice = message.notice_message
        if notice is not None and notice.closed and not notice.kept and (
                message.kept or matches(notice, self.query)):
            self._keep(notice)

    def _keep(self, message: TracedMessage) -> None:
        message.kept = True
        self.answer.append(message)

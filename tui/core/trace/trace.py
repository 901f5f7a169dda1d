"""`trace QUERY`: read the history, join it, explain each failure, give each recipient its verdict.

`trace_history` is the pure part (lines in, answer out) that tests feed with
lines of Postfix's exact format; `run_trace` reads this host's sources, its
queue and its Postfix's rules, and asks authdaemond about an address now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.installation import Installation
from tui.core.log_sources.sources import sources_of
from tui.core.postfix.postconf import discover_config_dir
from tui.core.postfix.queue import QueuedMessage, QueueSampler, QueueSnapshot
from tui.core.trace.address_now import AnswerNow, answer_now
from tui.core.trace.causes import explain_all
from tui.core.trace.history import (
    HistoryLine,
    HistoryStart,
    file_history,
    journal_follower,
    journal_history,
    merged,
)
from tui.core.trace.joiner import Joiner, matches
from tui.core.trace.message import Attempt, TracedMessage
from tui.core.trace.prefilter import Prefilter
from tui.core.trace.query import Query, QueryKind
from tui.core.trace.retry_clock import RetryRules, rules_of
from tui.core.trace.sampled_state import SampledStates
from tui.core.trace.verdict import State, Verdict, verdict_of


@dataclass(frozen=True)
class TracedRecipient:
    """One message for one recipient: the unit the story and the JSON document tell."""

    message: TracedMessage
    recipient: str | None  # None when the history names no recipient yet
    attempts: tuple[Attempt, ...]
    verdict: Verdict


@dataclass
class TraceReport:
    query: Query
    history_begins: float | None
    oldest_source: str | None
    traced: list[TracedRecipient]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # unreadable files, an unread queue
    now: AnswerNow | None = None  # what authdaemond answers for the address now

    @property
    def found(self) -> bool:
        return bool(self.traced)


def _recipients(message: TracedMessage, queued: QueuedMessage | None) -> list[str | None]:
    names: list[str | None] = list(message.attempts)
    if queued is not None:
        names += [r.address for r in queued.recipients if r.address not in message.attempts]
    return names or [None]


def _wanted_recipient(recipient: str | None, message: TracedMessage, query: Query) -> bool:
    """For an address query, its own recipient rows (or all of them, when it is the sender)."""
    if query.kind is not QueryKind.ADDRESS or recipient is None:
        return True
    key = query.key
    message_id = (message.message_id or "").strip("<>").lower()
    if (message.sender or "").lower() == key or message_id == key:
        return True
    return key in (recipient.lower(), message.orig_to.get(recipient, "").lower())


def _notice_fate(message: TracedMessage) -> None:
    notice = message.notice_message
    if notice is None:
        return
    finals = [attempts[-1].status for attempts in notice.attempts.values() if attempts]
    if finals:
        message.notice.fate = "delivered" if all(s == "sent" for s in finals) else finals[-1]


def trace_history(query: Query, lines: Iterable[HistoryLine], *, queue: QueueSnapshot | None,
                  rules: RetryRules, states: SampledStates | None = None
                  ) -> list[TracedRecipient]:
    """The answer for `query` from lines in time order; `states`: the pool and socket as the
    monitor or a recording sampled them, for the causes the logs leave open."""
    joiner = Joiner(query)
    joiner.feed(lines)
    messages = joiner.messages()
    explain_all([a for m in messages for attempts in m.attempts.values() for a in attempts],
                joiner.auth_lines, states)
    queue_read = queue is not None and queue.ok
    in_queue = queued_by_id(queue)
    return [item for message in messages
            for item in told_recipients(message, query, in_queue, rules, queue_read=queue_read)]


def queued_by_id(queue: QueueSnapshot | None) -> dict[str, QueuedMessage]:
    """The queue's messages by queue ID; empty when the queue was not read."""
    return {m.queue_id: m for m in queue.messages} if queue is not None and queue.ok else {}


def told_recipients(message: TracedMessage, query: Query, in_queue: dict[str, QueuedMessage],
                    rules: RetryRules, *, queue_read: bool) -> list[TracedRecipient]:
    """One joined (and explained) message as the answer tells it: a row per wanted
    recipient with its verdict; none for a kept message's notice (told inside that message).
    `queue_read`: deferred mail missing from a queue that was read is not waiting."""
    _notice_fate(message)
    if not matches(message, query):
        return []
    queued = None if message.closed else in_queue.get(message.queue_id)
    return [TracedRecipient(
        message, recipient, tuple(message.attempts.get(recipient, []) if recipient else []),
        verdict_of(message, recipient, queued, rules, queue_read=queue_read))
        for recipient in _recipients(message, queued)
        if _wanted_recipient(recipient, message, query)]


def history_streams(installation: Installation, query: Query, since: float | None,
                    notes: list[str], sources: list[str], live_only: bool = False
                    ) -> list[Iterator[HistoryLine]]:
    """Every source of this host's history (log files prefiltered for `query`); unreadable
    files go to `notes`. `live_only`: the live log files alone, not their rotated copies
    nor the journal."""
    choice = sources_of(installation)
    streams: list[Iterator[HistoryLine]] = []

    def unreadable(path: Path, error: OSError) -> None:
        notes.append(f"cannot read {path}: {error.strerror or error}")

    for path in choice.files:
        streams.append(file_history(path, unreadable, Prefilter(query), live_only))
        sources.append(str(path))
    if choice.journal_dirs and not live_only:
        follower = journal_follower(choice.units, choice.journal_directory)
        streams.append(journal_history(follower, since))
        sources.append("journal")
    return streams


def queue_and_rules(installation: Installation, notes: list[str]
                    ) -> tuple[QueueSnapshot, RetryRules]:
    """This Postfix's queue now and its retry rules; a queue that cannot be read is a note."""
    config_dir = discover_config_dir(installation.settings).path
    rules = rules_of(config_dir)
    queue = QueueSampler(config_dir).sample()
    if not queue.ok:
        notes.append(f"the queue was not read ({queue.error}): waiting mail is judged from "
                     "the log alone")
    return queue, rules


def run_trace(installation: Installation, query: Query, since: float | None = None,
              until: float | None = None, *, ask_authdaemond: bool = True,
              states: SampledStates | None = None) -> TraceReport:
    """This host's answer; `states` from the app's monitor (subscribed to its stream) or from
    a recording (`trace --recording FILE`)."""
    notes: list[str] = []
    sources: list[str] = []
    start = HistoryStart()
    lines = merged(history_streams(installation, query, since, notes, sources), start, since,
                   until)
    queue, rules = queue_and_rules(installation, notes)
    traced = trace_history(query, lines, queue=queue, rules=rules, states=states)
    now = None
    if ask_authdaemond and query.kind is QueryKind.ADDRESS:
        waiting = any(item.verdict.state is State.WAITING for item in traced)
        now = answer_now(installation, query.text.strip("<>"), mail_waiting=waiting)
    return TraceReport(query, start.begins, start.oldest_source, traced, sources, notes, now)


def counts(report: TraceReport) -> dict[State, int]:
    found: dict[State, int] = {}
    for item in report.traced:
        found[item.verdict.state] = found.get(item.verdict.state, 0) + 1
    return found

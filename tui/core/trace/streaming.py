"""A trace told while it is read: each message handed out as soon as its story is complete.

A week of rotated `.gz` logs takes seconds to read; the app shows the first
message found at once and the rest as they come, instead of all of them at the
end. A message is complete once qmgr removed it, its bounce notice (if any) was
removed too, and the history has moved on past both by more than authdaemond's
lines of those seconds may lag (`SETTLE_SECONDS`): only then are its causes
joined, from the authdaemond lines read so far, exactly as `trace_history`
joins them. Mail still in the queue is told at the end, with the queue's word.

Reading stops early when `should_stop` gives a reason (a timeout, a cancel):
what was found is kept, and a note says where the reading stopped.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tui.core.installation import Installation
from tui.core.log_sources.sources import sources_of
from tui.core.logs.rotated import rotated_siblings
from tui.core.postfix.queue import QueueSnapshot
from tui.core.trace.address_now import answer_now
from tui.core.trace.causes import SLACK_SECONDS, explain_attempt
from tui.core.trace.history import HistoryLine, HistoryStart, merged
from tui.core.trace.joiner import AuthLine, Joiner
from tui.core.trace.message import TracedMessage
from tui.core.trace.query import Query, QueryKind
from tui.core.trace.retry_clock import RetryRules
from tui.core.trace.sampled_state import SampledStates
from tui.core.trace.story import clock
from tui.core.trace.trace import (
    TracedRecipient,
    TraceReport,
    history_streams,
    queue_and_rules,
    queued_by_id,
    told_recipients,
)
from tui.core.trace.verdict import State

# How far the history must have moved past a removed message before it is told: the
# join's own slack, and the few seconds syslog may write authdaemond's lines late.
SETTLE_SECONDS = SLACK_SECONDS + 4.0
PROGRESS_EVERY = 0.25  # seconds between progress reports
CHECK_EVERY = 1024  # lines between looks at the clock (progress, should_stop)


@dataclass(frozen=True)
class TraceProgress:
    """How far the reading has come: the source and time of the last line read."""

    source: str
    reached: float
    lines: int


@dataclass
class _Reading:
    """The state of one streamed trace: the joiner, the sorted authdaemond lines, the
    messages kept but not told yet."""

    joiner: Joiner
    states: SampledStates | None = None  # the pool and socket as sampled, for open causes
    ordered: list[AuthLine] = field(default_factory=list)  # by time, for the join
    times: list[float] = field(default_factory=list)
    pending: list[TracedMessage] = field(default_factory=list)
    told: set[int] = field(default_factory=set)  # id() of the messages handed out
    answers_seen: int = 0
    auth_seen: int = 0
    stopped: str | None = None  # why the reading stopped early
    last: HistoryLine | None = None

    def take_new(self) -> None:
        """The answers and authdaemond lines the joiner gained with the last line."""
        joiner = self.joiner
        if len(joiner.answer) > self.answers_seen:
            self.pending.extend(joiner.answer[self.answers_seen:])
            self.answers_seen = len(joiner.answer)
        for line in joiner.auth_lines[self.auth_seen:]:
            # Nearly always an append: the merged history is in time order.
            index = bisect.bisect_right(self.times, line.timestamp)
            self.times.insert(index, line.timestamp)
            self.ordered.insert(index, line)
        self.auth_seen = len(joiner.auth_lines)

    def explain(self, message: TracedMessage) -> None:
        for attempts in message.attempts.values():
            for attempt in attempts:
                explain_attempt(attempt, self.ordered, self.times, self.states)

    def complete(self, now: float) -> list[TracedMessage]:
        """The pending messages whose story can no longer change, oldest first."""
        ready = [message for message in self.pending if _settled(message, now)]
        if ready:
            self.pending = [message for message in self.pending if message not in ready]
        return sorted(ready, key=lambda message: message.first_seen)


def _settled(message: TracedMessage, now: float) -> bool:
    if message.removed_at is None:
        return False
    ends = [message.removed_at]
    notice = message.notice_message
    if notice is not None:
        if notice.removed_at is None:
            return False  # its notice's fate is still to come
        ends.append(notice.removed_at)
    return now > max(ends) + SETTLE_SECONDS


def _never() -> str | None:
    return None


@dataclass
class StreamedHistory:
    """What `stream_history` read: every row told, and why it stopped early (None: it did not)."""

    traced: list[TracedRecipient]
    stopped: str | None = None
    last: HistoryLine | None = None  # the last line read


def stream_history(query: Query, lines: Iterable[HistoryLine], *, queue: QueueSnapshot | None,
                   rules: RetryRules, found: Callable[[list[TracedRecipient]], None],
                   progress: Callable[[TraceProgress], None] | None = None,
                   should_stop: Callable[[], str | None] = _never,
                   states: SampledStates | None = None) -> StreamedHistory:
    """`trace_history`, with each message's rows given to `found` as soon as they are
    complete; the rows returned are all of them, in order of arrival."""
    in_queue = queued_by_id(queue)
    queue_read = queue is not None and queue.ok
    reading = _Reading(Joiner(query), states)
    traced: list[TracedRecipient] = []

    def tell(messages: Iterable[TracedMessage]) -> None:
        items: list[TracedRecipient] = []
        for message in messages:
            reading.told.add(id(message))
            reading.explain(message)
            items += told_recipients(message, query, in_queue, rules, queue_read=queue_read)
        if items:
            traced.extend(items)
            found(items)

    reading.joiner.feed(_watched(iter(lines), reading, tell, progress, should_stop))
    tell([message for message in reading.joiner.messages() if id(message) not in reading.told])
    traced.sort(key=lambda item: item.message.first_seen)
    return StreamedHistory(traced, reading.stopped, reading.last)


def stream_trace(installation: Installation, query: Query, *,
                 found: Callable[[list[TracedRecipient]], None],
                 progress: Callable[[TraceProgress], None] | None = None,
                 should_stop: Callable[[], str | None] = _never,
                 since: float | None = None, until: float | None = None,
                 ask_authdaemond: bool = True,
                 states: SampledStates | None = None) -> TraceReport:
    """`run_trace` on this host, streamed (`stream_history`), today's mail first.

    The mail a caller asks about is most often today's, in the live log, which an
    oldest-first read reaches only after inflating the whole week. So where the logs
    have rotated copies the live files are read first, alone, and the messages that
    start there are told at once (their whole story is there); the full read then tells
    the rest and skips those.
    """
    notes: list[str] = []
    sources: list[str] = []
    queue, rules = queue_and_rules(installation, notes)
    early: list[TracedRecipient] = []
    stopped: str | None = None
    if _has_rotated_copies(installation):
        live = merged(history_streams(installation, query, since, [], [], live_only=True),
                      HistoryStart(), since, until)

        def found_early(items: list[TracedRecipient]) -> None:
            started = [item for item in items if _starts_here(item.message)]
            if started:
                early.extend(started)
                found(started)

        stopped = stream_history(query, live, queue=queue, rules=rules, found=found_early,
                                 progress=progress, should_stop=should_stop,
                                 states=states).stopped
    told = {_key(item) for item in early}

    def found_later(items: list[TracedRecipient]) -> None:
        items = [item for item in items if _key(item) not in told]
        if items:
            found(items)

    start = HistoryStart()
    lines = merged(history_streams(installation, query, since, notes, sources), start, since,
                   until)
    read = StreamedHistory([])
    if stopped is None:
        read = stream_history(query, lines, queue=queue, rules=rules, found=found_later,
                              progress=progress, should_stop=should_stop, states=states)
    else:
        read.stopped = stopped
    traced = sorted(early + [item for item in read.traced if _key(item) not in told],
                    key=lambda item: item.message.first_seen)
    if read.stopped is not None:
        where = (f" at {clock(read.last.timestamp)} in {read.last.source}"
                 if read.last is not None else " in the live log, before the older ones")
        notes.append(f"the reading stopped{where} ({read.stopped}): later history was "
                     "not read")
    now = None
    if ask_authdaemond and query.kind is QueryKind.ADDRESS:
        waiting = any(item.verdict.state is State.WAITING for item in traced)
        now = answer_now(installation, query.text.strip("<>"), mail_waiting=waiting)
    return TraceReport(query, start.begins, start.oldest_source, traced, sources, notes, now)


def _has_rotated_copies(installation: Installation) -> bool:
    return any(rotated_siblings(path) for path in sources_of(installation).files)


def _starts_here(message: TracedMessage) -> bool:
    """The message's first line (smtpd's or pickup's, or the bounce daemon's for a notice) was
    read: its story is whole without the older files."""
    original = message.original
    return bool(message.received_by) or (original is not None and bool(original.received_by))


def _key(item: TracedRecipient) -> tuple[str, float, str | None]:
    return (item.message.queue_id, item.message.first_seen, item.recipient)


def _watched(lines: Iterator[HistoryLine], reading: _Reading,
             tell: Callable[[Iterable[TracedMessage]], None],
             progress: Callable[[TraceProgress], None] | None,
             should_stop: Callable[[], str | None]) -> Iterator[HistoryLine]:
    """The history, handed to the joiner line by line; after each line (when the joiner
    asks for the next) the messages it completed are told, and now and then the clock
    is read for progress and for a reason to stop."""
    reported = time.monotonic()
    for count, line in enumerate(lines, start=1):
        yield line
        reading.last = line
        reading.take_new()
        if reading.pending:
            tell(reading.complete(line.timestamp))
        if count % CHECK_EVERY:
            continue
        reason = should_stop()
        if reason is not None:
            reading.stopped = reason
            return
        if progress is not None and time.monotonic() - reported >= PROGRESS_EVERY:
            reported = time.monotonic()
            progress(TraceProgress(line.source, line.timestamp, count))

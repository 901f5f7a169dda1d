"""One query's trace on screen: each message as a short story, streamed in as it is found.

The trace reads the whole history (rotated `.gz` logs too) in a thread worker
with a time limit; each complete message arrives as a message of its own, so
the first shows while the rest is still read. Every text from outside (addresses,
log text) goes through `plain`/`styled`, the one sanitiser; lost mail is drawn in
the app's strongest look. With --allow-fixes, `x` asks the app to retry the
selected waiting message through the Queue pane's confirmation, audit and watch.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.app.messages import RetryMail
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR_STRONG, LABEL, LOST, MUTED, NOTE, OK, WARN
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.installation import Installation
from tui.core.trace.query import Query
from tui.core.trace.sampled_state import SampledStates
from tui.core.trace.story import attempts_story, clock, verdict_words
from tui.core.trace.streaming import TraceProgress, stream_trace
from tui.core.trace.trace import TracedRecipient, TraceReport
from tui.core.trace.verdict import State

TRACE_TIMEOUT = 60.0  # seconds a trace may read before it stops and says so
_STATE_ROLE = {State.DELIVERED: OK, State.WAITING: WARN, State.LOST: LOST, State.UNKNOWN: MUTED}
NEWLINE = Content("\n")


def story_lines(item: TracedRecipient) -> tuple[Content, list[Content], Content]:
    """A message for one recipient in short lines: who, what happened, and its end."""
    message = item.message
    sender = "<>" if message.sender == "" else (message.sender or "?")
    head = styled((f"{message.queue_id} ", LABEL), (sender, MUTED), " → ",
                  (item.recipient or "(no recipient logged)", LABEL))
    body: list[Content] = []
    if message.notice_of:
        body.append(styled((f"the bounce notice of {message.notice_of}", NOTE)))
    if item.attempts:
        body.append(plain(attempts_story(list(item.attempts)), 2000))
    verdict = verdict_words(item.verdict, message)
    lost = item.verdict.state is State.LOST
    end = styled((f" {verdict} " if lost else verdict, _STATE_ROLE[item.verdict.state]))
    return head, body, end


class TraceStory(Vertical):
    """One story: its lines after the first indented, wrapped lines too (the stylesheet)."""

    def __init__(self, item: TracedRecipient) -> None:
        super().__init__(classes="trace-story")
        self.item = item

    def compose(self) -> ComposeResult:
        head, body, end = story_lines(self.item)
        yield Static(head, classes="trace-head")
        for line in body:
            yield Static(line, classes="trace-line")
        yield Static(end, classes="trace-line trace-verdict")


class TraceView(SaysWorkerFailures, VerticalScroll, can_focus=True):
    """The trace of one query; `start` runs it (a new one replaces the one running)."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous", show=False),
        Binding("down,j", "move(1)", "Next", show=False),
        Binding("x", "retry", "Retry it", tooltip="Retry the selected waiting message now "
                "(postqueue -i ID; with --allow-fixes), then watch it"),
    ]

    @dataclass
    class Found(Message):
        run: int
        items: list[TracedRecipient]

    @dataclass
    class Progressed(Message):
        run: int
        progress: TraceProgress

    @dataclass
    class Done(Message):
        run: int
        report: TraceReport

    def __init__(self, installation_now: Callable[[], Installation], *,
                 allow_fixes: bool = False, view_id: str | None = None,
                 states: Callable[[], SampledStates | None] = lambda: None) -> None:
        super().__init__(id=view_id, classes="trace-view")
        self.installation_now = installation_now
        self.states = states  # the monitor's pool and socket samples (None: only the logs)
        self.allow_fixes = allow_fixes
        self.query_shown: Query | None = None
        self.items: list[TracedRecipient] = []
        self.report: TraceReport | None = None
        self.selected = -1
        self._run = 0  # the newest run: a slower older one's messages are dropped

    def compose(self) -> ComposeResult:
        yield Static(styled(("Mail: ", LABEL), ("an address or a queue ID shows its mail",
                                                DIM)), classes="trace-status")

    # -- running -------------------------------------------------------------------------
    def start(self, query: Query) -> None:
        self._forget(query)
        self._status(styled(("Mail: ", LABEL), f"reading the history for {query.text}…"))
        self._trace(query, self._run)

    def clear(self, why: str) -> None:
        """No trace for what was asked now: the last one's stories go, so they are never read
        as this answer's (a late result of the old run is dropped)."""
        self._forget(None)
        self._status(styled(("Mail: ", LABEL), (why, DIM)))

    def _forget(self, query: Query | None) -> None:
        self._run += 1
        self.query_shown, self.items, self.report, self.selected = query, [], None, -1
        for story in self.query(".trace-story"):
            story.remove()

    @work(thread=True, exclusive=True, group="trace", exit_on_error=False,
          description="The trace")
    def _trace(self, query: Query, run: int) -> None:
        worker = get_current_worker()
        deadline = time.monotonic() + TRACE_TIMEOUT

        def should_stop() -> str | None:
            if worker.is_cancelled:
                return "a newer trace began"
            if time.monotonic() > deadline:
                return f"it ran for {TRACE_TIMEOUT:.0f} s"
            return None

        def found(items: list[TracedRecipient]) -> None:
            self.post_message(self.Found(run, items))

        def progressed(done: TraceProgress) -> None:
            self.post_message(self.Progressed(run, done))

        report = stream_trace(self.installation_now(), query, found=found, progress=progressed,
                              should_stop=should_stop, states=self.states())
        self.post_message(self.Done(run, report))

    failing_groups = ("trace",)

    def worker_failed(self, group: str, sentence: str) -> None:
        self._status(styled(("Mail: stale: ", ERROR_STRONG), sentence))

    # -- what the worker says (the view may be gone: then nothing is drawn) ---------------
    def on_trace_view_found(self, message: Found) -> None:
        if message.run != self._run or not self.is_attached:
            return
        for item in message.items:
            # In time order: today's mail is read (and told) before the older files'.
            at = bisect.bisect_right([told.message.first_seen for told in self.items],
                                     item.message.first_seen)
            stories = list(self.query(".trace-story"))
            self.items.insert(at, item)
            if at < len(stories):
                self.mount(TraceStory(item), before=stories[at])
                if at <= self.selected:
                    self.selected += 1  # the same story stays selected
            else:
                self.mount(TraceStory(item))
        if self.selected < 0:
            self._select(0)
        self._status(styled(("Mail: ", LABEL), f"{len(self.items)} found, still reading…"))

    def on_trace_view_progressed(self, message: Progressed) -> None:
        if message.run != self._run or not self.is_attached:
            return
        done = message.progress
        self._status(styled(("Mail: ", LABEL), f"{len(self.items)} found, reading ",
                            plain(done.source, 200), (f" at {clock(done.reached)}…", DIM)))

    def on_trace_view_done(self, message: Done) -> None:
        if message.run != self._run or not self.is_attached:
            message.stop()  # an older run's end: the app must not take it for the last trace
            return
        report = message.report
        self.report = report
        told = {id(item) for item in self.items}
        missing = [item for item in report.traced if id(item) not in told]
        if missing:
            self.on_trace_view_found(self.Found(message.run, missing))
        self._select(self._most_telling())
        self._status(self._summary(report))

    def _most_telling(self) -> int:
        """The story to show first at 80×24, where only one fits: a lost message, else a
        waiting one, else the newest (the one the caller is most likely asking about)."""
        for state in (State.LOST, State.WAITING):
            for index, item in enumerate(self.items):
                if item.verdict.state is state:
                    return index
        return len(self.items) - 1

    def _summary(self, report: TraceReport) -> Content:
        begins = (f"logs begin {clock(report.history_begins)}" if report.history_begins
                  is not None else "the logs hold no Postfix or authdaemond lines")
        counts: dict[State, int] = {}
        for item in report.traced:
            counts[item.verdict.state] = counts.get(item.verdict.state, 0) + 1
        parts: list[tuple[object, str] | object] = [("Mail: ", LABEL)]
        if not report.traced:
            parts.append(f"nothing about {report.query.text} in the logs ")
        for state in (State.LOST, State.WAITING, State.DELIVERED, State.UNKNOWN):
            if counts.get(state):
                text = f"{counts[state]} {state.value}"
                parts += [(f" {text} " if state is State.LOST else text, _STATE_ROLE[state]),
                          " "]
        parts.append((f"({begins})", DIM))
        lines = [styled(*parts)]
        if report.now is not None:
            lines.append(styled(("now: ", LABEL), report.now.sentence))
        lines += [styled(("note: ", LABEL), (note, MUTED)) for note in report.notes]
        if any(item.verdict.state is State.WAITING for item in report.traced):
            keys = "x retries the selected waiting message"
            if not self.allow_fixes:
                keys += " (needs --allow-fixes)"
            lines.append(styled((keys, DIM)))
        return NEWLINE.join(lines)

    def _status(self, content: Content) -> None:
        self.query_one(".trace-status", Static).update(content)

    # -- the selection and the retry ----------------------------------------------------
    def _select(self, index: int) -> None:
        stories = list(self.query(".trace-story"))
        if not stories:
            return
        self.selected = max(0, min(len(stories) - 1, index))
        for number, story in enumerate(stories):
            story.set_class(number == self.selected, "-selected")
        stories[self.selected].scroll_visible(animate=False)

    def action_move(self, delta: int) -> None:
        self._select(self.selected + delta)

    def selected_item(self) -> TracedRecipient | None:
        return self.items[self.selected] if 0 <= self.selected < len(self.items) else None

    def action_retry(self) -> None:
        item = self.selected_item()
        if item is None or item.verdict.state is not State.WAITING:
            self.app.notify("The selected message does not wait: nothing to retry.",
                            timeout=4)
            return
        self.post_message(RetryMail(item.message.queue_id))

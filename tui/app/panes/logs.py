"""Logs: authdaemond and maildrop-delivery lines, live, each known one explained.

The monitor reads the sources (journald, else the mail log files, or --log-file)
and its log batches land in the app's `LogInbox`, sanitised on the monitor's
thread; this pane drains the inbox at most 20 times a second, so a flood of
lines never starves the event loop. The per-minute counts on top are the app's
one counter, which every pane shares.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from tui.app.log_inbox import LogInbox
from tui.app.messages import OpenWizard, TraceWanted
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.sparkline import sparkline
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR, ERROR_STRONG, LABEL, WARN
from tui.app.widgets.choice import Choice
from tui.app.widgets.log_view import LogView, ShownEntry
from tui.core.logs.deferral_counts import BOUNCED, DEFERRED, ERRORS, DeferralCounts
from tui.core.monitor.observations import LogSource, Observation

FLUSH_INTERVAL = 0.05  # at most 20 UI updates a second
BUCKET_MINUTES = 3
SEVERITIES = [("all levels", "all"), ("warnings and errors", "warning"), ("errors", "error")]
ORIGINS = [("auth + delivery", "all"), ("auth (authdaemond)", "auth"),
           ("delivery (maildrop)", "delivery"), ("login (IMAP/POP3)", "login")]
_LEVEL_RANK = {"debug": 0, "info": 1, "warning": 2, "error": 3, "lost": 4}


def make_filter(text: str, level: str, origin: str) -> Callable[[ShownEntry], bool] | str:
    """A predicate for the view, or an error sentence for a bad regex."""
    pattern: re.Pattern[str] | None = None
    needle = text.strip()
    if len(needle) >= 2 and needle.startswith("/") and needle.endswith("/"):
        try:
            pattern = re.compile(needle[1:-1], re.IGNORECASE)
        except re.error as exc:
            return f"bad regex: {exc}"
    lowered = needle.lower()
    minimum = {"all": 0, "warning": 2, "error": 3}[level]

    def accept(item: ShownEntry) -> bool:
        if _LEVEL_RANK.get(item.level, 1) < minimum:
            return False
        if origin != "all" and item.kind != origin:
            return False
        if pattern is not None:
            return bool(pattern.search(item.text) or pattern.search(item.annotation))
        return not lowered or lowered in item.text.lower() or lowered in item.annotation.lower()

    return accept


def _chosen(value: object, choices: list[tuple[str, str]]) -> str:
    """A Select's value, or its first choice while it has none yet (it is still mounting)."""
    return value if isinstance(value, str) and value in dict(choices).values() else choices[0][1]


def _buckets(per_minute: list[int]) -> list[int]:
    return [sum(per_minute[start:start + BUCKET_MINUTES])
            for start in range(0, len(per_minute), BUCKET_MINUTES)]


class LogsPane(PaneBase, Vertical):
    components = ("logs",)
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter",
                tooltip="Filter as you type; /regex/ for a regular expression; esc leaves"),
        Binding("space,f", "toggle_follow", "Pause/follow", tooltip="Pause or follow"),
        Binding("w", "open_wizard", "Wizard",
                tooltip="Open the wizard at the selected line's step"),
        Binding("enter", "trace_selected", "Trace", tooltip="Open the trace of the selected "
                "delivery line's message: every attempt, its cause, its end"),
        Binding("escape", "leave_filter", "Leave filter", show=False,
                tooltip="Leave the filter for the lines"),
    ]
    widget_keys = (("↑ ↓ j k", "Move the cursor (pauses following)"),
                   ("g G", "Oldest / newest line (G follows again)"))

    # What is read, or the log follower's last failure until it reads again: each change
    # redraws the source line.
    source_text: var[str] = var("starting…", init=False)
    failure: var[str] = var("", init=False)

    def __init__(self, inbox: LogInbox | None = None,
                 counts: DeferralCounts | None = None) -> None:
        super().__init__(classes="pane-body", id="logs-pane")
        self.inbox = inbox if inbox is not None else LogInbox()  # filled by the monitor
        self.counts = counts if counts is not None else DeferralCounts()  # the app's counter
        self.since: float | None = None  # the incident mark: older lines are hidden

    @classmethod
    def build(cls, host: PaneHost) -> LogsPane:
        return cls(host.log_inbox, host.counts)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        return (LogSource,)

    def compose(self) -> ComposeResult:
        yield Static("Reading: …", id="logs-source")
        yield Static("", id="logs-counts")
        with Horizontal(id="logs-filters"):
            yield Input(placeholder="/ filter: text, or /regex/", id="logs-filter")
            yield Choice(SEVERITIES, value="all", allow_blank=False, id="logs-level")
            yield Choice(ORIGINS, value="all", allow_blank=False, id="logs-origin")
        yield LogView(id="logs-view")
        yield Static("", id="logs-status")

    def mounted(self) -> None:
        self.set_interval(FLUSH_INTERVAL, self._flush)
        self.set_interval(1.0, self._render_counts)
        self._render_counts()  # the line is there from the start, not after the first second
        self._render_source()
        self._flush()  # lines read before the pane was built
        if self.since is not None:
            self._apply_filter()  # the incident was marked before the pane was built

    # -- what the monitor hands down (the pane is mounted: `PaneBase.show`) -------------------
    def take(self, observation: Observation) -> None:
        if isinstance(observation, LogSource):
            self.source_text = observation.text or self.source_text  # what is read

    def show_failure(self, component: str, sentence: str | None) -> None:
        """The log follower's failure, said instead of what is read until it reads again."""
        self.failure = sentence or ""

    def watch_source_text(self) -> None:
        self._render_source()

    def watch_failure(self) -> None:
        self._render_source()

    def _render_source(self) -> None:
        # These lines are one row high (styles/app.tcss): no layout pass for new text, which
        # at 20 flushes a second would re-lay the whole screen each time.
        source = self.query_one("#logs-source", Static)
        source.set_class(bool(self.failure), "-stale")
        if self.failure:
            source.update(styled(("Stale: ", ERROR_STRONG), self.failure), layout=False)
        else:
            source.update(styled(("Reading: ", LABEL), self.source_text), layout=False)

    # -- UI thread -------------------------------------------------------------------
    def _flush(self) -> None:
        batch = self.inbox.take()
        if not batch:
            return
        self.query_one(LogView).add(batch)
        self._render_status()

    def _render_counts(self) -> None:
        """The last hour in 3-minute buckets, so both sparklines fit in 80 columns."""
        now = time.time()
        errors = _buckets(self.counts.per_minute(now, (ERRORS,)))
        deferrals = _buckets(self.counts.per_minute(now, (DEFERRED, BOUNCED)))
        self.query_one("#logs-counts", Static).update(styled(
            ("last hour  ", DIM), ("errors ", LABEL), (sparkline(errors), ERROR),
            f" {sum(errors)}   ", ("deferrals ", LABEL), (sparkline(deferrals), WARN),
            f" {sum(deferrals)}",
        ), layout=False)

    def _render_status(self) -> None:
        view = self.query_one(LogView)
        mode = "following" if view.follow else f"paused ({view.new_while_paused} new: G follows)"
        selected = view.selected()
        detail = ""
        if selected is not None:
            detail = f" · {selected.annotation or selected.text}"
        self.query_one("#logs-status", Static).update(plain(
            f"{mode} · {len(view.entries)} lines in memory (max {view.max_entries}){detail}",
            max_chars=400,
        ), layout=False)

    # -- filters and keys ---------------------------------------------------------------
    @on(Input.Changed, "#logs-filter")
    @on(Select.Changed)
    def _refilter(self) -> None:
        if self.pane_mounted:  # else on_mount applies the filter and the mark set meanwhile
            self._apply_filter()

    def _apply_filter(self) -> None:
        text = self.query_one("#logs-filter", Input).value
        level = _chosen(self.query_one("#logs-level", Select).value, SEVERITIES)
        origin = _chosen(self.query_one("#logs-origin", Select).value, ORIGINS)
        accept = make_filter(text, level, origin)
        if isinstance(accept, str):
            self.query_one("#logs-status", Static).update(plain(accept), layout=False)
            return
        since = self.since
        if since is not None:
            matches = accept
            floor = math.floor(since)  # syslog stamps have whole seconds

            def accept(item: ShownEntry) -> bool:
                stamp = item.timestamp
                return (stamp is None or stamp >= floor) and matches(item)

        self.query_one(LogView).set_filter(accept)
        self._render_status()

    @on(LogView.Selected)
    def _selected(self) -> None:
        self._render_status()

    def home_widget(self) -> Widget:
        return self.query_one(LogView)

    def show_since(self, moment: float | None) -> None:
        """Hide lines older than the incident mark (None shows everything again)."""
        self.since = moment
        self._refilter()

    def action_focus_filter(self) -> None:
        self.query_one("#logs-filter", Input).focus()

    def action_leave_filter(self) -> None:
        self.query_one(LogView).focus()

    def action_toggle_follow(self) -> None:
        view = self.query_one(LogView)
        view.follow = not view.follow
        if view.follow:
            view.cursor = -1
        self._render_status()

    def action_open_wizard(self) -> None:
        view = self.query_one(LogView)
        item = view.selected()
        if item is None:  # no cursor: the newest annotated line
            item = next((row[0] for row in reversed(view.rows) if row[0].annotation), None)
        if item is None or item.signature is None:
            self.app.notify("No recognised line selected (move with ↑/↓).", timeout=3)
            return
        self.post_message(OpenWizard(item.signature.wizard_step, item.text))

    def action_trace_selected(self) -> None:
        item = self.query_one(LogView).selected()
        if item is None or item.queue_id is None:
            self.app.notify("Select a delivery line (↑/↓) to trace its message.", timeout=3)
            return
        self.post_message(TraceWanted(item.queue_id))

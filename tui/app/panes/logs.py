"""Logs: authdaemond and maildrop-delivery lines, live, each known one explained.

Sources are chosen by the core (journald, else the mail log files, or
--log-file); backfill then follow run on a thread worker, which sanitises each
entry and hands batches over; the UI drains them at most 20 times a second,
so a flood of lines never starves the event loop.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from tui.app.formatting import clock
from tui.app.messages import OpenWizard
from tui.app.sparkline import sparkline
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR, LABEL, WARN
from tui.app.widgets.log_view import LogView, ShownEntry, shown
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.logs.entry import LogEntry
from tui.core.logs.log_reader import open_sources
from tui.core.recording.tape import Tape
from tui.core.timeline import Timeline

FLUSH_INTERVAL = 0.05  # at most 20 UI updates a second
BACKFILL_LINES = 2000
BACKFILL_SECONDS = 3600
BUCKET_MINUTES = 3
SEVERITIES = [("all levels", "all"), ("warnings and errors", "warning"), ("errors", "error")]
ORIGINS = [("auth + delivery", "all"), ("auth (authdaemond)", "auth"),
           ("delivery (maildrop)", "delivery")]
_LEVEL_RANK = {"debug": 0, "info": 1, "warning": 2, "error": 3}


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
        if origin != "all" and item.entry.kind.value != origin:
            return False
        if pattern is not None:
            return bool(pattern.search(item.text) or pattern.search(item.annotation))
        return not lowered or lowered in item.text.lower() or lowered in item.annotation.lower()

    return accept


class LogsPane(Vertical):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", tooltip="Filter as you type (/regex/ too)"),
        Binding("space,f", "toggle_follow", "Pause/follow"),
        Binding("w", "open_wizard", "Wizard", tooltip="Open the wizard at this line's step"),
        Binding("escape", "leave_filter", "Leave filter", show=False),
    ]

    def __init__(self, installation: Installation, deferrals: DeferralCounts | None = None,
                 timeline: Timeline | None = None, tape: Tape | None = None) -> None:
        super().__init__(classes="pane-body", id="logs-pane")
        self.tape = tape  # the app's recording: signature hits go on it while it runs
        self.installation = installation
        self.deferrals = deferrals  # shared with the Workers pane: counted here, once
        self.timeline = timeline  # signature hits go on the incident timeline
        self.since: float | None = None  # the incident mark: older lines are hidden
        self._stop = threading.Event()
        self._pending: list[ShownEntry] = []
        self._pending_lock = threading.Lock()
        self._per_minute: Counter[tuple[int, str]] = Counter()
        self.source_text = "starting…"

    def compose(self) -> ComposeResult:
        yield Static("Reading: …", id="logs-source")
        yield Static("", id="logs-counts")
        with Horizontal(id="logs-filters"):
            yield Input(placeholder="/ filter: text, or /regex/", id="logs-filter")
            yield Select(SEVERITIES, value="all", allow_blank=False, id="logs-level")
            yield Select(ORIGINS, value="all", allow_blank=False, id="logs-origin")
        yield LogView(id="logs-view")
        yield Static("", id="logs-status")

    def on_mount(self) -> None:
        self.set_interval(FLUSH_INTERVAL, self._flush)
        self.set_interval(1.0, self._render_counts)
        self._render_counts()  # the line is there from the start, not after the first second
        self._read_sources()

    def on_unmount(self) -> None:
        self._stop.set()

    # -- reading (thread) ------------------------------------------------------------
    @work(thread=True, exclusive=True, group="logs", exit_on_error=False,
          description="read and follow the log sources")
    def _read_sources(self) -> None:
        sources = open_sources(self.installation.refreshed())
        self.app.call_from_thread(self._show_source, sources.describe())
        for entries in sources.backfill(BACKFILL_LINES, time.time() - BACKFILL_SECONDS):
            self._receive(entries)
        sources.follow(self._receive, self._on_source_event, self._stop)

    def _receive(self, entries: list[LogEntry]) -> None:
        if self.deferrals is not None:
            self.deferrals.add(entries)
        if self.tape is not None:
            self.tape.add_entries(entries)
        if self.timeline is not None:
            for entry in entries:
                signature = entry.signature
                if signature is not None:
                    self.timeline.add_signature(entry.timestamp or time.time(), signature.id,
                                                signature.severity.value,
                                                signature.short or signature.meaning)
        batch = [shown(entry, clock) for entry in entries]  # sanitised here, off the UI thread
        with self._pending_lock:
            self._pending.extend(batch)

    def _on_source_event(self, text: str) -> None:
        self.app.call_from_thread(self.app.notify, text, title="Logs", markup=False)
        self.app.call_from_thread(self._show_source, f"{self.source_text} · {text}")

    # -- UI thread -------------------------------------------------------------------
    def _show_source(self, text: str) -> None:
        self.source_text = text
        # These lines are one row high (styles/app.tcss): no layout pass for new text, which
        # at 20 flushes a second would re-lay the whole screen each time.
        self.query_one("#logs-source", Static).update(styled(("Reading: ", LABEL), text),
                                                      layout=False)

    def _flush(self) -> None:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        for item in batch:
            timestamp = item.entry.timestamp
            if timestamp is None:
                continue
            minute = int(timestamp // 60)
            if item.level == "error":
                self._per_minute[(minute, "error")] += 1
            if item.entry.delivery is not None and item.entry.delivery.status in (
                "deferred", "bounced"
            ):
                self._per_minute[(minute, item.entry.delivery.status)] += 1
        self.query_one(LogView).add(batch)
        self._render_status()

    def _render_counts(self) -> None:
        """The last hour in 3-minute buckets, so both sparklines fit in 80 columns."""
        now_minute = int(time.time() // 60)
        buckets = [range(start, start + BUCKET_MINUTES)
                   for start in range(now_minute - 59, now_minute + 1, BUCKET_MINUTES)]
        errors = [sum(self._per_minute[(m, "error")] for m in bucket) for bucket in buckets]
        deferrals = [sum(self._per_minute[(m, "deferred")] + self._per_minute[(m, "bounced")]
                         for m in bucket) for bucket in buckets]
        for key in [key for key in self._per_minute if key[0] < now_minute - 59]:
            del self._per_minute[key]
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
        text = self.query_one("#logs-filter", Input).value
        level = str(self.query_one("#logs-level", Select).value)
        origin = str(self.query_one("#logs-origin", Select).value)
        accept = make_filter(text, level, origin)
        if isinstance(accept, str):
            self.query_one("#logs-status", Static).update(plain(accept), layout=False)
            return
        since = self.since
        if since is not None:
            matches = accept
            floor = math.floor(since)  # syslog stamps have whole seconds

            def accept(item: ShownEntry) -> bool:
                stamp = item.entry.timestamp
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
        if item is None or item.entry.signature is None:
            self.app.notify("No recognised line selected (move with ↑/↓).", timeout=3)
            return
        self.post_message(OpenWizard(item.entry.signature.wizard_step, item.text))

    def key_help(self) -> list[tuple[str, str]]:
        return [
            ("/", "Filter as you type; /regex/ for a regular expression; esc leaves"),
            ("space f", "Pause or follow"),
            ("↑ ↓ j k", "Move the cursor (pauses following)"),
            ("g G", "Oldest / newest line (G follows again)"),
            ("w", "Open the wizard at the selected line's step"),
        ]


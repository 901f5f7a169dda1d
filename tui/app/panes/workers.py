"""Workers: is the authdaemond pool saturated, and why.

Three measurements run in their own thread workers, each started only when its
previous run has finished, so a probe stuck for its 10 s timeout or a silent
database never delays the pool graph and never piles up threads. The pool
worker also builds the snapshot (the verdict may stat the socket), and the UI
thread only draws it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui.app.messages import OpenWizard
from tui.app.sparkline import peaks, sparkline
from tui.app.text import plain, styled
from tui.core.findings import Severity
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.logs.recent_errors import age_text
from tui.core.timeline import EventKind, Timeline, TimelineEvent
from tui.core.workers.sampler import WorkersSampler, WorkersSnapshot
from tui.core.workers.verdict import PoolState, seconds_text

if TYPE_CHECKING:
    from textual.app import App, SystemCommand

GRAPH_WIDTH = 40
GAUGE_WIDTH = 20
MAX_SESSIONS_SHOWN = 4
NOTABLE_PROBE = 0.5  # seconds: slower probes go on the incident timeline
QUERY_SHOWN = 120  # characters of each running query (the verdict's evidence has more)
NEWLINE = Content("\n")  # literal: styled() shows a newline inside external text as \x0a

_STATE_CLASS = {Severity.INFO: "state-ok", Severity.WARNING: "state-warn",
                Severity.ERROR: "state-bad"}
# The wizard step that deals with each verdict ("" = nothing to fix).
WIZARD_STEP = {
    PoolState.SATURATED: "workers-saturated",
    PoolState.BUSY: "workers-saturated",
    PoolState.STOPPED: "daemon-not-running",
    PoolState.FAILING: "temporary-failure",
    PoolState.RESTARTING: "daemon-not-running",
}


def gauge(busy: int | None, total: int) -> str:
    if busy is None or total <= 0:
        return "?" * GAUGE_WIDTH if busy is None else "·" * GAUGE_WIDTH
    filled = round(GAUGE_WIDTH * min(busy, total) / total)
    return "█" * filled + "·" * (GAUGE_WIDTH - filled)


class WorkersPane(VerticalScroll):
    """Verdict, fix, gauge, sparklines and the database side of the worker pool."""

    BINDINGS = [
        Binding("p", "toggle_probe", "Probe on/off",
                tooltip="Pause the once-per-interval probe lookup (or resume it)"),
        Binding("w", "open_wizard", "Wizard", tooltip="Open the wizard at this verdict's step"),
    ]

    def __init__(self, installation: Installation, deferrals: DeferralCounts | None = None,
                 timeline: Timeline | None = None) -> None:
        super().__init__(classes="pane-body", id="workers-pane", can_focus=True)
        self.installation = installation
        # Fed by the Logs pane's reader: one reader for both panes, not two.
        self.sampler = WorkersSampler(installation, deferrals=deferrals)
        self.timeline = timeline
        self.interval = installation.settings.sample_interval.value
        self.probing = True
        self.snapshot: WorkersSnapshot | None = None
        self._in_flight: set[str] = set()
        self._stop = threading.Event()
        self._started = False

    def compose(self) -> ComposeResult:
        yield Static("Sampling the pool…", id="workers-verdict")
        yield Static("", id="workers-fix")
        yield Static("", id="workers-numbers")
        yield Static("", id="workers-graphs")
        yield Static("", id="workers-deferrals")
        yield Static("", id="workers-database")
        yield Static("", id="workers-evidence")

    def on_show(self) -> None:
        """Start sampling the first time the pane is shown, not when it is built.

        Panes are built shortly after start-up; the probe is a real lookup and the
        session sampler a real database connection, so neither runs unless asked for.
        """
        if not self._started:
            self._started = True
            self.set_interval(self.interval, self._tick)
            self._tick()

    def on_unmount(self) -> None:
        self._stop.set()
        self.sampler.close()

    def home_widget(self) -> Widget:
        return self

    # -- background work -------------------------------------------------------------
    def _tick(self) -> None:
        for name, start in (("pool", self._sample_pool), ("probe", self._probe),
                            ("sessions", self._sample_sessions)):
            if name == "probe" and not self.probing:
                continue
            if name not in self._in_flight:
                self._in_flight.add(name)
                start()

    @work(thread=True, group="workers-pool", exit_on_error=False,
          description="sample the worker pool (/proc, sock_diag)")
    def _sample_pool(self) -> None:
        try:
            pool = self.sampler.sample_pool()
            if self.timeline is not None:
                self.timeline.add_pool(pool.taken_at, pool.busy, pool.queued)
            snapshot = self.sampler.snapshot()
        finally:
            self._in_flight.discard("pool")
        if not self._stop.is_set():
            self.app.call_from_thread(self._show, snapshot)

    @work(thread=True, group="workers-probe", exit_on_error=False,
          description="time one probe lookup")
    def _probe(self) -> None:
        try:
            probe = self.sampler.probe()
        finally:
            self._in_flight.discard("probe")
        # Only the probes that say something: a failure, or an answer slower than NOTABLE_PROBE.
        if self.timeline is not None and probe is not None and probe.outcome is not None and (
            not probe.answered or probe.latency >= NOTABLE_PROBE
        ):
            self.timeline.add(TimelineEvent(
                probe.taken_at, EventKind.PROBE,
                f"probe {probe.outcome} after {seconds_text(probe.latency)}",
                "info" if probe.answered else "error"))

    @work(thread=True, group="workers-sessions", exit_on_error=False,
          description="read the mail role's PostgreSQL sessions")
    def _sample_sessions(self) -> None:
        try:
            self.sampler.sample_sessions()
        finally:
            self._in_flight.discard("sessions")

    # -- drawing (UI thread) -----------------------------------------------------------
    def _show(self, snapshot: WorkersSnapshot) -> None:
        self.snapshot = snapshot
        verdict = snapshot.verdict
        line = self.query_one("#workers-verdict", Static)
        line.set_classes(_STATE_CLASS[verdict.severity])
        line.update(plain(verdict.headline, max_chars=400))
        fix_lines = [styled(("fix: ", "bold"), (command, "$accent")) for command in verdict.fix]
        if verdict.advice:
            fix_lines.append(styled((verdict.advice, "italic")))
        self.query_one("#workers-fix", Static).update(NEWLINE.join(fix_lines))
        self.query_one("#workers-numbers", Static).update(self._numbers(snapshot))
        self.query_one("#workers-graphs", Static).update(self._graphs(snapshot))
        self.query_one("#workers-deferrals", Static).update(self._deferrals(snapshot))
        self.query_one("#workers-database", Static).update(self._database(snapshot))
        evidence = [styled(("evidence", "bold"))] if verdict.evidence else []
        evidence += [styled(f"• {line}") for line in verdict.evidence]
        self.query_one("#workers-evidence", Static).update(NEWLINE.join(evidence))

    def _numbers(self, snapshot: WorkersSnapshot) -> Content:
        pool = snapshot.pool
        if pool is None:
            return Content("")
        busy = "?" if pool.busy is None else str(pool.busy)
        configured = "?" if pool.configured is None else str(pool.configured)
        ages = ", ".join(age_text(max(0.0, snapshot.taken_at - started))
                         for _, started in pool.worker_started) or "–"
        probe = snapshot.last_probe
        if not self.probing:
            probe_text = "paused (p resumes)"
        elif self.sampler.probe_in_flight:
            probe_text = "waiting for an answer…"
        elif probe is None:
            probe_text = "–"
        elif probe.outcome is None:
            probe_text = "skipped: pool saturated"
        else:
            probe_text = f"{probe.outcome} in {seconds_text(probe.latency)}"
        return NEWLINE.join([
            styled(("workers  ", "bold"), (gauge(pool.busy, pool.alive), "$accent"),
                   f" {busy}/{pool.alive} busy · daemons={configured} · ages {ages}"),
            styled(("queue    ", "bold"),
                   f"{'?' if pool.queued is None else pool.queued} waiting · backlog "
                   f"{'?' if pool.backlog is None else pool.backlog}"),
            styled(("probe    ", "bold"), f"{self.sampler.probe_address}: {probe_text}"),
        ])

    def _graphs(self, snapshot: WorkersSnapshot) -> Content:
        stats = snapshot.stats
        latency = "–" if stats.p50 is None else (
            f"p50 {seconds_text(stats.p50)} p95 {seconds_text(stats.p95 or 0)} "
            f"max {seconds_text(stats.max or 0)}"
        )
        counts = f"{stats.tempfails} tempfail, {stats.timeouts} timeout"
        last = (snapshot.queue_series[-1:] or (0.0,))[0]
        busy = (snapshot.busy_series[-1:] or (0.0,))[0]
        return NEWLINE.join([
            styled(("last 5 min", "dim")),
            styled(("queue    ", "bold"),
                   (sparkline(peaks(snapshot.queue_series, GRAPH_WIDTH)), "$warning"),
                   f" {last:.0f}"),
            styled(("busy     ", "bold"),
                   (sparkline(peaks(snapshot.busy_series, GRAPH_WIDTH)), "$accent"),
                   f" {busy:.0f}"),
            styled(("latency  ", "bold"),
                   (sparkline(peaks(snapshot.latency_series, GRAPH_WIDTH)), "$success"),
                   f" {latency} · {counts}"),
        ])

    def _deferrals(self, snapshot: WorkersSnapshot) -> Content:
        s_connect = " ".join(str(pair[0]) for pair in snapshot.deferrals)
        tempfail = " ".join(str(pair[1]) for pair in snapshot.deferrals)
        return styled(("deferrals/min (last 5)  ", "bold"), "s_connect ", (s_connect, "$error"),
                      " · tempfail ", (tempfail, "$error"))

    def _database(self, snapshot: WorkersSnapshot) -> Content:
        sessions = snapshot.sessions
        if sessions is None:
            return styled(("PostgreSQL  ", "bold"), ("no usable credentials in authpgsqlrc",
                                                     "$text-muted"))
        if sessions.error:
            return styled(("PostgreSQL  ", "bold"), (sessions.error, "$error"))
        running = sessions.running
        lines = [styled(
            ("PostgreSQL  ", "bold"),
            f"mail role: {len(running)} running, {len(sessions.sessions) - len(running)} idle",
        )]
        longest_first = sorted(running, key=lambda s: -(s.query_seconds or 0))
        for session in longest_first[:MAX_SESSIONS_SHOWN]:
            age = seconds_text(session.query_seconds or 0.0)
            lines.append(styled("  ", (f"pid {session.pid} {age}", "bold"),
                                f" {session.wait_event or 'cpu'} · ",
                                (session.query[:QUERY_SHOWN], "$text-muted")))
        return NEWLINE.join(lines)

    # -- keys ----------------------------------------------------------------------------
    def action_toggle_probe(self) -> None:
        self.probing = not self.probing
        self.app.notify("Probe resumed." if self.probing else
                        "Probe paused: no more lookups from this pane.", timeout=3)
        if self.snapshot is not None:
            self.query_one("#workers-numbers", Static).update(self._numbers(self.snapshot))

    def action_open_wizard(self) -> None:
        verdict = self.snapshot.verdict if self.snapshot is not None else None
        step = WIZARD_STEP.get(verdict.state, "") if verdict is not None else ""
        if verdict is None or not step:
            self.app.notify("Nothing to diagnose: the pool looks fine.", timeout=3)
            return
        self.post_message(OpenWizard(step, verdict.headline))

    def key_help(self) -> list[tuple[str, str]]:
        return [
            ("p", "Pause or resume the probe lookup (one per interval)"),
            ("w", "Open the wizard at the step for this verdict"),
        ]

    @staticmethod
    def palette_commands(app: App[object]) -> Iterable[SystemCommand]:
        from textual.app import SystemCommand

        def toggle() -> None:
            app.run_action("show_pane('workers')")
            app.query_one(WorkersPane).action_toggle_probe()

        yield SystemCommand("Pause or resume the probe", "p in the Workers pane", toggle)

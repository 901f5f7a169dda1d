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
from textual.widget import Widget

from tui.app.messages import OpenWizard
from tui.app.widgets.workers_view import WorkersView
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.recording.tape import Tape
from tui.core.timeline import Timeline
from tui.core.workers.sampler import WorkersSampler, WorkersSnapshot
from tui.core.workers.verdict import PoolState

if TYPE_CHECKING:
    from textual.app import App, SystemCommand

# The wizard step that deals with each verdict ("" = nothing to fix).
WIZARD_STEP = {
    PoolState.SATURATED: "workers-saturated",
    PoolState.BUSY: "workers-saturated",
    PoolState.STOPPED: "daemon-not-running",
    PoolState.FAILING: "temporary-failure",
    PoolState.RESTARTING: "daemon-not-running",
}


class WorkersPane(VerticalScroll):
    """Verdict, fix, gauge, sparklines and the database side of the worker pool."""

    BINDINGS = [
        Binding("p", "toggle_probe", "Probe on/off",
                tooltip="Pause the once-per-interval probe lookup (or resume it)"),
        Binding("w", "open_wizard", "Wizard", tooltip="Open the wizard at this verdict's step"),
    ]

    def __init__(self, installation: Installation, deferrals: DeferralCounts | None = None,
                 timeline: Timeline | None = None, tape: Tape | None = None) -> None:
        super().__init__(classes="pane-body", id="workers-pane", can_focus=True)
        self.tape = tape  # the app's recording: samples and probes go on it while it runs
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
        yield WorkersView()

    def on_show(self) -> None:
        """Start sampling the first time the pane is shown, not when it is built.

        Panes are built shortly after start-up; the probe is a real lookup and the
        session sampler a real database connection, so neither runs unless asked for.
        """
        self.start_sampling()

    def start_sampling(self) -> None:
        """Also asked for by the app's recording, which needs the pool samples."""
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
            if self.tape is not None:
                self.tape.add_pool(snapshot)
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
        if self.timeline is not None and probe is not None:
            self.timeline.add_probe(probe.taken_at, probe.outcome, probe.latency, probe.answered)
        if self.tape is not None and probe is not None:
            self.tape.add_probe(probe)

    @work(thread=True, group="workers-sessions", exit_on_error=False,
          description="read the mail role's PostgreSQL sessions")
    def _sample_sessions(self) -> None:
        try:
            self.sampler.sample_sessions()
        finally:
            self._in_flight.discard("sessions")

    # -- drawing (UI thread) -----------------------------------------------------------
    def _probe_note(self) -> str | None:
        if not self.probing:
            return "paused (p resumes)"
        if self.sampler.probe_in_flight:
            return "waiting for an answer…"
        return None

    def _show(self, snapshot: WorkersSnapshot) -> None:
        self.snapshot = snapshot
        self.query_one(WorkersView).show(snapshot, self.sampler.probe_address, self._probe_note())

    # -- keys ----------------------------------------------------------------------------
    def action_toggle_probe(self) -> None:
        self.probing = not self.probing
        self.app.notify("Probe resumed." if self.probing else
                        "Probe paused: no more lookups from this pane.", timeout=3)
        if self.snapshot is not None:
            self._show(self.snapshot)

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

"""The authlib-tui app: a health strip over five panes.

Messages go up (a pane asks to switch, a sampler reports), attributes go down
(the strip gets a snapshot). All I/O runs in thread workers with their own
timeouts; the health sampler reschedules itself when it finishes, so samples
never pile up behind a slow component.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from tui.app.actions import APP_ACTIONS, PANES, bindings, palette_commands
from tui.app.formatting import clock
from tui.app.messages import HealthSampled, LookUp, OpenWizard, ShowPane, XraySampled
from tui.app.panes.overview import OverviewPane
from tui.app.screens.help_screen import HelpScreen
from tui.app.screens.main_screen import MainScreen
from tui.app.stylesheets import stylesheet_paths
from tui.app.text import plain
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import Pane, PaneTabs
from tui.app.widgets.xray_chain import XrayChain
from tui.core.health import DB_CHECK_TIMEOUT
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.recording.tape import Tape
from tui.core.timeline import Timeline

if TYPE_CHECKING:
    # The other panes are imported when they are built, after the first frame (start-up).
    from tui.app.panes.logs import LogsPane
    from tui.app.panes.lookup import LookupPane
    from tui.app.panes.wizard import WizardPane
    from tui.app.panes.workers import WorkersPane
    from tui.app.widgets.trainer_bar import TrainerBar
    from tui.core.installation import Installation
    from tui.core.training.session import TrainingSession

HEALTH_INTERVAL = 5.0  # seconds between the end of one sample and the start of the next
STALE_AFTER = HEALTH_INTERVAL + DB_CHECK_TIMEOUT + 2.0
TIMELINE_SPAN = 3600.0  # seconds the timeline shows back, unless a recording reaches further


class AuthlibApp(App[int]):
    TITLE = "authlib-tui"
    CSS_PATH = stylesheet_paths()  # type: ignore[assignment]
    BINDINGS = [  # type: ignore[assignment]
        *bindings(),
        # Training only (check_action hides them otherwise).
        Binding("f6", "training_hint", "Hint"),
        Binding("f7", "training_answer", "I think it is…"),
        Binding("f8", "training_check", "Check my fix"),
    ]

    def __init__(self, installation: Installation, *, health_interval: float = HEALTH_INTERVAL,
                 allow_fixes: bool = False, training: TrainingSession | None = None):
        super().__init__()
        self.installation = installation
        self.training = training  # a training run on the lab: the trainer bar and F6-F8
        # Read-only unless the user said otherwise: only then may the wizard run a fix.
        self.allow_fixes = allow_fixes
        self.health_interval = health_interval
        self._last_health = time.monotonic()
        self._health_timer = None
        self._flush_timer: Timer | None = None
        # Deferrals per minute: counted by the Logs pane's reader, drawn by the Workers pane.
        self.deferrals = DeferralCounts()
        # The incident on one axis: fed by the checks, the log reader, the pool and the fixes.
        self.timeline = Timeline()
        # The record toggle (R): off until asked; the panes feed it what they already sample.
        self.tape = Tape()

    def get_default_screen(self) -> Screen:
        return MainScreen()  # declares the text roles the panes' spans use

    def compose(self) -> ComposeResult:
        yield HealthStrip(id="health")
        with PaneTabs(initial="overview", id="panes"):
            for number, (pane_id, title) in enumerate(PANES, start=1):
                with Pane(f"{number} {title}", id=pane_id):
                    # Only the first pane is built (and its module imported) before the first
                    # frame; the others follow right after it (`_build_panes`).
                    if pane_id == "overview":
                        yield OverviewPane(self.installation)
        if self.training is not None:
            from tui.app.widgets.trainer_bar import TrainerBar

            yield TrainerBar(self.training)
        yield Static("", id="recording-line")
        yield Footer()

    def _pane(self, pane_id: str) -> Widget:
        if pane_id == "lookup":
            from tui.app.panes.lookup import LookupPane

            return LookupPane(self.installation)
        if pane_id == "logs":
            from tui.app.panes.logs import LogsPane

            return LogsPane(self.installation, self.deferrals, self.timeline, self.tape)
        if pane_id == "workers":
            from tui.app.panes.workers import WorkersPane

            return WorkersPane(self.installation, self.deferrals, self.timeline, self.tape)
        from tui.app.panes.wizard import WizardPane

        return WizardPane(self.installation, allow_fixes=self.allow_fixes, timeline=self.timeline,
                          tape=self.tape)

    def _build_panes(self) -> None:
        for pane_id, _ in PANES:
            if pane_id != "overview":
                tab = self.query_one(f"#{pane_id}", Pane)
                if not tab.is_attached:
                    return  # the app is already closing (q before the panes were built)
                tab.mount(self._pane(pane_id))

    def _lookup(self) -> LookupPane:
        return self.query_one("#lookup-pane")  # type: ignore[return-value]

    def _logs(self) -> LogsPane:
        return self.query_one("#logs-pane")  # type: ignore[return-value]

    def _workers_pane(self) -> WorkersPane:
        return self.query_one("#workers-pane")  # type: ignore[return-value]

    def _wizard(self) -> WizardPane:
        return self.query_one("#wizard-pane")  # type: ignore[return-value]

    def on_mount(self) -> None:
        # Held, not queried when a sample lands: a modal may be the screen in front then,
        # or the app may be closing under a last sample.
        self._strip = self.query_one(HealthStrip)
        self._chain = self.query_one(XrayChain)
        # After the first frame is on screen, not before it: the other panes (and the modules
        # behind them) cost ~150 ms, and a sampler thread started now (psycopg import,
        # discovery) would hold the GIL while the first frame is painted.
        self.call_after_refresh(self.call_after_refresh, self._build_panes)
        self.call_after_refresh(self.sample_health)
        if self.training is not None:
            from tui.app.screens.training_screens import SymptomScreen

            self.push_screen(SymptomScreen(self.training), self._training_started)
        self.set_interval(1.0, self._check_stale)
        access = self.installation.discovery.access
        if access:
            self.notify(
                "\n".join(f"{f.message} {f.fix}" for f in access[:3]),
                title="Limited access", severity="warning", timeout=15, markup=False,
            )

    # -- health ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="health", exit_on_error=False,
          description="sample daemon, socket, workers, database, last error")
    def sample_health(self) -> None:
        # Imported here, in the worker: the checks and the sampler are not needed for the
        # first frame, and importing them before it costs ~100 ms of start-up.
        from tui.core.checks.context import CheckContext
        from tui.core.checks.diagnosis import ALL_CHECKS, run_checks
        from tui.core.health_sampler import sample_health
        from tui.core.xray import build_hops

        # One context for the strip and the x-ray's checks: the socket, the pool and the
        # database are measured once per sample, not once for each.
        context = CheckContext(self.installation.refreshed(), timeout=DB_CHECK_TIMEOUT)
        self.post_message(HealthSampled(sample_health(self.installation, context=context)))
        results = tuple(run_checks(context, ALL_CHECKS))
        now = time.time()
        self.timeline.add_checks(now, results)
        hops = build_hops(results, context, self.deferrals, now, stale_after=STALE_AFTER)
        self.tape.add_checks(now, results, hops)
        self.post_message(XraySampled(hops))

    def on_health_sampled(self, message: HealthSampled) -> None:
        self._last_health = time.monotonic()
        strip = self._strip
        strip.snapshot = message.snapshot
        strip.stale = False

    def on_xray_sampled(self, message: XraySampled) -> None:
        self._chain.hops = message.hops

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "health":
            return
        if event.state is WorkerState.ERROR:
            self.notify(f"Health check failed: {event.worker.error!r}", severity="error",
                        markup=False)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._schedule_health(self.health_interval)

    # Workers that run until the app closes (following logs) never "complete".
    FOLLOW_GROUPS = frozenset({"logs"})

    async def wait_for_work(self) -> None:
        """Wait for the finite workers (lookups, samples, reloads), not the log followers."""
        # Not workers.wait_for_complete(): an empty list there means "every worker",
        # and an exclusive worker's cancelled predecessor raises.
        for worker in [w for w in self.workers if w.group not in self.FOLLOW_GROUPS]:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    def _schedule_health(self, delay: float) -> None:
        if self._health_timer is not None:
            self._health_timer.stop()
        self._health_timer = self.set_timer(delay, self.sample_health)

    def _check_stale(self) -> None:
        if time.monotonic() - self._last_health > STALE_AFTER:
            self._strip.stale = True

    # -- training ----------------------------------------------------------------
    TRAINING_ACTIONS = frozenset({"training_hint", "training_answer", "training_check"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TRAINING_ACTIONS:
            return self.training is not None
        return True

    def _training_started(self, _result: None = None) -> None:
        if self.training is not None:
            self.training.started = time.monotonic()  # the clock starts when the trainee does

    def _trainer_bar(self) -> TrainerBar:
        return self.query_one("#trainer-bar")  # type: ignore[return-value]

    def action_training_hint(self) -> None:
        if self.training is None:
            return
        hint = self.training.next_hint()
        self._trainer_bar().refresh_bar()
        self.notify(hint or "No more hints: the wizard (5, f) shows every check.",
                    title="Hint", timeout=12, markup=False)

    def action_training_answer(self) -> None:
        if self.training is None:
            return

        def answered(diagnosis: str | None) -> None:
            if diagnosis is None or self.training is None:
                return
            first = self.training.submitted is None
            self.training.submit(diagnosis)
            self._trainer_bar().answered = self.training.submitted or ""
            self.notify(("Recorded: " if first else "Already answered; the first answer "
                         "counts: ") + f"{self.training.submitted}. Fix it, then F8.",
                        title="Trainer", timeout=8, markup=False)

        from tui.app.screens.training_screens import DiagnosisScreen

        self.push_screen(DiagnosisScreen(), answered)

    @work(thread=True, exclusive=True, group="training", exit_on_error=False,
          description="check the trainee's fix with every check")
    def action_training_check(self) -> None:
        if self.training is None:
            return
        diagnosis = self.training.verify()
        self.call_from_thread(self._training_checked, diagnosis.id, diagnosis.headline)

    def _training_checked(self, diagnosis: str, headline: str) -> None:
        session = self.training
        if session is None:
            return
        if not session.fixed:
            self.notify(f"Not fixed yet: {diagnosis} — {headline}", title="Trainer",
                        severity="warning", timeout=10, markup=False)
            return
        from tui.app.screens.training_screens import ResultScreen
        from tui.core.training.session import trainee

        result = session.result(trainee())
        self.push_screen(ResultScreen(session, result), lambda _: self.exit(0))

    # -- actions -----------------------------------------------------------------
    def action_show_pane(self, pane_id: str) -> None:
        self.query_one(PaneTabs).active = pane_id

    def on_pane_tabs_activated(self, event: PaneTabs.Activated) -> None:
        """Focus the shown pane's main widget, so its own keys work at once."""
        self.call_after_refresh(self._focus_pane, event.pane)

    def _focus_pane(self, pane: Widget, attempts: int = 20) -> None:
        tabs = pane.screen.query(PaneTabs) if pane.is_attached else None
        if not tabs or tabs.first().active != pane.id:
            return  # the user has moved on, or the app is closing
        for child in pane.query(".pane-body"):
            # set_focus, not widget.focus(): that one is deferred, and if the user switched
            # pane meanwhile, focusing a widget in this pane would switch back to it.
            try:
                home = child.home_widget()  # type: ignore[attr-defined]
            except NoMatches:
                return  # the pane is being torn down (the app is closing)
            pane.screen.set_focus(home, scroll_visible=False)
            return
        if attempts:  # the other panes are mounted just after the first refresh
            self.set_timer(0.05, lambda: self._focus_pane(pane, attempts - 1))

    def on_show_pane(self, message: ShowPane) -> None:
        self.action_show_pane(message.pane)

    def on_open_wizard(self, message: OpenWizard) -> None:
        self.action_show_pane("wizard")
        self._wizard().show_request(message.step, message.evidence)

    def on_look_up(self, message: LookUp) -> None:
        self.action_show_pane("lookup")
        self._lookup().look_up(message.address)

    def action_refresh(self) -> None:
        if self._health_timer is not None:
            self._health_timer.stop()
        self.sample_health()
        self.query_one(OverviewPane).reload()
        self.notify("Refreshing…", timeout=1.5)

    def action_timeline(self) -> None:
        from tui.app.screens.timeline_screen import TimelineScreen

        # The last hour, or from the start of the recording that is running when it is older.
        since = time.time() - TIMELINE_SPAN
        started = self.tape.started_at
        origin = "the last hour (i marks the incident)"
        if started is not None and started < since:
            since, origin = started, f"since the recording began at {clock(started)}"
        self.push_screen(TimelineScreen(self.timeline, origin=origin, since=since))

    def action_mark_incident(self) -> None:
        moment = time.time()
        self.timeline.mark_incident(moment)
        self.tape.add_mark(moment)
        self._logs().show_since(moment)
        self.notify("Incident marked: the timeline and the Logs pane start from now "
                    f"({clock(moment)}).", timeout=5)

    # -- recording -------------------------------------------------------------------
    def action_toggle_recording(self) -> None:
        self._toggle_recording(self.tape.recording is None)

    @work(thread=True, exclusive=True, group="recording", exit_on_error=False,
          description="open or close the recording file")
    def _toggle_recording(self, start: bool) -> None:
        if not start:
            path = self.tape.stop()
            self.call_from_thread(self._recording_changed, None, path)
            return
        import sqlite3

        from tui.core.recording.tape import default_recordings_dir

        path = default_recordings_dir() / time.strftime("%Y%m%d-%H%M%S.sqlite")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.tape.start(path, self.installation, interval=str(self.health_interval),
                            check_every=str(self.health_interval))
        except (OSError, sqlite3.Error) as exc:  # say so; nothing else changes
            self.call_from_thread(self.notify, f"Cannot record to {path}: {exc}",
                                  severity="error", markup=False)
            return
        self.call_from_thread(self._recording_changed, path, None)

    def _recording_changed(self, recording: Path | None, saved: Path | None) -> None:
        line = self.query_one("#recording-line", Static)
        line.set_class(recording is not None, "-on")
        if recording is not None:
            line.update(plain(f"● recording to {recording} (R stops)"))
            self._workers_pane().start_sampling()  # the replay's Workers pane needs the pool
            self._flush_timer = self.set_interval(2.0, self._flush_recording)
            self.sample_health()  # the x-ray's state from the first second
            self.notify(f"Recording to {recording}. R stops.", timeout=5, markup=False)
        elif saved is not None:
            if self._flush_timer is not None:
                self._flush_timer.stop()
            self.notify(f"Saved {saved}: authlib-tui replay {saved}", title="Recording",
                        timeout=15, markup=False)

    @work(thread=True, group="recording-flush", exit_on_error=False,
          description="write the recording's new rows")
    def _flush_recording(self) -> None:
        self.tape.flush()

    def on_unmount(self) -> None:
        self.tape.stop()  # the rows still queued, and the end time

    def action_help(self) -> None:
        active = self.query_one(PaneTabs).active
        title = dict(PANES).get(active, active)
        pane_keys: list[tuple[str, str]] = []
        if active == "lookup":
            pane_keys = self._lookup().key_help()
        elif active == "logs":
            pane_keys = self._logs().key_help()
        elif active == "workers":
            pane_keys = self._workers_pane().key_help()
        elif active == "wizard":
            pane_keys = self._wizard().key_help()
        if self.training is not None:
            pane_keys = [*pane_keys, ("F6", "Training: a hint (counted)"),
                         ("F7", "Training: I think it is… (the first answer counts)"),
                         ("F8", "Training: check my fix (every check, on the lab)")]
        self.push_screen(HelpScreen(title, pane_keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from palette_commands(self, APP_ACTIONS)
        if not isinstance(screen, HelpScreen):
            from tui.app.panes.lookup import LookupPane
            from tui.app.panes.workers import WorkersPane

            yield from LookupPane.palette_commands(self)
            yield from WorkersPane.palette_commands(self)
            if self.training is not None:
                yield SystemCommand("Training: a hint (F6)", "Counted in your result",
                                    self.action_training_hint)
                yield SystemCommand("Training: I think it is… (F7)", "Submit your diagnosis",
                                    self.action_training_answer)
                yield SystemCommand("Training: check my fix (F8)", "Every check, on the lab",
                                    self.action_training_check)
            yield SystemCommand("Find it for me", "Run every check and name the cause (wizard)",
                                self._find_it)
        yield from super().get_system_commands(screen)

    def _find_it(self) -> None:
        self.action_show_pane("wizard")
        self._wizard().action_find()

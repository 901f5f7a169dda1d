"""The authlib-tui app: a health strip over five panes, fed by one monitor.

The core's `Monitor` samples (log follower, pool, probe, sessions, health and
checks, each on its own loop and timeout) and publishes observations on one
stream. The stream fans out to the timeline, the recording, the per-minute counts
and the Logs pane's inbox on the monitor's thread, and to this app as `Observed`
messages; the app hands each one down to the widget that shows it, when that
widget exists (a sample may land before a pane is built, behind a modal or while
the app closes). Messages go up (a pane asks to switch), attributes go down.

The monitor and its subscribers (`MonitorWiring`) are built just after the first
frame, not with the app: whatever reaches for them sooner (a key, a test) builds
them then, once, whichever thread asks first.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import WorkerCancelled, WorkerFailed

from tui.app.actions import APP_ACTIONS, PANES, bindings, palette_commands
from tui.app.formatting import clock
from tui.app.messages import (
    LookUp,
    Observed,
    OpenWizard,
    ProbingWanted,
    RetryMail,
    SamplingWanted,
    ShowPane,
)
from tui.app.panes.overview import OverviewPane
from tui.app.safe_app import SafeApp
from tui.app.screens.main_screen import MainScreen
from tui.app.stylesheets import stylesheet_paths
from tui.app.text import plain
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import Pane, PaneTabs
from tui.app.widgets.xray_chain import XrayChain
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.monitor.schedule import HEALTH_INTERVAL, STALE_AFTER

if TYPE_CHECKING:
    # The monitor, its observations and its subscribers are imported with `MonitorWiring`,
    # just after the first frame; the other panes when they are built, after it too.
    from tui.app.log_inbox import LogInbox
    from tui.app.monitor_wiring import MonitorWiring
    from tui.app.panes.logs import LogsPane
    from tui.app.panes.lookup import LookupPane
    from tui.app.panes.wizard import WizardPane
    from tui.app.panes.workers import WorkersPane
    from tui.app.widgets.trainer_bar import TrainerBar
    from tui.core.installation import Installation
    from tui.core.logs.deferral_counts import DeferralCounts
    from tui.core.monitor.monitor import Monitor
    from tui.core.monitor.observations import Observation, PoolSampled, QueueSampled
    from tui.core.monitor.stream import ObservationStream, Subscriber
    from tui.core.recording.tape import Tape
    from tui.core.timeline import Timeline
    from tui.core.training.session import TrainingSession

@functools.cache
def _ui_observation_kinds() -> tuple[type, ...]:
    """The observations the app hands down as messages (imported after the first frame)."""
    from tui.core.monitor.observations import (
        ChecksRan,
        ComponentFailed,
        ComponentRecovered,
        HealthSampled,
        LogSource,
        PoolSampled,
        QueueSampled,
    )

    return (HealthSampled, ChecksRan, PoolSampled, QueueSampled, LogSource, ComponentFailed,
            ComponentRecovered)


TIMELINE_SPAN = 3600.0  # seconds the timeline shows back, unless a recording reaches further
# How long a monitor thread may keep the GIL while the event loop waits for it (Python's
# default is 5 ms): a busy log follower then delays a frame by ~1 ms, not by 5 ms a wait.
GIL_SWITCH_INTERVAL = 0.001


class AuthlibApp(SaysWorkerFailures, SafeApp):
    TITLE = "authlib-tui"
    CSS_PATH = stylesheet_paths()  # type: ignore[assignment]
    BINDINGS = [
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
        self._flush_timer: Timer | None = None
        self._strip: HealthStrip | None = None
        self._chain: XrayChain | None = None
        # The latest of each sampled kind, for a widget built after it arrived.
        self.latest_pool: PoolSampled | None = None
        self.latest_queue: QueueSampled | None = None
        self.log_source = ""
        self.failures: dict[str, str] = {}  # monitor component → its failure, until it recovers
        self._waiting_for_pane: dict[str, list[Callable[[Any], None]]] = {}
        # The monitor and its subscribers: built on first use (see `_wired`).
        self._wiring: MonitorWiring | None = None
        self._wiring_lock = threading.Lock()  # the recording's worker thread may ask first
        self._unmounted = False

    def _wired(self) -> MonitorWiring:
        """The monitor and its subscribers, built by whoever asks first (once, any thread).

        Built after the app has closed (a test reading the tape), the monitor is stopped
        at once: nothing may start its loops then.
        """
        with self._wiring_lock:
            if self._wiring is None:
                from tui.app.monitor_wiring import MonitorWiring

                self._wiring = MonitorWiring(self.installation,
                                             health_interval=self.health_interval,
                                             observed=self._observed,
                                             on_error=self._subscriber_failed)
                if self._unmounted:
                    self._wiring.monitor.stop()
            return self._wiring

    @property
    def monitor(self) -> Monitor:
        return self._wired().monitor

    @property
    def stream(self) -> ObservationStream:
        return self._wired().stream

    @property
    def counts(self) -> DeferralCounts:
        """Deferrals per minute: the Logs and Workers panes, the x-ray."""
        return self._wired().counts

    @property
    def timeline(self) -> Timeline:
        """The incident on one axis."""
        return self._wired().timeline

    @property
    def tape(self) -> Tape:
        """The record toggle (R): writes only while recording."""
        return self._wired().tape

    @property
    def log_inbox(self) -> LogInbox:
        """The log lines on their way to the Logs pane (kept until it is built)."""
        return self._wired().log_inbox

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

            logs = LogsPane(self.log_inbox, self.counts)
            logs.show_source(self.log_source, self.failures.get("logs", ""))
            return logs
        if pane_id == "workers":
            from tui.app.panes.workers import WorkersPane

            workers = WorkersPane(self.installation.settings.probe_address.value)
            if self.latest_pool is not None and self.latest_pool.snapshot is not None:
                workers.show_snapshot(self.latest_pool.snapshot)
            return workers
        if pane_id == "queue":
            from tui.app.panes.queue import QueuePane

            queue = QueuePane(self.installation, allow_fixes=self.allow_fixes,
                              stream=self.stream, refresh_now=self.monitor.refresh)
            if self.latest_queue is not None:
                queue.show_sample(self.latest_queue)
            return queue
        from tui.app.panes.wizard import WizardPane

        wizard = WizardPane(self.installation, allow_fixes=self.allow_fixes,
                            timeline=self.timeline, publish=self.stream.publish)
        wizard.waiting_mail = _waiting(self.latest_queue)
        return wizard

    async def _build_panes(self) -> None:
        for pane_id, _ in PANES:
            if pane_id != "overview":
                tab = self.query_one(f"#{pane_id}", Pane)
                if not tab.is_attached:
                    return  # the app is already closing (q before the panes were built)
                pane = self._pane(pane_id)
                await tab.mount(pane)
                for action in self._waiting_for_pane.pop(pane_id, []):
                    action(pane)  # asked for before it was built (a link, a mark, a find)
                if self.query_one(PaneTabs).active == pane_id:
                    self._focus_pane(tab)  # switched to before it was built: focus it now
        # Everything built so far lives as long as the app: out of the collector's sight, a
        # full collection walks only what came after (~70 ms less, on whichever thread).
        # Collected first, so no garbage of the start-up is kept for good.
        gc.collect()
        gc.freeze()

    def _built(self, pane_id: str) -> Widget | None:
        """A pane's widget once it is built and mounted; None before that or while closing.

        Looked up on the main screen, not the one in front (a modal may be).
        """
        try:
            widget = self.screen_stack[0].query_one(f"#{pane_id}-pane")
        except (NoMatches, IndexError):
            return None
        return widget if widget.is_attached else None

    def _overview(self) -> OverviewPane | None:
        return self._built("overview")  # type: ignore[return-value]

    def _lookup(self) -> LookupPane | None:
        return self._built("lookup")  # type: ignore[return-value]

    def _logs(self) -> LogsPane | None:
        return self._built("logs")  # type: ignore[return-value]

    def _workers_pane(self) -> WorkersPane | None:
        return self._built("workers")  # type: ignore[return-value]

    def _wizard(self) -> WizardPane | None:
        return self._built("wizard")  # type: ignore[return-value]

    def on_mount(self) -> None:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        # Held, not queried when a sample lands: a modal may be the screen in front then,
        # or the app may be closing under a last sample.
        self._strip = self.query_one(HealthStrip)
        self._chain = self.query_one(XrayChain)
        # After the first frame is on screen, not before it: the other panes (and the modules
        # behind them) cost ~150 ms, the monitor and its subscribers ~15 ms, and a sampler
        # thread started now (psycopg import, discovery) would hold the GIL while the first
        # frame is painted.
        self.call_after_refresh(self._start_monitor)
        self.call_after_refresh(self.call_after_refresh, self._build_panes)
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

    def _start_monitor(self) -> None:
        if self.is_running:  # not while closing (q pressed before the first frame)
            self.monitor.start("health", "logs")

    def on_unmount(self) -> None:
        with self._wiring_lock:
            self._unmounted = True
            wiring = self._wiring
        if wiring is None:
            return  # closed before the monitor was built: nothing ran, nothing to stop
        wiring.monitor.stop()  # the loops end at their next wait; nothing is joined here
        wiring.stream.unsubscribe(self._observed)
        wiring.tape.stop()  # the rows still queued, and the end time

    # -- the monitor's observations ---------------------------------------------------------------
    def _observed(self, observation: Observation) -> None:
        """The stream's subscriber for the UI: on the monitor's thread, so only a message.

        Every observation passes here, a log line too (20k a second on a busy server): the
        kinds the UI takes are looked up once, not imported on each call.
        """
        if isinstance(observation, _ui_observation_kinds()):
            self.post_message(Observed(observation))

    def _subscriber_failed(self, subscriber: Subscriber, error: BaseException) -> None:
        name = getattr(subscriber, "__qualname__", repr(subscriber))
        self.call_from_anywhere(self.notify, f"{name} failed: {error!r}", severity="error",
                                markup=False)

    def call_from_anywhere(self, callback: object, *args: object, **kwargs: object) -> None:
        """Run `callback` on the UI thread, from the UI thread or any other, while running."""
        import threading

        if not self.is_running:
            return
        if threading.get_ident() == self._thread_id:
            callback(*args, **kwargs)  # type: ignore[operator]
        else:
            self.call_from_thread(callback, *args, **kwargs)  # type: ignore[arg-type]

    def on_observed(self, message: Observed) -> None:
        if not self.is_running:
            # Shutting down: the screens are being pruned leaf first, so a pane may still be
            # attached while the lines it would draw on are already gone.
            return
        from tui.core.monitor.observations import (
            ChecksRan,
            ComponentFailed,
            ComponentRecovered,
            HealthSampled,
            LogSource,
            PoolSampled,
            QueueSampled,
        )

        observation = message.observation
        if isinstance(observation, HealthSampled):
            self._last_health = time.monotonic()
            if self._strip is not None:
                self._strip.snapshot = observation.snapshot
                self._strip.stale = "health" in self.failures
            overview = self._overview()
            if overview is not None:
                overview.show_recent(observation.snapshot.recent)
        elif isinstance(observation, ChecksRan):
            if self._chain is not None:
                self._chain.hops = observation.hops
        elif isinstance(observation, PoolSampled):
            self.latest_pool = observation
            workers = self._workers_pane()
            if workers is not None and observation.snapshot is not None:
                workers.show_snapshot(observation.snapshot)
        elif isinstance(observation, QueueSampled):
            self.latest_queue = observation
            queue = self._built("queue")
            if queue is not None:
                queue.show_sample(observation)  # type: ignore[attr-defined]
            wizard = self._wizard()
            if wizard is not None:
                wizard.waiting_mail = _waiting(observation)
        elif isinstance(observation, LogSource):
            self.log_source = observation.text
            if observation.event:
                self.notify(observation.event, title="Logs", markup=False)
            logs = self._logs()
            if logs is not None:
                logs.show_source(observation.text, self.failures.get("logs", ""))
        elif isinstance(observation, ComponentFailed):
            if observation.component not in self.failures:  # said once, not every retry
                self.notify(observation.sentence, title="Stale", severity="error", timeout=10,
                            markup=False)
            self.failures[observation.component] = observation.sentence
            self._show_failure(observation.component, observation.sentence)
        elif isinstance(observation, ComponentRecovered):
            self.failures.pop(observation.component, None)
            self._show_failure(observation.component, None)

    def _show_failure(self, component: str, sentence: str | None) -> None:
        """Mark the pane or cell that shows `component` stale with the sentence, or clear it."""
        if component == "logs":
            logs = self._logs()
            if logs is not None:
                logs.show_source(self.log_source, sentence or "")
        elif component in ("pool", "probe", "sessions"):
            workers = self._workers_pane()
            if workers is not None:
                workers.show_failure(component, sentence)
        elif component == "health":
            if self._strip is not None:
                self._strip.stale = sentence is not None
            overview = self._overview()
            if overview is not None:
                overview.show_failure("health", sentence)

    def on_sampling_wanted(self, _message: SamplingWanted) -> None:
        self.monitor.start("pool", "probe", "sessions")

    def on_probing_wanted(self, message: ProbingWanted) -> None:
        self.monitor.set_probing(message.on)

    # Workers that run until the app closes (following logs) never "complete".
    async def wait_for_work(self) -> None:
        """Wait for the app's finite workers (lookups, the wizard, the Overview's reads)."""
        # Not workers.wait_for_complete(): an empty list there means "every worker",
        # and an exclusive worker's cancelled predecessor raises.
        for worker in list(self.workers):
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    def _check_stale(self) -> None:
        if self._strip is not None and time.monotonic() - self._last_health > STALE_AFTER:
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
        """Focus the shown pane's main widget now, so the very next key goes to it."""
        self._focus_pane(event.pane)

    def _focus_pane(self, pane: Widget) -> None:
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
        # Not built yet: `_build_panes` focuses it once it is.

    def _with_pane(self, pane_id: str, action: Callable[[Any], None]) -> None:
        """Run `action` on a pane now, or as soon as it is built (just after the first frame)."""
        pane = self._built(pane_id)
        if pane is not None:
            action(pane)
        else:
            self._waiting_for_pane.setdefault(pane_id, []).append(action)

    def on_show_pane(self, message: ShowPane) -> None:
        self.action_show_pane(message.pane)

    def on_open_wizard(self, message: OpenWizard) -> None:
        self.action_show_pane("wizard")
        self._with_pane("wizard", lambda pane: pane.show_request(message.step, message.evidence))

    def on_retry_mail(self, _message: RetryMail) -> None:
        self.action_show_pane("queue")
        self._with_pane("queue", lambda pane: pane.action_retry_all())

    def on_look_up(self, message: LookUp) -> None:
        self.action_show_pane("lookup")
        self._with_pane("lookup", lambda pane: pane.look_up(message.address))

    def action_refresh(self) -> None:
        self.monitor.refresh()
        overview = self._overview()
        if overview is not None:
            overview.reload()
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
        from tui.core.monitor.observations import IncidentMarked

        moment = time.time()
        self.stream.publish(IncidentMarked(moment))  # the timeline and the recording
        self._with_pane("logs", lambda pane: pane.show_since(moment))
        self.notify("Incident marked: the timeline and the Logs pane start from now "
                    f"({clock(moment)}).", timeout=5)

    # -- recording -------------------------------------------------------------------
    def action_toggle_recording(self) -> None:
        self._toggle_recording()

    @work(thread=True, group="recording", exit_on_error=False,
          description="Opening or closing the recording file")
    def _toggle_recording(self) -> None:
        import sqlite3

        from tui.core.recording.tape import default_recordings_dir

        def new_path() -> Path:
            """A name nothing has yet: the file is created new (O_EXCL), so R pressed again
            within the same second gets `-2`, not a refusal."""
            directory, stem = default_recordings_dir(), time.strftime("%Y%m%d-%H%M%S")
            names = (f"{stem}.sqlite", *(f"{stem}-{n}.sqlite" for n in range(2, 100)))
            return next((directory / name for name in names
                         if not os.path.lexists(directory / name)), directory / names[0])

        try:  # decided and done under the tape's lock: R pressed twice opens one file
            recording, saved = self.tape.toggle(new_path, self.installation,
                                                interval=str(self.monitor.sample_interval),
                                                check_every=str(self.health_interval))
        except (OSError, sqlite3.Error) as exc:  # say so; nothing else changes
            self.call_from_thread(self.notify, f"Cannot record to {new_path().parent}: {exc}",
                                  severity="error", markup=False)
            return
        self.call_from_thread(self._recording_changed, recording, saved)

    def _recording_changed(self, recording: Path | None, saved: Path | None) -> None:
        line = self.query_one("#recording-line", Static)
        line.set_class(recording is not None, "-on")
        if recording is not None:
            line.update(plain(f"● recording to {recording} (R stops)"))
            self.monitor.start("pool", "probe", "sessions")  # the replay's Workers pane
            if self._flush_timer is None:
                self._flush_timer = self.set_interval(2.0, self._flush_recording)
            self.monitor.refresh()  # the x-ray's state from the first second
            self.notify(f"Recording to {recording}. R stops.", timeout=5, markup=False)
        elif saved is not None:
            if self._flush_timer is not None:
                self._flush_timer.stop()
                self._flush_timer = None
            self.notify(f"Saved {saved}: authlib-tui replay {saved}", title="Recording",
                        timeout=15, markup=False)

    @work(thread=True, group="recording-flush", exit_on_error=False,
          description="Writing the recording's new rows")
    def _flush_recording(self) -> None:
        self.tape.flush()

    def action_help(self) -> None:
        from tui.app.screens.help_screen import HelpScreen

        active = self.query_one(PaneTabs).active
        title = dict(PANES).get(active, active)
        pane_keys = pane_class(active).key_help() if active != "overview" else []
        if self.training is not None:
            pane_keys = [*pane_keys, ("F6", "Training: a hint (counted)"),
                         ("F7", "Training: I think it is… (the first answer counts)"),
                         ("F8", "Training: check my fix (every check, on the lab)")]
        self.push_screen(HelpScreen(title, pane_keys, panes=len(PANES)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui.app.screens.help_screen import HelpScreen

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
        self._with_pane("wizard", lambda pane: pane.action_find())

    # Its own workers (recording, training): the toast is all (SaysWorkerFailures).


def pane_class(pane_id: str) -> Any:
    """The class of a pane, imported on demand (the key help needs it before it is built)."""
    if pane_id == "lookup":
        from tui.app.panes.lookup import LookupPane

        return LookupPane
    if pane_id == "logs":
        from tui.app.panes.logs import LogsPane

        return LogsPane
    if pane_id == "workers":
        from tui.app.panes.workers import WorkersPane

        return WorkersPane
    if pane_id == "queue":
        from tui.app.panes.queue import QueuePane

        return QueuePane
    from tui.app.panes.wizard import WizardPane

    return WizardPane


def _waiting(sample: QueueSampled | None) -> int:
    """Messages deferred for the chain in a queue sample (0 when it could not be read)."""
    queue = sample.queue if sample is not None else None
    return queue.deferred_authlib if queue is not None and queue.ok else 0

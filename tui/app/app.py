"""The authlib-tui app: a thin shell, a health strip over the registry's panes, fed by a monitor.

The core's `Monitor` samples (log follower, pool, probe, sessions, health and
checks, each on its own loop and timeout) and publishes observations on one
stream. The stream fans out to the timeline, the recording, the per-minute counts
and the Logs pane's inbox on the monitor's thread, and to this app as `Observed`
messages; the app hands each one to every pane that takes its kind
(`PaneBase.show`), and keeps the latest of each kind for a pane built after it.
Messages go up (a pane asks to switch, a worker says what it found), observations
go down. Training (`training.py`) and the record toggle (`recording.py`) are
composed here, not written here.

The monitor and its subscribers (`MonitorWiring`) are built just after the first
frame, not with the app: whatever reaches for them sooner (a key, a test) builds
them then, once, whichever thread asks first.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import WorkerCancelled, WorkerFailed

from tui.app.actions import bindings, key_help, palette_commands
from tui.app.formatting import clock
from tui.app.messages import (
    LookUp,
    Notice,
    Observed,
    OpenWizard,
    ProbingWanted,
    RetryMail,
    SamplingWanted,
    ShowPane,
    TraceWanted,
)
from tui.app.panes.pane import PaneBase, component_state, observation_key
from tui.app.panes.registry import PANES, PaneEntry
from tui.app.recording import RecordingLine
from tui.app.safe_app import SafeApp
from tui.app.screens.main_screen import MainScreen
from tui.app.stylesheets import first_frame_stylesheet_paths, read_later_css
from tui.app.training import TRAINING_ACTIONS, Training, TrainingChecked
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import Pane, PaneTabs
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.monitor.schedule import HEALTH_INTERVAL, STALE_AFTER

if TYPE_CHECKING:
    # The monitor, its observations and its subscribers are imported with `MonitorWiring`,
    # just after the first frame; the other panes when they are built, after it too.
    from tui.app.log_inbox import LogInbox
    from tui.app.monitor_wiring import MonitorWiring
    from tui.app.panes.wizard import WizardPane
    from tui.app.widgets.trace_view import TraceView
    from tui.core.installation import Installation
    from tui.core.logs.deferral_counts import DeferralCounts
    from tui.core.monitor.monitor import Monitor
    from tui.core.monitor.observations import Observation, PoolSampled, QueueSampled
    from tui.core.monitor.stream import ObservationStream, Subscriber
    from tui.core.recording.tape import Tape
    from tui.core.timeline import Timeline
    from tui.core.trace.sampled_state import SampledStates
    from tui.core.trace.trace import TraceReport
    from tui.core.training.session import TrainingSession


@functools.cache
def _log_batch() -> type:
    """Log lines reach the Logs pane through its inbox, never as messages (imported late)."""
    from tui.core.monitor.observations import LogBatch

    return LogBatch


TIMELINE_SPAN = 3600.0  # seconds the timeline shows back, unless a recording reaches further
# How long a monitor thread may keep the GIL while the event loop waits for it (Python's
# default is 5 ms): a busy log follower then delays a frame by ~1 ms, not by 5 ms a wait.
GIL_SWITCH_INTERVAL = 0.001
# The log follower and the other panes start after the first verdict, or this long after
# mount.
PANES_AFTER = 1.0
TRAINING_ACTION_NAMES = frozenset(item.action for item in TRAINING_ACTIONS)


class AuthlibApp(SaysWorkerFailures, SafeApp):
    TITLE = "authlib-tui"
    # The rest (the other panes', the screens') is read before they are built: see
    # `_build_panes` and `push_screen`.
    CSS_PATH = first_frame_stylesheet_paths()  # type: ignore[assignment]
    BINDINGS = [*bindings(), *bindings(TRAINING_ACTIONS)]

    def __init__(self, installation: Installation, *, health_interval: float = HEALTH_INTERVAL,
                 allow_fixes: bool = False, training: TrainingSession | None = None):
        super().__init__()
        self.installation = installation
        # A training run on the lab: the trainer bar and F6-F8.
        self.training = Training(self, training) if training is not None else None
        # Read-only unless the user said otherwise: only then may the wizard run a fix.
        self.allow_fixes = allow_fixes
        self.health_interval = health_interval
        self._last_health = time.monotonic()
        self._strip: HealthStrip | None = None
        self._tabs: PaneTabs | None = None
        self.recording_line = RecordingLine(self)
        # The panes built so far, and the latest observation of each kind (for those to come).
        self._panes: dict[str, PaneBase] = {}
        self._latest: dict[Hashable, Observation] = {}
        self.failures: dict[str, str] = {}  # monitor component → its failure, until it recovers
        self._waiting_for_pane: dict[str, list[Callable[[Any], None]]] = {}
        self._panes_building = False  # see `_panes_wanted`
        # The monitor and its subscribers: built on first use (see `_wired`).
        self._wiring: MonitorWiring | None = None
        self._wiring_lock = threading.Lock()  # the recording's worker thread may ask first
        self._unmounted = False
        self._access_said = False  # the missing access is said with the first health sample
        self._collector_paused = False  # see `on_load`
        self.last_trace: TraceReport | None = None  # for the incident note (the wizard's e)

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

    def installation_now(self, fresh: bool = False) -> Installation:
        """The installation as the monitor, its one owner, has it now; `fresh`: read again
        first (the user pressed r). From any thread: the panes' workers ask."""
        live = self.monitor.live
        return live.refresh() if fresh else live.current()

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
    def sampled_states(self) -> SampledStates:
        """The pool and socket as the monitor sampled them, for a trace's failed attempts."""
        return self._wired().sampled_states

    @property
    def tape(self) -> Tape:
        """The record toggle (R): writes only while recording."""
        return self._wired().tape

    @property
    def log_inbox(self) -> LogInbox:
        """The log lines on their way to the Logs pane (kept until it is built)."""
        return self._wired().log_inbox

    @property
    def latest_pool(self) -> PoolSampled | None:
        from tui.core.monitor.observations import PoolSampled

        return cast("PoolSampled | None", self._latest.get(PoolSampled))

    @property
    def latest_queue(self) -> QueueSampled | None:
        from tui.core.monitor.observations import QueueSampled

        return cast("QueueSampled | None", self._latest.get(QueueSampled))

    def get_default_screen(self) -> Screen:
        return MainScreen()  # declares the text roles the panes' spans use

    def compose(self) -> ComposeResult:
        yield HealthStrip(id="health")
        first = PANES[0]
        with PaneTabs(initial=first.pane_id, id="panes"):
            for number, entry in enumerate(PANES, start=1):
                with Pane(f"{number} {entry.title}", id=entry.pane_id):
                    # Only the first pane is built (and its module imported) before the first
                    # frame; the others follow after the first verdict (`_panes_wanted`).
                    if entry is first:
                        yield self._new_pane(entry)
        if self.training is not None:
            yield self.training.bar
        yield self.recording_line
        yield Footer()

    def _new_pane(self, entry: PaneEntry) -> PaneBase:
        """The registry's pane, given the latest of each observation it takes."""
        pane = entry.live_class().build(self)
        for observation in self._latest.values():
            if pane.takes(observation):
                pane.show(observation)
        self._panes[entry.pane_id] = pane
        return pane

    def _panes_wanted(self) -> None:
        """Build the other panes now (once): the first verdict is on the strip, the user
        asked for one, or the verdict is late (`PANES_AFTER`)."""
        if self._panes_building or not self.is_running:
            return
        self._panes_building = True
        self.call_later(self._build_panes)

    async def _build_panes(self) -> None:
        read_later_css(self)  # their rules: the first frame parsed only its own
        for entry in PANES[1:]:
            try:  # on the main screen, not the one in front (a modal may be)
                tab = self.screen_stack[0].query_one(f"#{entry.pane_id}", Pane)
            except (NoMatches, IndexError):
                return  # the app is closing (q before the panes were built)
            if not tab.is_attached or not self.is_running:
                return
            pane = self._new_pane(entry)
            await tab.mount(pane)
            for action in self._waiting_for_pane.pop(entry.pane_id, []):
                action(pane)  # asked for before it was built (a link, a mark, a find)
            if self._tabs is not None and self._tabs.active == entry.pane_id:
                self._pane_in_front(tab)  # switched to before it was built: focus it now
        # Everything built so far lives as long as the app: out of the collector's sight, a
        # full collection walks only what came after (~70 ms less, on whichever thread).
        # Collected first, so no garbage of the start-up is kept for good.
        gc.collect()
        gc.freeze()

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """Every screen of ours (help, a fix's confirmation, a trace…) has its rules in the
        later stylesheets: they are read before its widgets are styled."""
        read_later_css(self)
        return super().push_screen(*args, **kwargs)

    def _built(self, pane_id: str) -> PaneBase | None:
        """A pane once it is built and mounted; None before that or while closing.

        Held, not queried: a modal may be the screen in front.
        """
        pane = self._panes.get(pane_id)
        return pane if pane is not None and pane.is_attached and pane.pane_mounted else None

    def _wizard(self) -> WizardPane | None:
        return cast("WizardPane | None", self._built("wizard"))

    def on_load(self) -> None:
        # Until the first frame is painted the app only builds what lives as long as it
        # (styles, widgets, their message queues): the collector would walk them dozens of
        # times and free nothing. It runs again from just after that frame (`_start_monitor`).
        self._collector_paused = gc.isenabled()
        gc.disable()

    def _resume_collector(self) -> None:
        """After the first frame (or on closing before it): as it was before `on_load`."""
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()

    def on_mount(self) -> None:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        # Held, not queried when a sample lands: a modal may be the screen in front then,
        # or the app may be closing under a last sample.
        self._strip = self.query_one(HealthStrip)
        self._tabs = self.query_one(PaneTabs)
        # After the first frame is on screen, not before it: the other panes (and the modules
        # behind them), the monitor and its subscribers, and a sampler thread started now
        # (psycopg import, discovery) would hold the GIL while the first frame is painted.
        # The other panes (~150 ms on this thread) and the log backfill wait for the first
        # verdict on the strip: meanwhile they would hold back the health run and the repaint.
        self.call_after_refresh(self._start_monitor)
        self.set_timer(PANES_AFTER, self._after_first_verdict)
        if self.training is not None:
            self.training.start()
        self.set_interval(1.0, self._check_stale)

    def _start_monitor(self) -> None:
        self._resume_collector()  # the first frame is painted (see `on_load`)
        if self.is_running:  # not while closing (q pressed before the first frame)
            self.monitor.start("health")

    def _after_first_verdict(self) -> None:
        """The log follower's backfill (thousands of lines parsed) and the other panes wait
        for the first verdict on the strip, or `PANES_AFTER`: meanwhile they would take the
        CPU from the health run."""
        if self.is_running:
            self.monitor.start("logs")
            self._panes_wanted()

    def on_unmount(self) -> None:
        self._resume_collector()  # closed before the first frame was painted
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

        Every observation passes here, a log line too (20k a second on a busy server): log
        batches go to the Logs pane's inbox, every other kind comes as a message.
        """
        if not isinstance(observation, _log_batch()):
            self.post_message(Observed(observation))

    def _subscriber_failed(self, subscriber: Subscriber, error: BaseException) -> None:
        name = getattr(subscriber, "__qualname__", repr(subscriber))
        self.call_from_anywhere(self.notify, f"{name} failed: {error!r}", severity="error",
                                markup=False)

    def call_from_anywhere(self, callback: object, *args: object, **kwargs: object) -> None:
        """Run `callback` on the UI thread, from the UI thread or any other, while running."""
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
        observation = message.observation
        self._latest[observation_key(observation)] = observation
        self._said(observation)
        for pane in self._panes.values():
            if pane.takes(observation):
                pane.show(observation)

    def _said(self, observation: Observation) -> None:
        """What the shell itself shows of an observation: the strip, failures, log events."""
        from tui.core.monitor.observations import HealthSampled, LogSource

        state = component_state(observation)
        if state is not None:
            component, sentence = state
            if sentence is None:
                self.failures.pop(component, None)
            else:
                if component not in self.failures:  # said once, not every retry
                    self.notify(sentence, title="Stale", severity="error", timeout=10,
                                markup=False)
                self.failures[component] = sentence
            if component == "health" and self._strip is not None:
                self._strip.stale = sentence is not None
        elif isinstance(observation, HealthSampled):
            if not self._access_said:
                self._access_said = True
                self._say_access()
            self._last_health = time.monotonic()
            if self._strip is not None:
                self._strip.snapshot = observation.snapshot
                self._strip.stale = "health" in self.failures
            self.call_after_refresh(self._after_first_verdict)  # the verdict painted first
        elif isinstance(observation, LogSource) and observation.event:
            self.notify(observation.event, title="Logs", markup=False)

    def _say_access(self) -> None:
        """What this user cannot read, once: from the first health run's discovery (the
        first frame does not wait for one), as it found it."""
        access = self.monitor.live.latest.discovery.access
        if access:
            self.notify(
                "\n".join(f"{f.message} {f.fix}" for f in access[:3]),
                title="Limited access", severity="warning", timeout=15, markup=False,
            )

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=message.timeout,
                    markup=False)

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

    # -- training (training.py) -------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in TRAINING_ACTION_NAMES:
            return self.training is not None
        return True

    def action_training_hint(self) -> None:
        if self.training is not None:
            self.training.hint()

    def action_training_answer(self) -> None:
        if self.training is not None:
            self.training.answer()

    def action_training_check(self) -> None:
        if self.training is not None:
            self.training.check()

    def on_training_checked(self, message: TrainingChecked) -> None:
        if self.training is not None:
            self.training.checked(message)

    # -- actions -----------------------------------------------------------------
    def action_show_pane(self, pane_id: str) -> None:
        if self._tabs is not None:
            self._tabs.active = pane_id

    def on_pane_tabs_activated(self, event: PaneTabs.Activated) -> None:
        """Focus the shown pane's main widget now, so the very next key goes to it."""
        if event.pane.id not in self._panes:
            self._panes_wanted()  # switched to before it was built: build it now
        self._pane_in_front(event.pane)

    def _pane_in_front(self, tab: Widget) -> None:
        """Tell the pane in `tab` it is in front, and focus its main widget."""
        tabs = tab.screen.query(PaneTabs) if tab.is_attached else None
        if not tabs or tabs.first().active != tab.id:
            return  # the user has moved on, or the app is closing
        pane = self._built(tab.id or "")
        if pane is None:
            return  # not built yet: `_build_panes` focuses it once it is
        pane.activated()
        # set_focus, not widget.focus(): that one is deferred, and if the user switched
        # pane meanwhile, focusing a widget in this pane would switch back to it.
        try:
            home = pane.home_widget()
        except NoMatches:
            return  # the pane is being torn down (the app is closing)
        tab.screen.set_focus(home, scroll_visible=False)

    def _with_pane(self, pane_id: str, action: Callable[[Any], None]) -> None:
        """Run `action` on a pane now, or as soon as it is built (just after the first frame)."""
        pane = self._built(pane_id)
        if pane is not None:
            action(pane)
        else:
            self._waiting_for_pane.setdefault(pane_id, []).append(action)
            self._panes_wanted()

    def on_show_pane(self, message: ShowPane) -> None:
        self.action_show_pane(message.pane)

    def on_open_wizard(self, message: OpenWizard) -> None:
        self.action_show_pane("wizard")
        self._with_pane("wizard", lambda pane: pane.show_request(message.step, message.evidence))

    def on_retry_mail(self, message: RetryMail) -> None:
        from tui.app.screens.trace_screen import TraceScreen

        if isinstance(self.screen, TraceScreen):
            self.screen.dismiss()  # the retry's confirmation and watch are the Queue pane's
        self.action_show_pane("queue")
        queue_id = message.queue_id
        if queue_id is None:
            self._with_pane("queue", lambda pane: pane.action_retry_all())
        else:
            self._with_pane("queue", lambda pane: pane.retry_one(queue_id))

    def on_trace_view_done(self, message: TraceView.Done) -> None:
        """A trace ended (the Lookup pane's or a trace screen's): the incident note tells it."""
        self.last_trace = message.report

    def on_trace_wanted(self, message: TraceWanted) -> None:
        """A message's trace, in front of the pane it was asked from (esc returns)."""
        from tui.app.screens.trace_screen import TraceScreen
        from tui.core.trace.query import QueryError, parse_query

        try:
            query = parse_query(message.query)
        except QueryError as exc:
            self.notify(f"No trace: {exc}.", severity="warning", timeout=6, markup=False)
            return
        self.push_screen(TraceScreen(query, lambda: self.installation_now(False),
                                     allow_fixes=self.allow_fixes,
                                     states=lambda: self.sampled_states))

    def on_look_up(self, message: LookUp) -> None:
        self.action_show_pane("lookup")
        self._with_pane("lookup", lambda pane: pane.look_up(message.address))

    def action_find_it(self) -> None:
        """Run every check and name the cause: the wizard's f, from anywhere."""
        self.action_show_pane("wizard")
        self._with_pane("wizard", lambda pane: pane.action_find())

    def action_refresh(self) -> None:
        self.monitor.refresh()
        overview = self._built("overview")
        if overview is not None:
            overview.reload()  # type: ignore[attr-defined]
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

    def action_toggle_recording(self) -> None:
        self.recording_line.toggle()

    # -- help and the palette, from the bindings ------------------------------------------
    def action_help(self) -> None:
        from tui.app.screens.help_screen import HelpScreen

        active = self._tabs.active if self._tabs is not None else PANES[0].pane_id
        entry = next((item for item in PANES if item.pane_id == active), PANES[0])
        pane_class = entry.live_class()
        pane_keys = [*key_help(pane_class.__dict__.get("BINDINGS", [])), *pane_class.widget_keys]
        self.push_screen(HelpScreen(self._app_keys(), entry.title, pane_keys, panes=len(PANES)))

    def _app_keys(self) -> list[tuple[str, str]]:
        """The app's and the main screen's bindings that work now (training's only in training)."""
        main = self.screen_stack[0] if self.screen_stack else None
        screen_bindings = list(type(main).__dict__.get("BINDINGS", [])) if main else []
        return key_help([binding for binding in [*self.BINDINGS, *screen_bindings]
                         if isinstance(binding, Binding)
                         and self.check_action(binding.action, ()) is not False])

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui.app.screens.help_screen import HelpScreen

        own = [binding for binding in self.BINDINGS if isinstance(binding, Binding)]
        yield from palette_commands(self, own)
        if not isinstance(screen, HelpScreen):
            for entry in PANES:
                yield from entry.live_class().palette_commands(self)
        yield from super().get_system_commands(screen)

    # Its own workers (training's check): the toast is all (SaysWorkerFailures).

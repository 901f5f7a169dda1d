"""`authlib-tui replay FILE`: the x-ray, logs, workers and timeline as of a cursor in a recording.

Nothing here measures or talks to a daemon: every pane draws what the recording
held at the cursor, with the same widgets as the live app. The cursor plays at
a speed, steps between recorded moments and seeks; each move redraws from the
in-memory recording (bisects, no I/O), so the UI thread never waits.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from tui.app.actions import bindings, key_help, palette_commands
from tui.app.formatting import clock
from tui.app.messages import HopChosen, OpenWizard
from tui.app.panes.registry import REPLAY_PANES
from tui.app.replay.actions import REPLAY_ACTIONS, SPEEDS
from tui.app.replay.bar import ReplayBar
from tui.app.replay.logs import RecordedLogs
from tui.app.replay.overview import RecordedOverview
from tui.app.replay.pane import RecordedPane
from tui.app.safe_app import SafeApp
from tui.app.screens.main_screen import MainScreen
from tui.app.stylesheets import stylesheet_paths
from tui.app.widgets.pane_tabs import Pane, PaneTabs
from tui.app.widgets.workers_view import WorkersView
from tui.app.widgets.xray_chain import XrayChain
from tui.core.recording.observations import Kind, check_results
from tui.core.recording.replay import Recording
from tui.core.xray import hop_of_step

TICK = 0.25  # seconds of wall time between cursor moves while playing
HOP_LOG_WINDOW = 300.0  # a hop's evidence lists the log hits of the 5 minutes before the cursor


class ReplayApp(SafeApp):
    TITLE = "authlib-tui replay"
    CSS_PATH = stylesheet_paths()  # type: ignore[assignment]  # every rule: all panes at once
    BINDINGS = bindings(REPLAY_ACTIONS)  # type: ignore[assignment]

    cursor: reactive[float] = reactive(0.0, init=False)
    playing: reactive[bool] = reactive(False, init=False)
    speed: reactive[float] = reactive(1.0, init=False)

    def __init__(self, recording: Recording, tick: float = TICK) -> None:
        super().__init__()
        self.recording = recording
        self.tick = tick
        self.sub_title = str(recording.path)

    def get_default_screen(self) -> Screen:
        return MainScreen()  # declares the text roles the panes' spans use

    def compose(self) -> ComposeResult:
        meta = self.recording.meta
        yield ReplayBar(self.recording.start, self.recording.end, meta.get("host", "?"))
        with PaneTabs(initial=REPLAY_PANES[0].pane_id, id="panes"):
            for number, entry in enumerate(REPLAY_PANES, start=1):
                with Pane(f"{number} {entry.title}", id=entry.pane_id):
                    yield entry.replay_class().build(self.recording)
        yield Footer()

    def on_mount(self) -> None:
        # Held, not queried: while playing, a modal (the timeline, the keys) is the screen
        # in front, and a query would look in it.
        self._bar = self.query_one(ReplayBar)
        self._chain = self.query_one(XrayChain)
        self._overview = self.query_one(RecordedOverview)
        self._logs = self.query_one(RecordedLogs)
        self._workers_view = self.query_one(WorkersView)
        self.set_interval(self.tick, self._advance)
        self.cursor = self.recording.first_check  # open on a moment the x-ray has (draws)
        self.call_after_refresh(self._draw_bar)  # again once the bar's width is laid out

    # -- the cursor ----------------------------------------------------------------------
    def _advance(self) -> None:
        if not self.playing:
            return
        if self.cursor >= self.recording.end:
            self.playing = False
            return
        self.cursor = min(self.recording.end, self.cursor + self.tick * self.speed)

    def seek(self, moment: float) -> None:
        self.cursor = min(max(moment, self.recording.start), self.recording.end)

    def watch_cursor(self) -> None:
        self._draw()

    def watch_playing(self) -> None:
        self._draw_bar()

    def watch_speed(self) -> None:
        self._draw_bar()

    def _draw_bar(self) -> None:
        self._bar.show(self.cursor, self.playing, self.speed)

    def _draw(self) -> None:
        try:
            self._draw_at(self.cursor)
        except NoMatches:
            return  # the app is closing: its widgets are being removed under a last tick

    def _draw_at(self, moment: float) -> None:
        self._draw_bar()
        hops = self.recording.hops_at(moment)
        if hops is not None:
            self._chain.hops = hops
        checks = self.recording.latest(Kind.CHECKS, moment)
        self._overview.show_checks(
            checks.at if checks is not None else None,
            list(check_results(checks.data).values()) if checks is not None else [])
        self._logs.show_hits(self.recording.signatures_until(moment))
        snapshot = self.recording.workers_at(moment)
        if snapshot is not None:
            probe_address = self.recording.meta.get("probe_address", "?")
            self._workers_view.show(snapshot, probe_address,
                                    sessions_note="sessions are not recorded")

    # -- actions ---------------------------------------------------------------------------
    def action_play_pause(self) -> None:
        if not self.playing and self.cursor >= self.recording.end:
            self.cursor = self.recording.start  # play again from the start
        self.playing = not self.playing

    def action_step(self, direction: int) -> None:
        self.playing = False
        recording = self.recording
        self.seek(recording.next_moment(self.cursor) if direction > 0
                  else recording.previous_moment(self.cursor))

    def action_seek(self, seconds: float) -> None:
        self.seek(self.cursor + seconds)

    def action_seek_to(self, where: str) -> None:
        self.seek(self.recording.start if where == "start" else self.recording.end)

    def action_speed(self, direction: int) -> None:
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + direction))]

    def on_replay_bar_seek(self, message: ReplayBar.Seek) -> None:
        recording = self.recording
        self.seek(recording.start + message.fraction * (recording.end - recording.start))

    def action_show_pane(self, pane_id: str) -> None:
        self.query_one(PaneTabs).active = pane_id

    def on_pane_tabs_activated(self, event: PaneTabs.Activated) -> None:
        for child in event.pane.query(".pane-body"):
            if isinstance(child, RecordedPane):
                try:
                    home = child.home_widget()
                except NoMatches:
                    return  # the app is closing
                self.set_focus(home, scroll_visible=False)
            return

    def action_timeline(self) -> None:
        from tui.app.screens.timeline_screen import TimelineScreen

        timeline = self.recording.timeline_until(self.cursor)
        self.push_screen(TimelineScreen(
            timeline, origin=f"from the recording's start to the cursor ({clock(self.cursor)})"))

    def action_help(self) -> None:
        from tui.app.screens.help_screen import HelpScreen

        self.push_screen(HelpScreen(key_help(self.BINDINGS), "Replay", [],
                                    panes=len(REPLAY_PANES)))

    def on_hop_chosen(self, message: HopChosen) -> None:
        from tui.app.screens.hop_screen import HopScreen

        hits = self.recording.between(Kind.SIGNATURE, self.cursor - HOP_LOG_WINDOW, self.cursor)
        lines = [f"{clock(hit.at)} {hit.data.get('id')}: {hit.data.get('short', '')}"
                 for hit in hits
                 if hop_of_step(str(hit.data.get("step", ""))) == message.hop.id]
        self.push_screen(HopScreen(message.hop, lines[-20:], wizard=False))

    def on_open_wizard(self, message: OpenWizard) -> None:
        self.notify("The wizard runs on the live system: `authlib-tui` there.", timeout=4)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from palette_commands(self, self.BINDINGS)
        yield from super().get_system_commands(screen)

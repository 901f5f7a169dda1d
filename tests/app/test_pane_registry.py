"""The pane protocol: one registry for every front end, and a pane built late misses nothing."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.app.conftest import until, widget_text
from tui.app.actions import APP_ACTIONS, PANES
from tui.app.panes.logs import LogsPane
from tui.app.panes.pane import PaneBase
from tui.app.panes.registry import PANES as ENTRIES
from tui.app.panes.registry import REPLAY_PANES
from tui.app.replay.actions import PANES as REPLAY_TABS
from tui.app.replay.pane import RecordedPane
from tui.core.monitor.observations import ComponentFailed, ComponentRecovered, LogSource


def test_every_entry_names_a_pane_of_each_front_end_it_is_in() -> None:
    for entry in ENTRIES:
        assert issubclass(entry.live_class(), PaneBase), entry.pane_id
        if entry.replay:
            assert issubclass(entry.replay_class(), RecordedPane), entry.pane_id


def test_the_tabs_and_their_number_keys_follow_the_registry() -> None:
    assert tuple((entry.pane_id, entry.title) for entry in ENTRIES) == PANES
    assert tuple((entry.pane_id, entry.title) for entry in REPLAY_PANES) == REPLAY_TABS
    number_keys = [(a.key, a.action) for a in APP_ACTIONS if a.action.startswith("show_pane")]
    assert number_keys == [(str(n), f"show_pane('{entry.pane_id}')")
                           for n, entry in enumerate(ENTRIES, start=1)]


class Later(App[None]):
    """Mounts the pane only when asked: observations handed to it before wait."""

    def __init__(self, pane: LogsPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield Static("no pane yet")


async def test_a_pane_shows_the_latest_of_each_kind_it_was_handed_before_it_was_mounted() -> None:
    pane = LogsPane()
    pane.show(LogSource("/var/log/old.log"))
    pane.show(ComponentFailed("logs", "Reading the log failed: gone."))
    pane.show(LogSource("journald (courier-authdaemon)"))
    app = Later(pane)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.mount(pane)
        source = pane.query_one("#logs-source", Static)
        # The failure is said over what is read while it lasts...
        await until(lambda: widget_text(app, source).startswith(
            "Stale: Reading the log failed: gone."))
        assert source.has_class("-stale")
        pane.show(ComponentRecovered("logs"))  # ...and once the component works again
        await pilot.pause()
        assert widget_text(app, source) == "Reading: journald (courier-authdaemon)"
        assert not source.has_class("-stale")


def test_a_pane_takes_only_its_kinds_and_its_components() -> None:
    pane = LogsPane()
    assert pane.takes(LogSource("x"))
    assert pane.takes(ComponentFailed("logs", "no"))
    assert not pane.takes(ComponentFailed("pool", "no"))
    assert not pane.takes(ComponentRecovered("health"))

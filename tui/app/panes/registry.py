"""Every pane, once: the tabs, their number keys, the palette, `?`, the live app and the replay.

Adding a pane is its file and one line here. The classes are named, not imported:
only the first pane is imported before the app's first frame, the others right
after it (`PaneEntry.live_class`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from tui.app.panes.pane import PaneBase
    from tui.app.replay.pane import RecordedPane


@dataclass(frozen=True)
class PaneEntry:
    pane_id: str  # the tab's id; the live pane's widget is `#<pane_id>-pane`
    title: str
    live: str  # "module:Class" of the live app's pane
    replay: str = ""  # "module:Class" of the replay's pane in this tab, "" when it has none

    def live_class(self) -> type[PaneBase]:
        return cast("type[PaneBase]", _load(self.live))

    def replay_class(self) -> type[RecordedPane]:
        return cast("type[RecordedPane]", _load(self.replay))


def _load(target: str) -> Any:
    module, name = target.split(":")
    return getattr(import_module(module), name)


PANES: tuple[PaneEntry, ...] = (
    PaneEntry("overview", "Overview", "tui.app.panes.overview:OverviewPane",
              "tui.app.replay.overview:RecordedOverview"),
    PaneEntry("logs", "Logs", "tui.app.panes.logs:LogsPane", "tui.app.replay.logs:RecordedLogs"),
    PaneEntry("workers", "Workers", "tui.app.panes.workers:WorkersPane",
              "tui.app.replay.workers:RecordedWorkers"),
    PaneEntry("lookup", "Lookup", "tui.app.panes.lookup:LookupPane"),
    PaneEntry("wizard", "Wizard", "tui.app.panes.wizard:WizardPane"),
    PaneEntry("queue", "Queue", "tui.app.panes.queue:QueuePane"),
)
REPLAY_PANES: tuple[PaneEntry, ...] = tuple(entry for entry in PANES if entry.replay)


def entry(pane_id: str) -> PaneEntry:
    return next(item for item in PANES if item.pane_id == pane_id)

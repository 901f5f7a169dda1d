"""The replay's Workers pane: the live pane's drawing, fed from the recording."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll

from tui.app.replay.pane import RecordedPane
from tui.app.widgets.workers_view import WorkersView


class RecordedWorkers(RecordedPane, VerticalScroll):
    def __init__(self) -> None:
        super().__init__(classes="pane-body", id="replay-workers", can_focus=True)

    def compose(self) -> ComposeResult:
        yield WorkersView()

"""The replay's cursor line: play state, speed, the moment shown and where it is in the recording.

A click on the progress track seeks there; the app owns the cursor (attributes
down: `show`), the bar only asks to move it (messages up: `Seek`).
"""

from __future__ import annotations

import time

from textual import events
from textual.message import Message
from textual.widgets import Static

from tui.app.formatting import clock
from tui.app.text import styled
from tui.app.text_roles import DIM, LABEL

TRACK_MIN, TRACK_MAX = 10, 60


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


class ReplayBar(Static):
    class Seek(Message):
        """Move the cursor to this fraction of the recording (0 = start, 1 = end)."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(self, start: float, end: float, host: str) -> None:
        super().__init__(id="replay-bar")
        self.start, self.end, self.host = start, end, host
        self._track_at = 0  # the column where the track starts, for clicks
        self._track_width = TRACK_MIN

    def show(self, cursor: float, playing: bool, speed: float) -> None:
        state = f"▶ playing {speed:g}x" if playing else "⏸ paused"
        head = f"{state}  {_when(cursor)}  "
        tail = f"  {clock(self.start)}–{clock(self.end)}  {self.host}"
        width = self.size.width or 80
        self._track_width = max(TRACK_MIN, min(TRACK_MAX, width - len(head) - len(tail) - 2))
        span = max(self.end - self.start, 1e-9)
        done = round((cursor - self.start) / span * (self._track_width - 1))
        track = "━" * done + "●" + "─" * (self._track_width - 1 - done)
        self._track_at = len(head) + 1  # after the bar's left padding
        self.update(styled((state, LABEL), f"  {_when(cursor)}  ", track, (tail, DIM)),
                    layout=False)

    def on_click(self, event: events.Click) -> None:
        column = event.x - self._track_at
        if 0 <= column < self._track_width:
            self.post_message(self.Seek(column / max(self._track_width - 1, 1)))

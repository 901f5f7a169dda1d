"""What a replay pane declares: how it is built from the recording, and where the focus goes.

A plain mixin at run time, like the live panes' base (see `worker_failure._Node`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self

    from textual.widget import Widget

    from tui.core.recording.replay import Recording

    _Node = Widget
else:
    _Node = object


class RecordedPane(_Node):
    @classmethod
    def build(cls, recording: Recording) -> Self:
        """The pane for `recording` (most need nothing of it: the app draws them at the cursor)."""
        del recording
        return cls()

    def home_widget(self) -> Widget:
        """The widget that takes the focus when the pane is shown."""
        return self

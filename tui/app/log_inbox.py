"""Log lines on their way to the Logs pane: filled on the monitor's thread, drained by the pane.

Each line is sanitised and given its display text where it arrives, off the UI
thread. The inbox is bounded by what the view keeps, so lines that arrive before
the pane is built (or while the app is busy) wait here without growing memory.
"""

from __future__ import annotations

import threading
from collections import deque

from tui.app.formatting import clock
from tui.app.widgets.log_view import DEFAULT_MAX_ENTRIES, ShownEntry, shown
from tui.core.monitor.observations import LogBatch, Observation


class LogInbox:
    def __init__(self, capacity: int = DEFAULT_MAX_ENTRIES) -> None:
        self._waiting: deque[ShownEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._last_clock: tuple[float, str] = (-1.0, "")

    def observe(self, observation: Observation) -> None:
        """The stream's subscriber (on the monitor's thread)."""
        if isinstance(observation, LogBatch) and observation.entries:
            batch = [shown(entry, self._clock) for entry in observation.entries]
            with self._lock:
                self._waiting.extend(batch)

    def _clock(self, moment: float) -> str:
        """`clock`, remembered for the last second: a busy log has many lines in each."""
        last_moment, text = self._last_clock  # one tuple: read and replaced atomically
        if moment != last_moment:
            text = clock(moment)
            self._last_clock = (moment, text)
        return text

    def take(self) -> list[ShownEntry]:
        with self._lock:
            batch = list(self._waiting)
            self._waiting.clear()
        return batch

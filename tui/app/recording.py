"""The record toggle (R): the line that says a recording runs, and the worker that opens it.

Opening and closing the file, and writing its rows, touch the disk: they run in
workers, which post what changed as a `Changed` message, handled here on the UI
thread (the line, the flush timer, the toast).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from tui.app.messages import Notice
from tui.app.text import plain
from tui.app.worker_failure import SaysWorkerFailures

if TYPE_CHECKING:
    from tui.core.installation import Installation
    from tui.core.monitor.monitor import Monitor
    from tui.core.recording.tape import Tape

FLUSH_EVERY = 2.0  # seconds between writes of the recording's new rows


class RecordingHost(Protocol):
    """What the recording needs from the app (the monitor's parts are built on first use)."""

    installation: Installation
    health_interval: float

    @property
    def monitor(self) -> Monitor: ...

    @property
    def tape(self) -> Tape: ...


def _new_path() -> Path:
    """A name nothing has yet: the file is created new (O_EXCL), so R pressed again within
    the same second gets `-2`, not a refusal."""
    from tui.core.recording.tape import default_recordings_dir

    directory, stem = default_recordings_dir(), time.strftime("%Y%m%d-%H%M%S")
    names = (f"{stem}.sqlite", *(f"{stem}-{n}.sqlite" for n in range(2, 100)))
    return next((directory / name for name in names
                 if not os.path.lexists(directory / name)), directory / names[0])


class RecordingLine(SaysWorkerFailures, Static):
    """"● recording to …" while recording; empty otherwise."""

    failing_groups = ("recording",)  # the toast is all

    @dataclass
    class Changed(Message):
        recording: Path | None  # the file being written, None when stopped
        saved: Path | None  # the file just closed

    def __init__(self, host: RecordingHost) -> None:
        super().__init__("", id="recording-line")
        self.host = host
        self._flush_timer: Timer | None = None

    @work(thread=True, group="recording", exit_on_error=False,
          description="Opening or closing the recording file")
    def toggle(self) -> None:
        import sqlite3

        host = self.host
        try:  # decided and done under the tape's lock: R pressed twice opens one file
            recording, saved = host.tape.toggle(_new_path, host.installation,
                                                interval=str(host.monitor.sample_interval),
                                                check_every=str(host.health_interval))
        except (OSError, sqlite3.Error) as exc:  # say so; nothing else changes
            self.post_message(Notice(f"Cannot record to {_new_path().parent}: {exc}",
                                     severity="error"))
            return
        self.post_message(self.Changed(recording, saved))

    def on_recording_line_changed(self, message: Changed) -> None:
        recording, saved = message.recording, message.saved
        self.set_class(recording is not None, "-on")
        monitor = self.host.monitor
        if recording is not None:
            self.update(plain(f"● recording to {recording} (R stops)"))
            monitor.start("pool", "probe", "sessions")  # the replay's Workers pane
            if self._flush_timer is None:
                self._flush_timer = self.set_interval(FLUSH_EVERY, self._flush)
            monitor.refresh()  # the x-ray's state from the first second
            self.app.notify(f"Recording to {recording}. R stops.", timeout=5, markup=False)
        elif saved is not None:
            if self._flush_timer is not None:
                self._flush_timer.stop()
                self._flush_timer = None
            self.app.notify(f"Saved {saved}: authlib-tui replay {saved}", title="Recording",
                            timeout=15, markup=False)

    @work(thread=True, group="recording-flush", exit_on_error=False,
          description="Writing the recording's new rows")
    def _flush(self) -> None:
        self.host.tape.flush()

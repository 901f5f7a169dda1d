"""`t`: the incident on one time axis, oldest first, from the incident mark when there is one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.formatting import clock
from tui.app.screens.modal import Modal
from tui.app.text import styled
from tui.app.text_roles import DIM, ERROR_STRONG, LABEL, NOTE, WARN
from tui.core.timeline import Timeline

_STYLE = {"error": ERROR_STRONG, "warning": WARN, "info": ""}


class TimelineScreen(Modal[None]):
    BINDINGS = [Binding("escape,t,q", "dismiss", "Close")]

    def __init__(self, timeline: Timeline,
                 origin: str = "since authlib-tui started (i marks the incident)",
                 since: float | None = None) -> None:
        super().__init__()
        self.timeline = timeline
        self.origin = origin  # what the axis starts from when no incident is marked
        self.since = since  # ignored when an incident is marked: the mark is the start

    def compose(self) -> ComposeResult:
        start = self.timeline.incident_start
        events = self.timeline.events(None if start is not None else self.since)
        title = (f"since the incident mark at {clock(start)}" if start is not None
                 else self.origin)
        with VerticalScroll(classes="timeline-body", id="timeline-body"):
            yield Static(styled(("Timeline ", LABEL), (title, DIM), ("  esc closes", DIM)))
            if not events:
                yield Static(styled(("nothing happened yet", NOTE)))
            for event in events:
                yield Static(styled((f"{clock(event.at)} ", DIM),
                                    (f"{event.kind.value:5} ", LABEL),
                                    (event.text, _STYLE.get(event.level, ""))),
                             classes="timeline-event")

    def on_mount(self) -> None:
        self.query_one("#timeline-body").scroll_end(animate=False)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)

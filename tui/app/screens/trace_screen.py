"""A message's trace in front of the pane it was opened from (enter on a Queue row or a
delivery line); esc returns to it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from tui.app.screens.modal import Modal
from tui.app.text import styled
from tui.app.text_roles import DIM, LABEL
from tui.app.widgets.trace_view import TraceView
from tui.core.installation import Installation
from tui.core.trace.query import Query
from tui.core.trace.sampled_state import SampledStates


class TraceScreen(Modal[None]):
    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, query: Query, installation_now: Callable[[], Installation], *,
                 allow_fixes: bool = False,
                 states: Callable[[], SampledStates | None] = lambda: None) -> None:
        super().__init__()
        self.states = states
        self.trace_query = query
        self.installation_now = installation_now
        self.allow_fixes = allow_fixes

    def compose(self) -> ComposeResult:
        with Vertical(id="trace-body"):
            yield Static(styled(("Trace ", LABEL), (self.trace_query.text, LABEL),
                                ("  ↑↓ choose · esc closes", DIM)))
            yield TraceView(self.installation_now, allow_fixes=self.allow_fixes,
                            states=self.states,
                            view_id="trace-screen-view")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(TraceView)
        view.focus()
        view.start(self.trace_query)

    def action_close(self) -> None:
        self.dismiss(None)

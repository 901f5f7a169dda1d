"""Panes whose own issue has not landed yet: they say what is coming, never an error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.text import styled

UPCOMING: dict[str, tuple[str, list[str]]] = {
    "logs": (
        "Live authdaemond and delivery logs",
        [
            "journald (authlib unit and SYSLOG_IDENTIFIER=authdaemond) and mail log files, "
            "followed live across rotation",
            "Postfix deferrals and bounces of the maildrop transports beside authdaemond's lines",
            "each known line explained, with a link to the wizard step that fixes it",
            "until then: the Overview pane shows the latest authdaemond errors from the mail log",
        ],
    ),
    "wizard": (
        "Guided wizard: from symptom to cause to fix",
        [
            "start from 's_connect() failed', 'Temporary authentication failure', one failing "
            "address, or let it find the cause",
            "each step shows its evidence; fixes run only when allowed, after showing the exact "
            "command",
            "until then: the Lookup pane explains failures from the database itself",
        ],
    ),
}


class UpcomingPane(VerticalScroll):
    """What this pane will do, and where to look meanwhile."""

    def __init__(self, pane_id: str) -> None:
        super().__init__(classes="coming-soon")
        self.pane_id = pane_id

    def compose(self) -> ComposeResult:
        title, points = UPCOMING[self.pane_id]
        yield Static("", id="upcoming-request")
        yield Static(styled((title, "bold"), ("  — coming in a later release", "italic")))
        for point in points:
            yield Static(f"• {point}")

    def show_request(self, step: str, evidence: str) -> None:
        """Say which step a link asked for, so the jump is visible before the wizard exists."""
        request = self.query_one("#upcoming-request", Static)
        request.add_class("-shown")
        request.update(styled(
            ("You came here for step: ", "bold"), (step, "bold $accent"), "\n",
            ("Evidence: ", "dim"), evidence,
        ))

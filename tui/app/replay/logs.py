"""The replay's Logs: the signature hits recorded up to the cursor, newest last.

Recordings never hold raw log lines (with DEBUG_LOGIN=2 authdaemond logs
passwords), only which known message each line was, so that is what shows.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.app.formatting import clock
from tui.app.replay.pane import RecordedPane
from tui.app.text import styled
from tui.app.text_roles import DIM, LABEL, NOTE, SEVERITY_ROLE
from tui.core.recording.store import Observation

NEWLINE = Content("\n")
SHOWN = 200


class RecordedLogs(RecordedPane, VerticalScroll):
    def __init__(self) -> None:
        super().__init__(classes="pane-body", id="replay-logs", can_focus=True)
        self._shown: tuple[float, int] | None = None

    def compose(self) -> ComposeResult:
        yield Static(styled(("Log signatures up to the cursor", LABEL),
                            ("  (raw lines are never recorded)", DIM)),
                     classes="section-title")
        yield Static("…", id="replay-log-hits")

    def show_hits(self, hits: list[Observation]) -> None:
        key = (hits[-1].at, len(hits)) if hits else (0.0, 0)
        if key == self._shown:
            return  # playing re-asks every tick; redraw only when a hit came or went
        self._shown = key
        text = self.query_one("#replay-log-hits", Static)
        if not hits:
            text.update(styled(("no log line with a known meaning yet", NOTE)))
            return
        lines = []
        for hit in hits[-SHOWN:]:
            data = hit.data
            severity = str(data.get("severity", "info"))
            lines.append(styled((f"{clock(hit.at)} ", DIM),
                                (f"{severity.upper():7} ", SEVERITY_ROLE.get(severity, "")),
                                (f"{data.get('kind', '?')!s:9} ", DIM),
                                (f"{data.get('id', '?')}", LABEL), f"  {data.get('short', '')}"))
        text.update(NEWLINE.join(lines))
        self.call_after_refresh(self.scroll_end, animate=False)

"""A hop's evidence: its checks' findings, the log lines that point at it, the way to the wizard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.messages import OpenWizard
from tui.app.screens.modal import Modal
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, LABEL
from tui.core.xray import Hop


class HopScreen(Modal[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close"),
                Binding("w", "wizard", "Wizard step")]

    def __init__(self, hop: Hop, log_lines: list[str], wizard: bool = True) -> None:
        super().__init__()
        self.hop = hop
        self.log_lines = log_lines
        self.wizard = wizard  # False in a replay: the wizard runs on a live system only

    def compose(self) -> ComposeResult:
        hop = self.hop
        with VerticalScroll(classes="hop-body"):
            yield Static(styled((hop.title, LABEL), f"  {hop.state.value}: ", hop.detail))
            for result in hop.results:
                yield Static(styled((f"{result.status.value:5} ", LABEL), result.title))
                yield Static(plain(f"      {result.finding}"))
                for item in result.evidence:
                    if item:
                        yield Static(plain(f"      • {item}"))
            if self.log_lines:
                yield Static(styled(("Log lines that point here", LABEL)))
                for line in self.log_lines:
                    yield Static(plain(f"  {line}"))
            keys = ("w opens the wizard at this step · esc closes"
                    if hop.wizard_step and self.wizard else "esc closes")
            yield Static(styled((keys, DIM)))

    def action_wizard(self) -> None:
        if self.hop.wizard_step and self.wizard:
            self.dismiss(None)
            self.app.post_message(OpenWizard(self.hop.wizard_step, f"{self.hop.title}: "
                                                                   f"{self.hop.detail}"))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)

"""The copy fallback: the fix as selectable text, for terminals that ignore OSC 52."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from tui.app.screens.modal import Modal
from tui.app.text import styled
from tui.app.text_roles import LABEL
from tui.core.safe_text import safe_text


class FixTextScreen(Modal[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="fix-text-body"):
            yield Static(styled(("Copied to the clipboard", LABEL),
                                " (OSC 52). If your terminal ignored it, select the text "
                                "below. esc closes."))
            lines = [safe_text(line, 2000) for line in self.text.splitlines()]
            yield TextArea("\n".join(lines), read_only=True, id="fix-text", soft_wrap=True)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)

"""`?`: every key of the app and of the pane in front, in one list, read from their bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.screens.modal import Modal
from tui.app.text import styled
from tui.app.text_roles import KEY, LABEL


class HelpScreen(Modal[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]], pane_title: str,
                 pane_keys: list[tuple[str, str]], panes: int) -> None:
        super().__init__()
        self.keys = keys  # the app's (the live app's or the replay's) and the screen's
        self.pane_title = pane_title
        self.pane_keys = pane_keys
        self.panes = panes

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(styled(("Keys", LABEL), "  (esc closes)"), classes="help-title")
            for key, text in self.keys:
                yield Static(styled((f"{key:>8}  ", KEY), text))
            yield Static(styled(("Tabs", LABEL)), classes="help-title")
            yield Static(f"  Click a tab with the mouse, or press its number 1–{self.panes}.")
            if self.pane_keys:
                yield Static(styled((f"{self.pane_title} pane", LABEL)), classes="help-title")
                for key, text in self.pane_keys:
                    yield Static(styled((f"{key:>8}  ", KEY), text))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)

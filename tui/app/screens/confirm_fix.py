"""Before a fix runs: the exact commands, and a deliberate yes. Nothing runs on a stray key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.app.screens.modal import Modal
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, KEY, LABEL, NOTE


class ConfirmFixScreen(Modal[bool]):
    BINDINGS = [Binding("escape,n", "cancel", "Cancel")]

    def __init__(self, check_title: str, why: str, commands: tuple[str, ...]) -> None:
        super().__init__()
        self.check_title = check_title
        self.why = why
        self.commands = commands

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Static(styled(("Run this fix?", LABEL), "  ", (self.check_title, NOTE)))
            yield Static(plain(self.why), classes="confirm-why")
            yield Static(styled(("These commands run as this user, in order, and are written "
                                 "to the audit log:", DIM)))
            for command in self.commands:
                yield Static(styled(("$ ", LABEL), (command, KEY)),
                             classes="confirm-command")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel (esc)", id="confirm-cancel", variant="default")
                yield Button("Run it", id="confirm-run", variant="error")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()  # the safe choice is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-run")

    def action_cancel(self) -> None:
        self.dismiss(False)

"""Every app-level action, once: key bindings, the `?` help and the palette all come from here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding


@dataclass(frozen=True)
class AppAction:
    key: str
    action: str
    title: str  # shown in the footer, the help and the palette
    help: str
    show: bool = True  # in the footer


PANES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("logs", "Logs"),
    ("workers", "Workers"),
    ("lookup", "Lookup"),
    ("wizard", "Wizard"),
    ("queue", "Queue"),
)

APP_ACTIONS: tuple[AppAction, ...] = (
    *(
        AppAction(str(number), f"show_pane('{pane_id}')", title,
                  f"Switch to the {title} pane", show=False)
        for number, (pane_id, title) in enumerate(PANES, start=1)
    ),
    AppAction("r", "refresh", "Refresh", "Refresh the health strip and the current pane now"),
    AppAction("t", "timeline", "Timeline", "Show the incident timeline: checks, log hits, pool "
              "peaks, probes and fixes on one time axis", show=False),
    AppAction("i", "mark_incident", "Mark incident", "Mark now as when the incident began: the "
              "timeline and the Logs pane start from it", show=False),
    AppAction("R", "toggle_recording", "Record", "Record on/off: what the panes sample, the "
              "checks and log hits go to a file for `authlib-tui replay` (no secrets)",
              show=False),
    AppAction("question_mark", "help", "Keys", "Show every key and what it does"),
    AppAction("ctrl+p", "command_palette", "Palette", "Search every action", show=False),
    AppAction("q", "quit", "Quit", "Quit authlib-tui"),
)


def bindings(actions: tuple[AppAction, ...] = APP_ACTIONS) -> list[Binding]:
    """The live app's key bindings, or the replay's (`REPLAY_ACTIONS`)."""
    return [
        Binding(item.key, item.action, item.title, show=item.show, id=item.action,
                tooltip=item.help)
        for item in actions
        if item.action != "command_palette"  # Textual binds ctrl+p itself
    ]


def palette_commands(app: App[Any], actions: tuple[AppAction, ...]) -> Iterator[SystemCommand]:
    """Each action in the command palette, run as if its key was pressed."""
    for item in actions:
        if item.action == "command_palette":
            continue

        async def run(action: str = item.action) -> None:
            await app.run_action(action)

        yield SystemCommand(item.title if item.show else item.help, item.help, run)


def key_label(key: str) -> str:
    return {"question_mark": "?", "ctrl+p": "ctrl+p", "full_stop": ".", "comma": ",",
            "right_square_bracket": "]", "left_square_bracket": "[", "plus": "+",
            "minus": "-"}.get(key, key)

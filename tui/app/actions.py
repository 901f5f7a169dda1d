"""Every app-level action, once: the key bindings come from here; `?` and the palette read them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding

from tui.app.panes.registry import PANES as PANE_ENTRIES


@dataclass(frozen=True)
class AppAction:
    key: str
    action: str
    title: str  # shown in the footer, the help and the palette
    help: str
    show: bool = True  # in the footer


# (id, title) of each pane, in the registry's order: the tabs and their number keys.
PANES: tuple[tuple[str, str], ...] = tuple((entry.pane_id, entry.title)
                                           for entry in PANE_ENTRIES)


def pane_actions(panes: tuple[tuple[str, str], ...]) -> tuple[AppAction, ...]:
    """A number key per pane, in order."""
    return tuple(AppAction(str(number), f"show_pane('{pane_id}')", title,
                           f"Switch to the {title} pane", show=False)
                 for number, (pane_id, title) in enumerate(panes, start=1))


APP_ACTIONS: tuple[AppAction, ...] = (
    *pane_actions(PANES),
    AppAction("r", "refresh", "Refresh", "Refresh the health strip and the current pane now"),
    AppAction("t", "timeline", "Timeline", "Show the incident timeline: checks, log hits, pool "
              "peaks, probes and fixes on one time axis", show=False),
    AppAction("i", "mark_incident", "Mark incident", "Mark now as when the incident began: the "
              "timeline and the Logs pane start from it", show=False),
    AppAction("R", "toggle_recording", "Record", "Record on/off: what the panes sample, the "
              "checks and log hits go to a file for `authlib-tui replay` (no secrets)",
              show=False),
    AppAction("question_mark", "help", "Keys", "Show every key and what it does"),
    # Lower case, as Textual's own palette key at the footer's right end says it.
    AppAction("ctrl+p", "command_palette", "palette", "Search every action", show=False),
    AppAction("q", "quit", "Quit", "Quit authlib-tui"),
)


def bindings(actions: tuple[AppAction, ...] = APP_ACTIONS) -> list[Binding]:
    """The live app's key bindings, or the replay's (`REPLAY_ACTIONS`).

    The palette's own binding is declared here too, as Textual would (a priority binding),
    so that `?` lists it with the rest; Textual then adds none of its own.
    """
    return [
        Binding(item.key, item.action, item.title, show=item.show, id=item.action,
                tooltip=item.help, priority=item.action == "command_palette")
        for item in actions
    ]


def palette_commands(app: App[Any], actions: Iterable[Binding]) -> Iterator[SystemCommand]:
    """Each binding in the command palette, run as if its key was pressed."""
    for binding in actions:
        if binding.action == "command_palette" or app.check_action(binding.action, ()) is False:
            continue

        async def run(action: str = binding.action) -> None:
            await app.run_action(action)

        text = binding.tooltip or binding.description
        yield SystemCommand(binding.description if binding.show else text, text, run)


def key_label(key: str) -> str:
    return {"question_mark": "?", "ctrl+p": "ctrl+p", "full_stop": ".", "comma": ",",
            "right_square_bracket": "]", "left_square_bracket": "[", "plus": "+",
            "minus": "-", "slash": "/", "escape": "esc", "space": "space"}.get(key, key)


def keys_label(keys: str) -> str:
    """A binding's keys as `?` shows them: `slash,ctrl+l` is `/ ctrl+l`."""
    return " ".join(key_label(key.strip()) for key in keys.split(","))


def key_help(bindings_: Iterable[Binding]) -> list[tuple[str, str]]:
    """`?`'s lines for these bindings: the keys, and what they do (the tooltip, else the title)."""
    return [(keys_label(binding.key), binding.tooltip or binding.description)
            for binding in bindings_]

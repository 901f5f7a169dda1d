"""The replay's keys, once: `bindings(REPLAY_ACTIONS)`; the `?` help and the palette read them."""

from __future__ import annotations

from tui.app.actions import AppAction, pane_actions
from tui.app.panes.registry import REPLAY_PANES

# (id, title) of the panes the replay shows, in the registry's order.
PANES: tuple[tuple[str, str], ...] = tuple((entry.pane_id, entry.title)
                                           for entry in REPLAY_PANES)
SEEK_SECONDS = 60.0
SPEEDS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)

REPLAY_ACTIONS: tuple[AppAction, ...] = (
    *pane_actions(PANES),
    AppAction("space", "play_pause", "Play/pause", "Play the recording from the cursor, or pause"),
    AppAction("full_stop", "step(1)", "Step", "Step to the next moment something was recorded"),
    AppAction("comma", "step(-1)", "Back", "Step back to the previous recorded moment",
              show=False),
    AppAction("right_square_bracket", f"seek({SEEK_SECONDS:g})", "+1 min",
              "Seek one minute forward", show=False),
    AppAction("left_square_bracket", f"seek({-SEEK_SECONDS:g})", "-1 min",
              "Seek one minute back", show=False),
    AppAction("home", "seek_to('start')", "Start", "Seek to the recording's start", show=False),
    AppAction("end", "seek_to('end')", "End", "Seek to the recording's end", show=False),
    AppAction("plus", "speed(1)", "Faster", "Play faster (up to 64x)", show=False),
    AppAction("minus", "speed(-1)", "Slower", "Play slower (down to 1x)", show=False),
    AppAction("t", "timeline", "Timeline", "The incident timeline from the recording's start "
              "to the cursor"),
    AppAction("question_mark", "help", "Keys", "Show every key and what it does"),
    # Lower case, as Textual's own palette key at the footer's right end says it.
    AppAction("ctrl+p", "command_palette", "palette", "Search every action", show=False),
    AppAction("q", "quit", "Quit", "Quit the replay"),
)

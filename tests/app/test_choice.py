"""Choice: a Select whose overlay may already be gone when it mounts or takes a value."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets._select import SelectOverlay

from tui.app.widgets.choice import Choice

OPTIONS = [("all levels", "all"), ("errors", "error")]


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Choice(OPTIONS, value="all", allow_blank=False, id="choice")


async def test_its_overlay_gone_filling_and_choosing_do_nothing() -> None:
    """What a closing app does to it: the overlay is pruned before the Select's own handlers."""
    app = _Host()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        await choice.query_one(SelectOverlay).remove()
        await pilot.pause()
        choice._setup_options_renderables()  # what Select runs when it mounts
        choice.value = "error"  # and when a value is set
        await pilot.pause()
        assert choice.value == "error"

"""The pane tabs: switched by keys, clicks and the app, never by focus moving behind them.

Textual's TabbedContent brings a pane forward when a widget inside it takes focus.
A widget in a hidden pane can only take focus programmatically (it is not in
the focus chain and cannot be clicked), for example a late focus from a pane
the user already left; following it would undo the user's switch.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class PaneTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.stop()

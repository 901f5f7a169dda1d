"""The screen the panes live on: a plain Screen with the text roles.

Textual looks up a span's role (`.text--label`, …) on the widgets above it, up to
its screen; declaring them here makes every pane's text take its look from
`styles/app.tcss`, and `RoleLooks` keeps every part of that look.
"""

from __future__ import annotations

from textual.screen import Screen

from tui.app.screens.role_looks import RoleLooks
from tui.app.text_roles import TEXT_ROLES


class MainScreen(RoleLooks, Screen[None]):
    COMPONENT_CLASSES = TEXT_ROLES

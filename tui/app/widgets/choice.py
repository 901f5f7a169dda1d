"""A Select that survives being closed while it mounts.

Textual's Select fills its overlay with the options and sets its first value
when it mounts, looking up its overlay child each time; if the app is closing at
that instant (a quit pressed just after start-up, or a test ending while the
panes are still being built), the overlay is already gone and the lookup raises.
Here that instant is a no-op: there is nothing left to show the options in.
"""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Select


class Choice(Select[str]):
    def _watch_value(self, value: Any) -> None:
        try:
            super()._watch_value(value)
        except NoMatches:
            return  # being removed: no overlay to highlight the value in

    def _setup_options_renderables(self) -> None:
        try:
            super()._setup_options_renderables()
        except NoMatches:
            return  # being removed: no overlay to fill

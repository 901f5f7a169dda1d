"""A Select that survives being closed while it mounts.

Textual's Select sets its first value when it mounts and then looks up its
overlay child; if the app is closing at that instant (a quit pressed just after
start-up), the overlay is already gone and the lookup raises. Here that instant
is a no-op: there is nothing left to show the value in.
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

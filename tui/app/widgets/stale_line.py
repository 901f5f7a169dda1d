"""One line that says which component failed and why, hidden while nothing has.

A pane holds one and yields it; `set` may be called before, during or after the
pane is mounted (the text and the hidden class are kept until it is drawn), and the
component's next good run clears its part with `set(component, None)`.
"""

from __future__ import annotations

from textual.widgets import Static

from tui.app.text import styled
from tui.app.text_roles import ERROR_STRONG


class StaleLine(Static):
    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, classes="-hidden")
        self.failures: dict[str, str] = {}  # component → its failure's sentence

    def set(self, component: str, sentence: str | None) -> None:
        if sentence is None:
            self.failures.pop(component, None)
        else:
            self.failures[component] = sentence
        self.set_class(not self.failures, "-hidden")
        self.update(styled(("Stale: ", ERROR_STRONG), " ".join(self.failures.values())))

"""The health strip on every pane: daemon, socket, workers, database, last error.

Each cell shows a label, a mark and a word; the word alone carries the
meaning, so it reads the same with NO_COLOR. The cells flow and wrap, so all
five fit at 80 columns. The data comes down as a `HealthSnapshot` attribute;
this widget never does I/O. Hover (or the Overview) gives each cell's detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from tui.app.messages import OpenWizard
from tui.app.text import styled
from tui.app.text_roles import DIM, ERROR_STRONG, LOST, MUTED, OK, WARN

if TYPE_CHECKING:
    # Not imported for the first frame, which draws "checking" before any snapshot exists:
    # the tables below are keyed by State's values (it is a StrEnum, equal to them).
    from tui.core.health import HealthCell, HealthSnapshot

CELL_KEYS = ("daemon", "socket", "workers", "database", "mail", "last_error")
_STYLE = {"ok": OK, "warn": WARN, "bad": ERROR_STRONG, "unknown": MUTED}
_MARK = {"ok": "✓", "warn": "!", "bad": "✗", "unknown": "?"}
SEPARATOR = Content("  ")


def cell_content(cell: HealthCell, stale: bool) -> Content:
    word = f"{cell.word} (stale)" if stale else cell.word
    look = LOST if cell.lost else _STYLE[cell.state]
    return styled((f"{cell.label} ", DIM), (f"{_MARK[cell.state]} {word}", look))


class HealthStrip(Static):
    """The row of health cells at the top of every pane."""

    snapshot: reactive[HealthSnapshot | None] = reactive(None)
    stale: reactive[bool] = reactive(False)

    def on_mount(self) -> None:
        self.update(SEPARATOR.join(
            styled((f"{key.replace('_', ' ')} ", DIM), ("… checking", MUTED))
            for key in CELL_KEYS
        ))

    def watch_snapshot(self) -> None:
        self._render_cells()

    def watch_stale(self) -> None:
        self._render_cells()

    def _render_cells(self) -> None:
        if self.snapshot is None:
            return
        cells = self.snapshot.cells
        self.update(SEPARATOR.join(cell_content(cell, self.stale) for cell in cells))
        details = [f"{cell.label}: {cell.detail}" for cell in cells if cell.detail]
        if self.worst_step() is not None:
            details.append("Click: open the wizard at the step for the worst cell.")
        self.tooltip = "\n".join(details)
        worst = max((cell.state for cell in cells), key=_RANK.__getitem__)
        self.set_class(worst == "bad", "-bad")
        self.set_class(self.stale, "-stale")


    def worst_step(self) -> HealthCell | None:
        """The worst cell that has a wizard step: lost mail, then BAD, then WARN."""
        if self.snapshot is None:
            return None
        with_step = [c for c in self.snapshot.cells if c.step and c.state in ("bad", "warn")]
        return max(with_step, key=lambda c: (c.lost, _RANK[c.state]), default=None)

    def on_click(self) -> None:
        cell = self.worst_step()
        if cell is None:
            self.app.notify("Nothing to diagnose from the health strip.", timeout=3)
            return
        self.post_message(OpenWizard(cell.step, f"{cell.label}: {cell.word}"))


_RANK = {"ok": 0, "unknown": 1, "warn": 2, "bad": 3}

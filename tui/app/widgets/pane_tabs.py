"""The pane tabs: a one-row bar of titles over a ContentSwitcher of panes.

Not Textual's TabbedContent: its Tabs (a widget per tab, an animated underline)
cost ~60 ms of the first frame, a third of the app's start-up beyond a bare
Textual app, and it brings a pane forward whenever a widget inside it takes
focus (a late focus from a pane the user already left would undo the switch).
Here panes switch only by keys, clicks on the bar and the app; the bar is one
Content line whose look comes from the tcss (`pane-tabs--active`).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

from tui.app.text import plain


class Pane(Container):
    """One pane's slot in the switcher, with the title its tab shows."""

    def __init__(self, title: str, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.title = title


class TabBar(Static):
    """The titles, the active one marked; a click asks for that pane."""

    COMPONENT_CLASSES = {"pane-tabs--active"}

    class Clicked(Message):
        def __init__(self, pane_id: str) -> None:
            super().__init__()
            self.pane_id = pane_id

    active: reactive[str] = reactive("", layout=False)

    def __init__(self, titles: list[tuple[str, str]]) -> None:
        super().__init__(id="pane-tab-bar")
        self.titles = titles  # (pane id, title), in order
        self._spans: list[tuple[int, int, str]] = []  # (start column, end column, pane id)

    def render(self) -> Content:
        pieces: list[Content] = []
        column = 0
        self._spans = []
        for pane_id, title in self.titles:
            label = f" {title} "
            piece = plain(label)
            if pane_id == self.active:
                piece = piece.stylize(".pane-tabs--active")
            pieces.append(piece)
            self._spans.append((column, column + len(label), pane_id))
            column += len(label) + 1
        return Content(" ").join(pieces)

    def on_click(self, event: events.Click) -> None:
        for start, end, pane_id in self._spans:
            if start <= event.x - self.gutter.left < end:
                self.post_message(self.Clicked(pane_id))
                return


class PaneTabs(Vertical):
    """`with PaneTabs(initial=…): with Pane(title, id=…): …`; `active` is the shown pane's id."""

    class Activated(Message):
        """A pane was brought forward (by a key, a click or the app)."""

        def __init__(self, pane: Widget) -> None:
            super().__init__()
            self.pane = pane

    def __init__(self, *, initial: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._initial = initial
        self._panes: list[Widget] = []

    def compose_add_child(self, widget: Widget) -> None:
        self._panes.append(widget)  # the `with` block's panes go into the switcher

    def compose(self) -> ComposeResult:
        titles = [(pane.id or "", pane.title if isinstance(pane, Pane) else str(pane.id))
                  for pane in self._panes]
        bar = TabBar(titles)
        bar.active = self._initial
        yield bar
        with ContentSwitcher(initial=self._initial, id="pane-switcher"):
            yield from self._panes

    def on_mount(self) -> None:
        # As for a switch: the app focuses the first pane's main widget.
        self.post_message(self.Activated(self.query_one(ContentSwitcher).get_child_by_id(
            self._initial)))

    @property
    def active(self) -> str:
        return self.query_one(ContentSwitcher).current or ""

    @active.setter
    def active(self, pane_id: str) -> None:
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == pane_id:
            return
        switcher.current = pane_id
        self.query_one(TabBar).active = pane_id
        self.post_message(self.Activated(switcher.get_child_by_id(pane_id)))

    def on_tab_bar_clicked(self, message: TabBar.Clicked) -> None:
        message.stop()
        self.active = message.pane_id

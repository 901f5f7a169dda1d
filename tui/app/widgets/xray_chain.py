"""The x-ray: the delivery chain as six hop cards, left to right, the first failing one marked.

Each card is a state word with its colour (so it reads with NO_COLOR), the hop's
latency where it has one and the age of its sample. ← → move between cards and
enter asks for the hop's evidence; the data comes down as `hops`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tui.app.formatting import latency_text
from tui.app.messages import HopChosen
from tui.app.text import styled
from tui.app.text_roles import DIM, LABEL
from tui.core.ids.hop_id import HOP_TITLES

if TYPE_CHECKING:
    # The hops' model (and the check results and ids under it) is imported when the cards
    # are built, just after the first frame, which shows one line naming the hops instead.
    from tui.core.xray import Hop, HopState

NEWLINE = Content("\n")


@functools.cache
def _marks() -> dict[HopState, str]:
    from tui.core.xray import HopState

    return {HopState.OK: "✓", HopState.WARN: "!", HopState.BAD: "✗", HopState.UNKNOWN: "?",
            HopState.STALE: "…"}


class HopCard(Static, can_focus=True):
    BINDINGS = [Binding("enter", "choose", "Evidence", tooltip="Show this hop's evidence")]

    def __init__(self, hop_id: str, title: str) -> None:
        super().__init__(classes="hop -unknown", id=f"hop-{hop_id}")
        self.title_text = title
        self.hop: Hop | None = None

    def on_mount(self) -> None:
        self.update(NEWLINE.join([styled((self.title_text, LABEL)), styled(("… checking", DIM))]),
                    layout=False)

    def show(self, hop: Hop, first: bool) -> None:
        self.hop = hop
        for state in _marks():  # every state
            self.set_class(hop.state is state, f"-{state.value}")
        self.set_class(first, "-first")
        # The cards are ten columns wide: the latency only; the sample's age is in the title.
        extra = latency_text(hop.latency_ms) if hop.latency_ms is not None else ""
        self.update(NEWLINE.join([styled((self.title_text, LABEL)),
                                  styled((f"{_marks()[hop.state]} {hop.word}", LABEL)),
                                  styled((extra, DIM))]), layout=False)
        self.tooltip = hop.detail

    def action_choose(self) -> None:
        if self.hop is not None:
            self.post_message(HopChosen(self.hop))

    def on_click(self) -> None:
        self.action_choose()


class XrayChain(Horizontal):
    class Sampled(Message):
        """New hops arrived; `sampled_at` for the caption's age."""

        def __init__(self, sampled_at: float) -> None:
            super().__init__()
            self.sampled_at = sampled_at

    BINDINGS = [Binding("left", "move(-1)", "Previous hop", show=False),
                Binding("right", "move(1)", "Next hop", show=False)]

    hops: reactive[tuple[Hop, ...]] = reactive(())

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._built = False

    def compose(self) -> ComposeResult:
        # The eleven cards and arrows cost ~40 ms to lay out and paint: they come right
        # after the first frame, which shows the hops by name in one line, each checking.
        hops = " → ".join(HOP_TITLES.values())
        yield Static(NEWLINE.join([styled((hops, LABEL)), styled(("… checking each hop", DIM))]),
                     id="xray-placeholder")

    def on_mount(self) -> None:
        self.call_after_refresh(self.call_after_refresh, self._build_cards)

    async def _build_cards(self) -> None:
        from tui.core.xray import HOPS

        if not self.is_attached:
            return
        widgets: list[Static] = []
        for index, spec in enumerate(HOPS):
            if index:
                widgets.append(Static("→", classes="hop-arrow"))
            widgets.append(HopCard(spec.id, spec.title))
        await self.mount_all(widgets)
        await self.query("#xray-placeholder").remove()
        self._built = True
        if self.hops:
            self._show(self.hops)

    def watch_hops(self, hops: tuple[Hop, ...]) -> None:
        self.post_message(self.Sampled(max((h.sampled_at or 0.0 for h in hops), default=0.0)))
        if self._built:
            self._show(hops)

    def _cards(self) -> dict[str, HopCard]:
        """The cards there are now: none before they are built or once the app is closing."""
        return {card.id or "": card for card in self.query(HopCard)}

    def _show(self, hops: tuple[Hop, ...]) -> None:
        from tui.core.xray import first_failing

        lit = first_failing(hops)
        cards = self._cards()
        for hop in hops:
            card = cards.get(f"hop-{hop.id}")
            if card is not None:
                card.show(hop, hop is lit)

    def first_failing_card(self) -> HopCard | None:
        from tui.core.xray import first_failing

        lit = first_failing(self.hops)
        if lit is None or not self._built:
            return None
        return self._cards().get(f"hop-{lit.id}")

    def action_move(self, step: int) -> None:
        cards = list(self.query(HopCard))
        if not cards:
            return  # not built yet (the first frame's instant)
        focused = self.screen.focused
        index = cards.index(focused) if isinstance(focused, HopCard) and focused in cards else 0
        cards[(index + step) % len(cards)].focus()


"""A live log view on Textual's Line API: a bounded ring of entries, filtered rows, a cursor.

RichLog keeps rendered strips and fell to 2.6k lines/s in the anchors' bench;
this view keeps at most `max_entries` entries (older ones leave memory, not
the source), renders only the rows on screen, and sanitises every message
once, when it arrives. Colours come from component classes in styles/.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.logs.level import is_mail_lost, level_of
from tui.core.safe_text import safe_text

if TYPE_CHECKING:  # the signature catalogue is not needed before the first line arrives
    from tui.core.logs.catalogue.record import Signature
    from tui.core.logs.entry import LogEntry

DEFAULT_MAX_ENTRIES = 10_000
MESSAGE_CHARS = 1000  # shown per line; the full entry is in the detail line


@dataclass(frozen=True, slots=True)
class ShownEntry:
    """A log entry as the view shows, filters and acts on it, its text computed once
    (sanitised). The entry itself is not kept: the raw message, its cursor and delivery
    details would double what 10,000 lines hold in memory and give the collector
    two more objects a line to walk.
    """

    time: str
    origin: str
    text: str
    annotation: str  # "" when no signature matched
    level: str  # "lost" (mail bounced), "error", "warning", "info", "debug"
    kind: str  # the entry's Kind value: "auth", "delivery", "other"
    timestamp: float | None
    pid: int | None
    signature: Signature | None
    queue_id: str | None = None  # a delivery line's Postfix queue ID: enter traces it


def shown(entry: LogEntry, clock: Callable[[float], str]) -> ShownEntry:
    kind = entry.kind.value
    return ShownEntry(
        time=clock(entry.timestamp) if entry.timestamp else "--:--:--",
        origin="deliv" if kind == "delivery" else kind,
        text=safe_text(f"{entry.tag}: {entry.message}" if entry.tag else entry.message,
                       MESSAGE_CHARS),
        annotation=annotation_of(entry.signature) if entry.signature is not None else "",
        level="lost" if is_mail_lost(entry) else level_of(entry),
        kind=kind,
        timestamp=entry.timestamp,
        pid=entry.pid,
        signature=entry.signature,
        queue_id=entry.delivery.queue_id if entry.delivery is not None else None,
    )


@functools.lru_cache(maxsize=1024)
def annotation_of(signature: Signature) -> str:
    """The line under a recognised entry; one per signature, so made once, not per line."""
    hint = "  [w: wizard]" if signature.wizard_step else ""
    return safe_text(f"↳ {signature.short or signature.meaning}{hint}")


class LogView(ScrollView, can_focus=True):
    """Rows for the entries that pass the filter; follows the newest unless paused."""

    COMPONENT_CLASSES = {
        "log-view--time",
        "log-view--origin",
        "log-view--lost",
        "log-view--error",
        "log-view--warning",
        "log-view--info",
        "log-view--debug",
        "log-view--annotation",
        "log-view--cursor",
    }
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-20)", "Page up", show=False),
        Binding("pagedown", "cursor(20)", "Page down", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "newest", "Newest", tooltip="Jump to the newest line and follow"),
    ]

    follow: reactive[bool] = reactive(True)
    cursor: reactive[int] = reactive(-1, always_update=True)

    class Selected(Message):
        """The cursor moved to an entry (for the wizard key and the detail line)."""

        def __init__(self, entry: ShownEntry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.max_entries = max_entries
        self._entries: deque[ShownEntry] = deque(maxlen=max_entries)
        # The rows as two flat sequences, not a tuple each: the entry the row shows, and 1
        # where the row is that entry's annotation line. Thousands of tuples would be as
        # many more objects for every full garbage collection to walk (a pause of the UI).
        self._rows: list[ShownEntry] = []
        self._notes = bytearray()
        self._accept: Callable[[ShownEntry], bool] = lambda _: True
        self._width = 40
        self.new_while_paused = 0

    # -- data ---------------------------------------------------------------------
    @property
    def entries(self) -> deque[ShownEntry]:
        return self._entries

    @property
    def rows(self) -> list[tuple[ShownEntry, bool]]:
        """(entry, is the annotation line) for each row, built when asked (tests, `w`)."""
        return [(item, bool(note)) for item, note in zip(self._rows, self._notes, strict=True)]

    def add(self, batch: Iterable[ShownEntry]) -> None:
        """Append entries; the oldest leave once there are more than `max_entries`.

        An entry that leaves the ring takes its rows with it, so the view never holds
        (or shows) more than the entries in memory.
        """
        items = list(batch)
        evicted: set[int] = set()  # ids of entries pushed out of the ring by this batch
        entries = self._entries
        for item in items:
            if len(entries) == self.max_entries:
                evicted.add(id(entries[0]))
            entries.append(item)
        added_rows, added_notes = self._rows_of(items)
        self._rows.extend(added_rows)
        self._notes.extend(added_notes)
        gone = 0
        if evicted:  # their rows are the oldest ones, at the front
            while gone < len(self._rows) and id(self._rows[gone]) in evicted:
                gone += 1
        if not added_rows and not gone:
            return
        overflow = max(gone, len(self._rows) - self._max_rows())
        if overflow > 0:
            del self._rows[:overflow]
            del self._notes[:overflow]
            if self.cursor >= 0:  # (no cursor: left alone, not re-set and re-announced)
                self.cursor = max(-1, self.cursor - overflow)
        if not self.follow:
            self.new_while_paused += len(added_rows)
        self._update_size(added_rows, added_notes)
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def set_filter(self, accept: Callable[[ShownEntry], bool]) -> None:
        self._accept = accept
        self._rows, self._notes = self._rows_of(self._entries)
        self._width = 40
        self._update_size(self._rows, self._notes)
        self.cursor = -1
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _rows_of(self, items: Iterable[ShownEntry]) -> tuple[list[ShownEntry], bytearray]:
        """The rows of the entries the filter accepts: each entry, then its annotation."""
        rows: list[ShownEntry] = []
        notes = bytearray()
        for item in items:
            if self._accept(item):
                rows.append(item)
                notes.append(0)
                if item.annotation:
                    rows.append(item)
                    notes.append(1)
        return rows, notes

    def _max_rows(self) -> int:
        return self.max_entries * 2

    def _update_size(self, new_rows: Sequence[ShownEntry], notes: bytes | bytearray) -> None:
        for item, is_note in zip(new_rows, notes, strict=True):
            length = len(item.annotation) + 4 if is_note else len(item.text) + 20
            if length > self._width:
                self._width = length
        self._set_virtual_size(Size(self._width, len(self._rows)))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """The scrollable size, without a layout pass of the whole screen.

        Setting `virtual_size` re-lays every widget on the screen, ~20 times a second
        while lines arrive; the view's own size does not depend on its rows, so only
        its scrollbars are told (they ask for a layout themselves when they appear).
        """
        if size == self.virtual_size:
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)

    # -- rendering ----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        item, is_note = self._rows[index], self._notes[index]
        style = self.get_component_rich_style
        if is_note:
            segments = [Segment("           " + item.annotation, style("log-view--annotation"))]
        else:
            segments = [
                Segment(f"{item.time} ", style("log-view--time")),
                Segment(f"{item.origin:<5} ", style("log-view--origin")),
                Segment(item.text, style(f"log-view--{item.level}")),
            ]
        strip = Strip(segments)
        if index == self.cursor:
            strip = strip.apply_style(style("log-view--cursor"))
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    # -- cursor and follow ----------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if not self._rows:
            return
        start = self.cursor if self.cursor >= 0 else len(self._rows) - 1
        self.cursor = min(len(self._rows) - 1, max(0, start + delta))
        self.follow = False
        self.scroll_to_region_of(self.cursor)

    def scroll_to_region_of(self, row: int) -> None:
        top = self.scroll_offset.y
        height = self.size.height
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def action_top(self) -> None:
        self.follow = False
        self.cursor = 0 if self._rows else -1
        self.scroll_home(animate=False)

    def action_newest(self) -> None:
        self.cursor = -1
        self.follow = True

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_while_paused = 0
            self.scroll_end(animate=False, x_axis=False)

    def watch_cursor(self, cursor: int) -> None:
        self.refresh()
        entry = self._rows[cursor] if 0 <= cursor < len(self._rows) else None
        self.post_message(self.Selected(entry))

    def selected(self) -> ShownEntry | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

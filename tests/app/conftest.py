"""App fixtures: the real app on the real lab, driven by Pilot."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.widget import Widget

from tui.app.app import AuthlibApp
from tui.core.installation import Installation
from tui.lab.lab import Lab


@pytest.fixture
def make_app(lab: Lab) -> Callable[..., AuthlibApp]:
    def build(health_interval: float = 0.3, allow_fixes: bool = False) -> AuthlibApp:
        installation = Installation.from_flags({"config": str(lab.settings_file)})
        return AuthlibApp(installation, health_interval=health_interval, allow_fixes=allow_fixes)

    return build


def screen_text(app: AuthlibApp) -> str:
    """Everything the terminal would show: the SVG export's text, unescaped."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def visible_text(app: AuthlibApp) -> str:
    """The screen's words with the SVG's span boundaries removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", screen_text(app)).split())


def screen_rows(app: App[Any]) -> list[str]:
    """The terminal's rows as text, one character per cell, read from the SVG export (which
    places each run of text at a pixel x and leaves blank cells out)."""
    svg = app.export_screenshot()
    runs = re.findall(
        r'<text class="[^"]*-r\d+" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)"'
        r'[^>]*?-line-(\d+)\)">(.*?)</text>', svg, flags=re.DOTALL)
    cells = [[" "] * app.size.width for _ in range(app.size.height)]
    texts = [(x, length, row, html.unescape(text).replace("\xa0", " ").rstrip("\n"))
             for x, length, row, text in runs]
    cell_width = min(float(length) / len(text) for _x, length, _row, text in texts if text)
    for x, _length, row, text in texts:
        column = round(float(x) / cell_width)
        cells[int(row)][column:column + len(text)] = text
    return ["".join(row) for row in cells]


def widget_text(app: App[Any], widget: Widget) -> str:
    """What the screen shows inside `widget`'s content area, whitespace collapsed: a line the
    widget wrapped reads as one sentence again."""
    region = widget.content_region
    rows = screen_rows(app)[region.y:region.bottom]
    return " ".join(" ".join(row[region.x:region.right] for row in rows).split())


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Poll while the app keeps running: its workers report through the event loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")

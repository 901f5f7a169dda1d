"""App fixtures: the real app on the real lab, driven by Pilot."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable

import pytest

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


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Poll while the app keeps running: its workers report through the event loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")

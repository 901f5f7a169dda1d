"""App fixtures: the real app on the real lab, driven by Pilot."""

from __future__ import annotations

import html
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

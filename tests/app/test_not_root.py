"""Not root: the app still opens and says precisely which access is missing and how to get it.

The app runs headless in a child that dropped root for nobody (see
`tests.conftest.run_as_nobody`); the lab's configs are 0640 root:courier, like
Debian's, so nobody cannot read them.
"""

from __future__ import annotations

import asyncio

from tests.app.conftest import screen_text, until
from tests.conftest import run_as_nobody
from tui.app.app import AuthlibApp
from tui.app.widgets.health_strip import HealthStrip
from tui.core.installation import Installation
from tui.lab.lab import Lab


def _render_as_current_user(settings_file: str) -> tuple[str, dict[str, str]]:
    async def render() -> tuple[str, dict[str, str]]:
        installation = Installation.from_flags({"config": settings_file})
        app = AuthlibApp(installation, health_interval=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            strip = app.query_one(HealthStrip)
            await until(lambda: strip.snapshot is not None)
            await app.wait_for_work()
            await pilot.pause()
            snapshot = strip.snapshot
            assert snapshot is not None
            words = {cell.key: cell.word for cell in snapshot.cells}
            return screen_text(app), words

    return asyncio.run(render())


def test_app_opens_as_nobody_and_names_the_missing_access(healthy_lab: Lab) -> None:
    settings = str(healthy_lab.settings_file)
    # As root first: a baseline, and it imports every module the child will need
    # (nobody cannot read the interpreter's files under /root to import lazily).
    root_text, root_words = _render_as_current_user(settings)
    assert "Cannot read" not in root_text and root_words["database"] == "credentials ok"
    text, words = run_as_nobody(lambda: _render_as_current_user(settings))
    flat = " ".join(text.split())  # findings wrap across lines
    assert "Cannot read authpgsqlrc as uid 65534" in flat
    assert "join group courier" in flat.replace("▎ ▊", " ")
    assert words["database"] == "unknown"
    # the socket itself is reachable (the lab's healthy run dir is 0755), so it says so
    assert words["socket"] == "listening"

"""The first frame does not wait for discovery: it says "checking", the monitor finds the rest.

`authlib-tui` builds its installation undiscovered (`discover_now=False`); the
monitor's first health run discovers it, on its thread, after the first frame.
What the first frame shows is the screen's frame, never a guess.
"""

from __future__ import annotations

import gc
from typing import Any

from tests.app.conftest import until, visible_text
from tui.app.app import AuthlibApp
from tui.app.widgets.health_strip import HealthStrip
from tui.core.installation import Installation
from tui.lab.lab import Lab


class FirstFrameNoted(AuthlibApp):
    """Notes, at the first frame handed to the terminal, what it showed and whether the
    installation had been discovered by then."""

    first_frame: str | None = None
    discovered_at_first_frame: bool | None = None
    collecting_at_first_frame: bool | None = None

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None and self.first_frame is None and not self._batch_count:
            self.discovered_at_first_frame = self.installation.discovered
            self.collecting_at_first_frame = gc.isenabled()
            self.first_frame = visible_text(self)


async def test_the_first_frame_says_checking_and_discovery_follows(healthy_lab: Lab) -> None:
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file)},
                                           discover_now=False)
    assert not installation.discovered
    app = FirstFrameNoted(installation, health_interval=3600)
    async with app.run_test(size=(100, 30)):
        await until(lambda: app.first_frame is not None)
        assert app.discovered_at_first_frame is False
        # The collector waits for the first frame (nothing it could free is built before),
        # then runs again.
        assert app.collecting_at_first_frame is False
        await until(gc.isenabled)
        first = app.first_frame or ""
        for cell in ("daemon", "socket", "workers", "database", "mail", "last error"):
            assert f"{cell} … checking" in first
        assert "1 Overview" in first and "The chain" in first
        # The chain's hops by name, each checking, before their cards are built.
        assert "Postfix → maildrop → socket → workers → authpgsql → PostgreSQL" in first
        assert "… checking each hop" in first
        strip = app.query_one(HealthStrip)
        await until(lambda: strip.snapshot is not None)
        # The monitor discovered the app's own installation (off the UI thread), and the
        # strip says what it found.
        assert installation.discovered
        words = {cell.key: cell.word for cell in strip.snapshot.cells}
        assert words["socket"] == "listening"
    assert gc.isenabled()


async def test_an_app_closed_at_once_leaves_the_collector_running(
        healthy_lab: Lab) -> None:
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file)},
                                           discover_now=False)
    app = AuthlibApp(installation, health_interval=3600)
    app.call_later(app.exit)  # q at once
    await app.run_async(headless=True)
    assert gc.isenabled()


def test_settings_errors_are_said_before_discovery() -> None:
    """Not discovering at once must not hide an unusable --config until later."""
    from tui.core.installation import InstallationError

    try:
        Installation.from_flags({"config": "/nonexistent/authlib-tui.toml"}, discover_now=False)
    except InstallationError as exc:
        assert "/nonexistent/authlib-tui.toml" in str(exc)
    else:
        raise AssertionError("an unreadable --config was accepted")

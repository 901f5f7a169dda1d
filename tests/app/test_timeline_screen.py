"""The timeline in the app: a fault shows as a check change and log hits; `i` marks, `t` shows."""

from __future__ import annotations

import asyncio
import time
from functools import partial

from tests.app.conftest import screen_text, until
from tui.app.panes.logs import LogsPane
from tui.app.screens.timeline_screen import TimelineScreen
from tui.app.widgets.log_view import LogView
from tui.core.timeline import EventKind

_until = partial(until, timeout=20.0)  # this file's waits are longer


async def test_a_fault_goes_on_the_timeline_and_the_mark_starts_the_views(break_lab, make_app):
    lab = break_lab()  # healthy, healed afterwards
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(lambda: bool(app.query("#logs-pane")))
        await app.wait_for_work()
        await pilot.press("i")  # the admin marks the incident...
        marked = app.timeline.incident_start
        assert marked is not None and abs(marked - time.time()) < 5
        await asyncio.to_thread(lab.apply, frozenset({"db-password-wrong"}))  # ...it happens
        await asyncio.to_thread(lambda: lab.client().lookup("foo@domain.com"))
        await pilot.press("r")
        await _until(lambda: any(e.kind is EventKind.CHECK and e.text.startswith("db-connect")
                                 for e in app.timeline.events()))
        await _until(lambda: any(e.kind is EventKind.LOG and "db-password-wrong" in e.text
                                 for e in app.timeline.events()))
        logs = app.query_one(LogsPane)
        assert logs.since == marked
        view = app.query_one(LogView)
        assert all(row[0].timestamp is None or row[0].timestamp >= marked - 1
                   for row in view.rows)  # syslog stamps are whole seconds
        await pilot.press("escape", "t")
        await _until(lambda: isinstance(app.screen, TimelineScreen))
        text = " ".join(screen_text(app).split())
        assert "since the incident mark" in text
        assert "db-connect" in text and "ok → fail" in text
        await pilot.press("escape")

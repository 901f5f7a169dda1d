"""The Logs pane on the real lab: annotations, filters, pause/follow, wizard jump, rotation."""

from __future__ import annotations

import asyncio
import time

from textual.widgets import Input, Select

from tests.app.conftest import screen_text, until
from tui.app.panes.logs import LogsPane, make_filter, sparkline
from tui.app.widgets.log_view import LogView
from tui.app.widgets.pane_tabs import PaneTabs


def _texts(view: LogView) -> list[str]:
    return [item.annotation if is_note else item.text for item, is_note in view.rows]


async def _open_logs(app, pilot) -> LogView:
    await pilot.press("2")
    await until(lambda: bool(app.query(LogView)) and len(app.query_one(LogView).entries) > 0)
    return app.query_one(LogView)


async def test_fault_lines_are_annotated_and_w_opens_the_wizard_step(break_lab, make_app):
    lab = break_lab("db-password-wrong")
    lab.client().lookup("foo@domain.com")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _open_logs(app, pilot)
        await until(lambda: any("wrong database password" in t for t in _texts(view)))
        row = next(i for i, (item, _) in enumerate(view.rows)
                   if item.signature and item.signature.id == "db-password-wrong")
        view.focus()
        view.cursor = row
        await pilot.press("w")
        # The request bubbles from the pane to the app: a loaded machine needs a few turns.
        await until(lambda: app.query_one(PaneTabs).active == "wizard")
        await until(lambda: "db-credentials" in " ".join(screen_text(app).split()))


async def test_new_lines_arrive_live_and_pause_keeps_the_view(healthy_lab, make_app):
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _open_logs(app, pilot)
        before = len(view.entries)
        healthy_lab.apply(frozenset({"marker-missing"}))  # restarts: new lines are logged
        healthy_lab.client().lookup("foo@domain.com")
        # Earlier tests may have left the same line in the backfill: wait for new ones too.
        await until(lambda: len(view.entries) > before
                     and any("marker line not found" in t for t in _texts(view)[before:]))
        view.focus()
        await pilot.press("space")
        assert view.follow is False
        healthy_lab.apply(frozenset())
        await until(lambda: view.new_while_paused > 0)
        assert "paused" in " ".join(screen_text(app).split())
        await pilot.press("G")
        assert view.follow is True and view.new_while_paused == 0


async def test_filter_as_you_type_regex_and_severity(break_lab, make_app):
    lab = break_lab("db-down")
    lab.client().lookup("foo@domain.com")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _open_logs(app, pilot)
        await until(lambda: any("Connection refused" in t for t in _texts(view)))
        pane = app.query_one(LogsPane)
        await pilot.press("slash")
        assert app.focused is app.query_one("#logs-filter", Input)
        await pilot.press(*"PGSQL_CONNECTION")
        await pilot.pause()
        # a line matches by its text or by its annotation
        assert view.rows and all("PGSQL_CONNECTION" in item.text + item.annotation
                                 for item, _ in view.rows)
        app.query_one("#logs-filter", Input).value = "/refused\\.\\.is the server/"
        await pilot.pause()
        assert view.rows and all("refused..Is the server" in item.text for item, _ in view.rows)
        assert len(view.rows) < len(view.entries)
        app.query_one("#logs-filter", Input).value = "/([/"
        await pilot.pause()
        assert "bad regex" in str(pane.query_one("#logs-status").render())
        app.query_one("#logs-filter", Input).value = ""
        app.query_one("#logs-level", Select).value = "error"
        await pilot.pause()
        assert view.rows and {item.level for item, _ in view.rows} == {"error"}


async def test_hostile_log_text_is_escaped_and_rotation_is_followed(healthy_lab, make_app):
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _open_logs(app, pilot)
        stamp = time.strftime("%b %e %H:%M:%S")
        with healthy_lab.maillog.open("ab") as log:
            log.write(f"{stamp} lab authdaemond: Bad line in x: \x1b]0;pwned\x07 ".encode()
                      + b"\xff\xfe\x00 end\n")
        await until(lambda: any("pwned" in t for t in _texts(view)))
        shown = next(t for t in _texts(view) if "pwned" in t)
        assert "\\x1b]0;pwned\\x07" in shown and "\x1b" not in shown and "\x00" not in shown
        rotated = await asyncio.to_thread(healthy_lab.rotate_log)
        healthy_lab.apply(frozenset({"db-down"}))  # the daemon restarts: lines in the new file
        healthy_lab.client().lookup("foo@domain.com")
        try:
            await until(lambda: any("Connection refused" in t for t in _texts(view)), 15)
        finally:
            healthy_lab.apply(frozenset())
            rotated.unlink()


def test_filters_and_sparkline_units() -> None:
    accept = make_filter("/([/", "all", "all")
    assert isinstance(accept, str) and accept.startswith("bad regex")
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 1, 8]) == "▁▂█"


async def test_rows_leave_with_the_entries_the_ring_drops() -> None:
    """The view shows only the entries it keeps: an evicted entry takes its rows along."""
    from textual.app import App, ComposeResult

    from tui.app.formatting import clock
    from tui.app.widgets.log_view import ShownEntry, shown
    from tui.core.logs.entry import build_entry

    def entry(number: int, message: str) -> ShownEntry:
        return shown(build_entry(message=message, tag="authdaemond", source="test",
                                 timestamp=time.time(), pid=number, cursor=f"test:{number}"),
                     clock)

    class OneView(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_entries=5)

    async with OneView().run_test() as pilot:
        view = pilot.app.query_one(LogView)
        view.add([entry(1, "PGSQL_CONNECTION could not be established")])  # annotated: 2 rows
        view.add([entry(n, f"received auth request, service=imap{n}") for n in range(2, 8)])
        assert [item.pid for item in view.entries] == [3, 4, 5, 6, 7]
        assert [item.pid for item, _note in view.rows] == [3, 4, 5, 6, 7]
        assert view.virtual_size.height == 5

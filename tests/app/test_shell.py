"""The app shell: panes, keys, help, palette, and the health strip on the real lab."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.app import App
from textual.widgets import Input

from tests.app.conftest import screen_text, until, visible_text, widget_text
from tui.app.actions import APP_ACTIONS, PANES, key_label
from tui.app.screens.help_screen import HelpScreen
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import PaneTabs


async def _wait_for_health(app, predicate, timeout: float = 10.0) -> None:
    strip = app.query_one(HealthStrip)
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if strip.snapshot is not None and predicate(strip.snapshot):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"health never matched: {strip.snapshot}")


def _pane_active(app: App[Any], pane_id: str) -> bool:
    return app.query_one(PaneTabs).active == pane_id


def _pane_built(app: App[Any], pane_id: str) -> bool:
    """The Overview is there from the start; the other panes are built on first show."""
    return pane_id == "overview" or bool(app.query(f"#{pane_id}-pane"))


async def test_number_keys_switch_panes(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one(PaneTabs)
        await until(lambda: bool(app.query("#lookup-address")))
        for number, (pane_id, _title) in enumerate(PANES, start=1):
            await pilot.press(str(number))
            assert tabs.active == pane_id
            if pane_id == "lookup":  # a form: the cursor is in its field, esc leaves it
                assert app.focused is app.query_one("#lookup-address", Input)
                await pilot.press("escape")
        await pilot.press("1")
        assert tabs.active == "overview"


async def test_typing_right_after_switching_to_lookup_goes_into_the_address(
        healthy_lab, make_app) -> None:
    """No letter typed into a field fires an app key (`i` would mark an incident)."""
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(app.query("#lookup-address")))
        await pilot.press("4", *"postmaster@domain.com", "enter")
        field = app.query_one("#lookup-address", Input)
        assert field.value == "postmaster@domain.com"
        assert app.timeline.incident_start is None
        assert app.query_one(PaneTabs).active == "lookup"
        await until(lambda: "postmaster@domain.com" in visible_text(app)
                    and "Asking" not in visible_text(app))


async def test_the_palette_and_a_click_also_put_the_cursor_in_the_address(
        healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(app.query("#lookup-address")))
        field = app.query_one("#lookup-address", Input)
        column = sum(len(f" {n} {t} ") + 1 for n, (_, t) in enumerate(PANES[:3], start=1))
        await pilot.click("#pane-tab-bar", offset=(column + 2, 0))
        await until(lambda: app.focused is field)
        await pilot.press("escape", "1")
        assert app.query_one(PaneTabs).active == "overview"
        await app.run_action("show_pane('lookup')")  # what the palette's entry runs
        await until(lambda: app.focused is field)


async def test_clicking_a_tab_switches_pane(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # The strip grows from its "checking" rows to the first sample's (a long last error
        # wraps to a third row) and pushes the tabs down: a click aimed before that lands on
        # the strip, which opens the wizard. Click once the first sample is drawn.
        await until(lambda: app.query_one(HealthStrip).snapshot is not None)
        await pilot.pause()
        # Each title is " N Title " with one space between: click inside each, last to first.
        starts, column = {}, 0
        for number, (pane_id, title) in enumerate(PANES, start=1):
            starts[pane_id] = column
            column += len(f" {number} {title} ") + 1
        for pane_id in [*[pane_id for pane_id, _ in PANES][::-1], "workers"]:
            await pilot.click("#pane-tab-bar", offset=(starts[pane_id] + 2, 0))
            await until(partial(_pane_active, app, pane_id))
        # The pane is built lazily, then samples in a worker: wait for its verdict.
        await until(lambda: "workers busy" in screen_text(app))


def _help_lines(keys: list[tuple[str, str]]) -> str:
    """How the help screen lists keys, as read back from the screen: key, then its whole text."""
    return " ".join(f"{key} {text}" for key, text in keys)


async def test_question_mark_shows_every_key(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = widget_text(app, app.screen.query_one("#help-body"))
        # Every key with its full description, in order, and nothing else (the Overview has
        # no keys of its own).
        keys = _help_lines([(key_label(a.key), a.help) for a in APP_ACTIONS])
        assert shown == (f"Keys (esc closes) {keys} Tabs Click a tab with the mouse, or press "
                         f"its number 1–{len(PANES)}.")
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_question_mark_on_every_pane_lists_its_keys(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 50)) as pilot:
        for number, (pane_id, title) in enumerate(PANES, start=1):
            await pilot.press(str(number))
            await until(partial(_pane_built, app, pane_id))
            if pane_id == "lookup":
                await until(lambda: app.focused is app.query_one("#lookup-address", Input))
                await pilot.press("escape")  # `?` typed in the address field is a character
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen), pane_id
            shown = widget_text(app, app.screen.query_one("#help-body"))
            pane_keys = app.screen.pane_keys
            if pane_id == "overview":  # the Overview has no keys of its own
                assert pane_keys == [] and shown.endswith(f"its number 1–{len(PANES)}.")
            else:
                assert pane_keys, pane_id
                assert shown.endswith(f" {title} pane {_help_lines(pane_keys)}"), pane_id
            await pilot.press("escape")


async def test_palette_lists_every_action(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for action in APP_ACTIONS:
            if action.action != "command_palette":
                assert (action.title if action.show else action.help) in titles
        assert "Look up an address" in titles


async def test_health_strip_healthy(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        await _wait_for_health(app, lambda s: s.cell("database").word == "credentials ok")
        snapshot = app.query_one(HealthStrip).snapshot
        assert snapshot.cell("daemon").word == "running"
        assert snapshot.cell("socket").word == "listening"
        assert snapshot.cell("workers").word.startswith("0/2 busy")


async def test_health_strip_shows_a_stopped_daemon(break_lab, make_app) -> None:
    break_lab("daemon-stopped")
    app = make_app()
    async with app.run_test(size=(80, 24)):
        await _wait_for_health(app, lambda s: s.cell("daemon").word == "stopped (stale socket)")
        assert app.query_one(HealthStrip).snapshot.cell("socket").word == "stale"
        assert "stopped (stale socket)" in screen_text(app)


async def test_health_strip_shows_a_wrong_db_password(break_lab, make_app) -> None:
    lab = break_lab("db-password-wrong")
    lab.client().lookup("foo@domain.com")  # so authdaemond logs the failure
    app = make_app()
    async with app.run_test(size=(120, 30)):
        await _wait_for_health(app, lambda s: s.cell("database").word == "credentials failing")
        text = screen_text(app)
        assert "credentials failing" in text
        await _wait_for_health(app, lambda s: "db-password-wrong" in s.cell("last_error").word)

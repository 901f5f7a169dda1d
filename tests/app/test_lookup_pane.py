"""The Lookup pane on the real lab: seed addresses, alias explanation, refusals, passwords."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input

from tests.app.conftest import screen_text
from tests.waiting import log_text_once
from tui.app.panes.lookup import LookupPane
from tui.app.widgets.result_card import ResultCard
from tui.lab.seed import LAB_MAILBOX_CRYPT, LAB_MAILBOX_PASSWORD, SECRETS


async def _settled(pilot, history_before: int, timeout: float = 15.0) -> None:
    """Until the lookup shows up in the history, or the form refused it."""
    app = pilot.app
    pane = app.query_one(LookupPane)
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        await pilot.pause()
        if len(pane.history) > history_before:
            return
        if "refused" in str(app.query_one("#lookup-problem").render()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the lookup never finished")


async def _look_up(pilot, address: str, password: str | None = None) -> str:
    app = pilot.app
    await pilot.press("4")
    before = len(app.query_one(LookupPane).history)
    app.query_one("#lookup-address", Input).value = address
    if password is not None:
        app.query_one("#lookup-password", Input).value = password
    app.query_one("#lookup-address", Input).focus()
    await pilot.press("enter")
    await _settled(pilot, before)
    return str(app.query_one(ResultCard).render())


async def test_seed_mailboxes_resolve_to_bar_with_site(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for address in ("foo@domain.com", "baz@domain.com"):
            text = await _look_up(pilot, address)
            assert "found" in text
            assert "Authenticated: bar@domain.com  (uid 21015, gid 1000)" in text
            assert "admin2" in text and "site2" in text
        table = app.query_one("#lookup-history", DataTable)
        assert table.row_count == 2


async def test_alias_is_explained_and_f2_looks_up_its_target(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _look_up(pilot, "postmaster@domain.com")
        assert "not-found" in text
        assert "postmaster@domain.com is an alias of foo@domain.com" in text
        await pilot.press("f2")
        await _settled(pilot, 1)
        text = str(app.query_one(ResultCard).render())
        assert "foo@domain.com" in text and "uid 21015" in text


async def test_rows_authlib_cannot_use_are_explained_on_the_card(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        text = await _look_up(pilot, "uid-text@odd.example")
        assert "tempfail" in text and "its uid (column 4) is 'bar', not a number" in text
        text = await _look_up(pilot, "two-rows@odd.example")
        assert "returns 2 rows" in text and "uses only the first" in text
        text = await _look_up(pilot, "SRS0=HHH=TT=example.org=user@domain.com")
        assert "Authenticated: bar@domain.com  (uid 21015, gid 1000)" in text


async def test_newline_address_is_refused_and_nothing_is_sent(break_lab, make_app) -> None:
    lab = break_lab("debug-login")  # authdaemond now logs every request it receives
    start = lab.maillog.stat().st_size
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _look_up(pilot, "refused@domain.com\nPRE . login injected@domain.com")
        problem = str(app.query_one("#lookup-problem").render())
        assert "refused, nothing was sent" in problem and "line feed" in problem
        assert "Authenticated" not in text
        assert app.query_one(LookupPane).history == []
        # A lookup sent after it is logged; nothing of the refused one is logged before it.
        await _look_up(pilot, "sent-after@domain.com")
    logged = await asyncio.to_thread(
        log_text_once, lab.maillog, start,
        "received userid lookup request: sent-after@domain.com", 20.0)
    assert "refused@domain.com" not in logged and "injected@domain.com" not in logged


async def test_password_is_masked_cleared_and_never_rendered(break_lab, make_app) -> None:
    break_lab("passwords-returned")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        password_input = app.query_one("#lookup-password", Input)
        password_input.focus()
        await pilot.press(*LAB_MAILBOX_PASSWORD)
        assert LAB_MAILBOX_PASSWORD not in screen_text(app)
        app.query_one("#lookup-address", Input).value = "foo@domain.com"
        app.query_one("#lookup-address", Input).focus()
        await pilot.press("enter")
        await _settled(pilot, 0)
        text = str(app.query_one(ResultCard).render())
        assert "Login accepted" in text
        assert "Encrypted Password: (hidden)" in text
        assert password_input.value == ""
        rendered = screen_text(app)
        for secret in (*SECRETS, LAB_MAILBOX_CRYPT):
            assert secret not in rendered
        assert all(LAB_MAILBOX_PASSWORD not in repr(entry) for entry in
                   app.query_one(LookupPane).history)


async def test_hostile_database_value_is_shown_escaped(healthy_lab, make_app) -> None:
    with healthy_lab.pg.superuser("appldb") as conn:
        conn.execute(
            "INSERT INTO email_lookup VALUES ('evil', 'domain.com', NULL, 'a', NULL, "
            "E'x\\x1b]0;pwned\\x07@domain.com', 1::bit)"
        )
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            text = await _look_up(pilot, "evil@domain.com")
            assert "\x1b" not in text and "\x07" not in text
            assert "x\\x1b]0;pwned\\x07@domain.com" in text
    finally:
        with healthy_lab.pg.superuser("appldb") as conn:
            conn.execute("DELETE FROM email_lookup WHERE \"user\" = 'evil'")

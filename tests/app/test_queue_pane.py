"""The Queue pane on the lab's real Postfix: waiting mail, the retry, the watch, lost mail.

A deferral leaves nothing once the queue is emptied, so those tests share the
session's lab; a bounce keeps `check` critical for an hour, so the lost-mail test
brings up a lab of its own.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.widgets import Button, DataTable, OptionList, Static

from tests.app.conftest import until, visible_text, widget_text
from tui.app.app import AuthlibApp
from tui.app.panes.queue import QueuePane
from tui.app.panes.wizard import WizardPane
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.core.fixes.audit import read_audit
from tui.core.installation import Installation
from tui.lab.lab import Lab

RECIPIENT = "foo@domain.com"  # bar's mailbox
CATCH_ALL = "anyone@catchall.example"  # qux's catch-all
_until = partial(until, timeout=30.0)  # a delivery attempt, a queue sample: seconds each


def _app(lab: Lab, allow_fixes: bool = False) -> AuthlibApp:
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    return AuthlibApp(installation, health_interval=0.5, allow_fixes=allow_fixes)


def _deferred(lab: Lab, subject: str, count: int = 1) -> str:
    """Mail sent while authdaemond is stopped; Postfix's line for the first attempt."""
    lab.apply(frozenset({"daemon-stopped"}))
    return lab.send_and_wait(RECIPIENT, count=count, subject=subject)


async def _open_wizard(app: AuthlibApp, pilot: Any) -> WizardPane:
    """The Wizard pane, built and holding the focus (its start list takes the keys)."""
    await pilot.press("5")
    await _until(lambda: bool(app.query(WizardPane)))
    wizard = app.query_one(WizardPane)
    await _until(lambda: app.focused is not None and wizard in app.focused.ancestors_with_self)
    return wizard


async def _open_queue(app: AuthlibApp, pilot: Any) -> QueuePane:
    await pilot.press("6")
    await _until(lambda: bool(app.query(QueuePane)))
    return app.query_one(QueuePane)


async def test_waiting_mail_then_the_fix_the_retry_and_the_watch(mail_lab: Lab) -> None:
    lab = mail_lab
    line = _deferred(lab, "queue pane", count=2)  # the first of the two, as Postfix wrote it
    assert "status=deferred" in line and "s_connect() failed" in line
    app = _app(lab, allow_fixes=True)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_queue(app, pilot)
        await _until(lambda: "2 message(s) waiting" in visible_text(app))
        table = pane.query_one("#queue-table", DataTable)
        assert table.row_count == 2
        assert RECIPIENT in visible_text(app)
        assert "s_connect" in widget_text(app, pane.query_one("#queue-summary"))

        await asyncio.to_thread(lab.fix_start)  # the cause is fixed; the mail still waits
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        command = f"postqueue -c {lab.postfix.config_dir} -f"
        assert command in visible_text(app)
        app.screen.query_one("#confirm-run", Button).press()
        await _until(lambda: pane.retry_watch is not None and pane.retry_watch.done)
        assert pane.retry_watch is not None
        assert pane.retry_watch.summary() == "2 of 2 delivered"
        await _until(lambda: "2 of 2 delivered" in visible_text(app))
        await _until(lambda: "No mail waits for maildrop" in visible_text(app))
    assert sum("queue pane" in path.read_text() for path in lab.delivered()) >= 2
    audited = [record for record in read_audit(lab.root / "audit.log")
               if record.get("command") == command]
    assert {record.get("event") for record in audited} >= {"about to run", "ended"}


async def test_a_retry_that_delivers_part_of_the_mail_says_what_still_waits(
        mail_lab: Lab) -> None:
    """authdaemond comes back, but bar's home is still gone: qux's mail goes, bar's waits."""
    lab = mail_lab
    lab.apply(frozenset({"daemon-stopped", "home-missing"}))
    lab.send_and_wait(RECIPIENT, subject="part bar")
    lab.send_and_wait(CATCH_ALL, subject="part qux")
    app = _app(lab, allow_fixes=True)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_queue(app, pilot)
        await _until(lambda: "2 message(s) waiting" in visible_text(app))
        await asyncio.to_thread(lab.apply, frozenset({"home-missing"}))  # only the daemon fixed
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        app.screen.query_one("#confirm-run", Button).press()
        await _until(lambda: pane.retry_watch is not None and pane.retry_watch.done)
        assert pane.retry_watch is not None
        summary = pane.retry_watch.summary()
        # Postfix's own reason for bar's message, as maildrop printed it.
        assert summary.startswith("1 of 2 delivered, 1 still deferred: "), summary
        assert "Unable to change to home directory" in summary, summary
        await _until(lambda: "1 of 2 delivered, 1 still deferred" in visible_text(app))
    assert any("part qux" in path.read_text() for path in lab.delivered("qux"))


async def test_a_retry_needs_allow_fixes_and_changes_nothing_without(mail_lab: Lab) -> None:
    lab = mail_lab
    _deferred(lab, "read-only")
    app = _app(lab)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        pane = await _open_queue(app, pilot)
        await _until(lambda: "1 message(s) waiting" in visible_text(app))
        await pilot.press("x")
        await _until(lambda: "--allow-fixes" in visible_text(app))
        assert not isinstance(app.screen, ConfirmFixScreen)
        assert pane.retry_watch is None


async def test_the_wizard_starts_from_waiting_mail_and_offers_the_retry(mail_lab: Lab) -> None:
    lab = mail_lab
    _deferred(lab, "wizard")
    app = _app(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        wizard = await _open_wizard(app, pilot)
        await pilot.press("down", "down", "down", "down", "enter")  # "Mail waits in the queue"
        await _until(lambda: wizard.diagnosis is not None)
        assert wizard.diagnosis is not None and wizard.diagnosis.id == "daemon-stopped"
        assert wizard.results["mail-deferred"].status.value == "warn"
        await _until(lambda: wizard.waiting_mail == 1)
        wizard._offer_retry()  # what a successful fix ends with
        output = wizard.query_one("#wizard-output", Static)
        await _until(lambda: "1 message(s) wait for the chain: m retries them now"
                     in str(output.render()))
        await pilot.press("m")  # without --allow-fixes: the Queue pane says so
        await _until(lambda: bool(app.query(QueuePane)) and app.query_one(
            "#panes").active == "queue")  # type: ignore[attr-defined]


async def test_lost_mail_is_the_strongest_thing_on_screen_and_the_wizard_names_it(
        bounce_lab: Lab) -> None:
    lab = bounce_lab
    lab.apply(frozenset({"not-a-mailbox"}))
    line = lab.send_and_wait(RECIPIENT, subject="lost")
    assert "status=bounced" in line and "Invalid user specified." in line
    app = _app(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_queue(app, pilot)
        # The strip may say it first; the pane's lines follow on its next layout and paint.
        await _until(lambda: "MAIL LOST: 1 message(s) bounced" in visible_text(app))
        await _until(lambda: RECIPIENT in widget_text(app, pane.query_one("#queue-bounced")))
        bounced = widget_text(app, pane.query_one("#queue-bounced"))
        assert "MAIL LOST: 1 message(s) bounced" in bounced and "Invalid user" in bounced
        # The strongest look the app has, on the pane and on the strip: bold and reversed,
        # so it outranks every error colour and still reads with NO_COLOR.
        for widget in (app.query_one("#health"), pane.query_one("#queue-bounced")):
            looks = [segment.style for y in range(widget.size.height)
                     for segment in widget.render_line(y) if "LOST" in segment.text]
            assert looks and all(style is not None and style.bold and style.reverse
                                 for style in looks), (widget, looks)
        await pilot.press("w")  # the wizard, from the lost mail
        await _until(lambda: bool(app.query(WizardPane)))
        wizard = app.query_one(WizardPane)
        await _until(lambda: wizard.diagnosis is not None)
        assert wizard.diagnosis is not None and wizard.diagnosis.id == "not-a-mailbox"
        # The bounced address's own row was looked at: disabled, not a typo or an alias.
        assert any(result.id.startswith("address") for result in wizard.results.values())


async def test_a_fix_run_from_the_wizard_offers_the_retry_and_m_delivers_it(mail_lab: Lab) -> None:
    """The whole walk with --allow-fixes: "Mail waits in the queue" → the cause's fix,
    confirmed → the wizard offers the retry → m, confirmed → the watch counts the delivery."""
    lab = mail_lab
    _deferred(lab, "wizard retry", count=2)
    app = _app(lab, allow_fixes=True)
    async with app.run_test(size=(100, 30)) as pilot:
        wizard = await _open_wizard(app, pilot)
        await pilot.press("down", "down", "down", "down", "enter")  # "Mail waits in the queue"
        await _until(lambda: wizard.diagnosis is not None and wizard.waiting_mail == 2)
        assert wizard.diagnosis is not None and wizard.diagnosis.id == "daemon-stopped"
        step = wizard.selected()
        assert step is not None and step.id == "daemon-listening" and step.fix is not None
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        app.screen.query_one("#confirm-run", Button).press()
        output = wizard.query_one("#wizard-output", Static)
        await _until(lambda: "2 message(s) wait for the chain: m retries them now"
                     in str(output.render()))
        await _until(lambda: wizard.results["daemon-listening"].status.value == "ok")  # verified

        await pilot.press("m")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        command = f"postqueue -c {lab.postfix.config_dir} -f"
        assert command in visible_text(app)
        app.screen.query_one("#confirm-run", Button).press()
        pane = app.query_one(QueuePane)
        await _until(lambda: pane.retry_watch is not None and pane.retry_watch.done)
        assert pane.retry_watch is not None and pane.retry_watch.summary() == "2 of 2 delivered"
        await _until(lambda: "2 of 2 delivered" in visible_text(app))
    assert sum("wizard retry" in path.read_text() for path in lab.delivered()) == 2
    audited = [(record.get("event"), record.get("command"))
               for record in read_audit(lab.root / "audit.log")]
    assert ("ended", command) in audited and ("ended", step.fix.commands[0]) in audited


async def test_the_bounced_symptom_on_the_wizard_start_list_walks_to_the_cause(
        bounce_lab: Lab) -> None:
    """The start entry "Mail bounced: Invalid user specified / user unknown", chosen from
    the wizard's own list (not through the Queue pane), names the disabled mailbox."""
    lab = bounce_lab
    lab.apply(frozenset({"not-a-mailbox"}))
    assert "Invalid user specified." in lab.send_and_wait(RECIPIENT, subject="lost again")
    app = _app(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        wizard = await _open_wizard(app, pilot)
        entry = wizard.query_one("#wizard-entry", OptionList)
        assert "Mail bounced: `Invalid user specified` / user unknown" in str(
            entry.get_option_at_index(5).prompt)
        await pilot.press("down", "down", "down", "down", "down", "enter")
        await _until(lambda: wizard.diagnosis is not None)
        assert wizard.diagnosis is not None and wizard.diagnosis.id == "not-a-mailbox"
        assert wizard.results["mail-bounced"].status.value == "fail"
        assert RECIPIENT in wizard.results["mail-bounced"].finding


async def test_the_keys_line_fits_80_columns_with_the_allow_fixes_note(mail_lab: Lab) -> None:
    app = _app(mail_lab)  # read-only: the longest form of the line
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_queue(app, pilot)
        keys = pane.query_one("#queue-keys", Static)
        await _until(lambda: "--allow-fixes" in widget_text(app, keys))
        assert "(retries need --allow-fixes)" in visible_text(app)

"""The wizard on the real lab, by keyboard: each branch, copy, verify, a confirmed fix, export."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from textual.widgets import OptionList, Static

from tests.app.conftest import until, visible_text
from tui.app.panes.wizard import WizardPane
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.app.screens.fix_text import FixTextScreen
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import PaneTabs
from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.result import Status
from tui.core.fixes.audit import ABOUT_TO_RUN, ENDED, read_audit
from tui.lab.seed import SECRETS

_until = partial(until, timeout=20.0)  # this file's waits are longer




async def _open_wizard(app, pilot) -> WizardPane:
    """Switch to the wizard and wait until its symptom list has the keyboard."""
    await pilot.press("5")
    await _until(lambda: bool(app.query(WizardPane)))
    pane = app.query_one(WizardPane)
    await _until(lambda: app.focused is not None and pane in app.focused.ancestors_with_self)
    return pane


def _headline(pane: WizardPane) -> str:
    return str(pane.query_one("#wizard-headline", Static).render())


async def test_s_connect_branch_by_keyboard_finds_the_stopped_daemon(break_lab, make_app):
    lab = break_lab("daemon-stopped")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("down", "enter")  # second symptom: s_connect() failed
        await _until(lambda: pane.diagnosis is not None)
        assert pane.diagnosis is not None and pane.diagnosis.id == "daemon-stopped"
        assert "s-connect" not in {r.id for r in pane.results.values()}
        assert set(pane.results) >= {"socket-present", "daemon-listening", "socket-access"}
        assert "db-connect" not in pane.results  # the other branch's checks did not run
        selected = pane.selected()
        assert selected is not None and selected.id == "daemon-listening"
        text = visible_text(app)
        assert "Diagnosis: daemon-stopped" in text
        detail = str(pane.query_one("#wizard-step", Static).render())  # scrolls at 80×24
        assert f"{lab.root} start" in detail  # the fix command for this platform


async def test_tempfail_branch_and_copy(break_lab, make_app):
    break_lab("db-password-wrong")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("down", "down", "enter")
        await _until(lambda: pane.diagnosis is not None)
        assert pane.diagnosis is not None and pane.diagnosis.id == "db-password-wrong"
        assert "socket-access" not in pane.results
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, FixTextScreen)
        assert app.clipboard.endswith("sync-password")
        assert "sync-password" in visible_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, FixTextScreen)


async def test_address_branch_explains_an_alias(healthy_lab, make_app):
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("down", "down", "down", "enter")
        await pilot.press(*"postmaster@domain.com", "enter")
        await _until(lambda: pane.diagnosis is not None and "address-database" in pane.results)
        database = pane.results["address-database"]
        assert database.status is Status.WARN
        assert "alias" in database.finding
        # authdaemond answers FAIL for an alias, as it should: a warning, not a failure.
        assert pane.results["address-lookup"].status is Status.WARN
        assert pane.diagnosis is not None and pane.diagnosis.status is Status.WARN


async def test_address_branch_says_a_row_without_home_bounces(healthy_lab, make_app):
    app = make_app(health_interval=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("down", "down", "down", "enter")
        await pilot.press(*"home-null@odd.example", "enter")
        await _until(lambda: pane.diagnosis is not None and "address-database" in pane.results)
        for check_id in ("address-lookup", "address-database"):
            result = pane.results[check_id]
            assert result.status is Status.FAIL
            assert "home (column 6) is NULL: authlib answers FAIL" in result.finding
        await _until(lambda: "authlib answers FAIL" in visible_text(app))


async def test_without_allow_fixes_nothing_runs(break_lab, make_app):
    lab = break_lab("daemon-stopped")
    (lab.root / "audit.log").unlink(missing_ok=True)
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("f")
        await _until(lambda: pane.diagnosis is not None)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmFixScreen)
        assert "--allow-fixes" in visible_text(app)
    assert not (lab.root / "audit.log").exists()
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.CONNECT_REFUSED


async def test_confirmed_fix_runs_is_audited_and_verify_turns_green(break_lab, make_app):
    lab = break_lab("daemon-stopped")
    audit = lab.root / "audit.log"
    audit.unlink(missing_ok=True)
    app = make_app(health_interval=3600, allow_fixes=True)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("f")
        await _until(lambda: pane.diagnosis is not None)
        step = pane.selected()
        assert step is not None and step.id == "daemon-listening"
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        assert step.fix is not None
        command = step.fix.commands[0]
        # The exact command, before anything runs: all of it on screen (a long lab path
        # wraps inside the modal's border, so it is read from its widget, not the screen).
        shown = app.screen.query_one(".confirm-command", Static)
        assert shown.render().plain == f"$ {command}"
        assert app.screen.region.contains_region(shown.region)
        assert shown.region.height >= 1 and command[:20] in visible_text(app)
        await pilot.press("escape")  # cancel first: nothing runs
        await pilot.pause()
        assert not audit.exists()
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        await pilot.click("#confirm-run")
        await _until(lambda: pane.results["daemon-listening"].status is Status.OK, timeout=60)
        output = str(pane.query_one("#wizard-output", Static).render())
        assert f"$ {command}" in output
        steps = pane.query_one("#wizard-steps", OptionList)
        assert steps.highlighted is not None
    records = read_audit(audit)
    assert [(r["event"], r["command"], r["check"], r.get("exit_code")) for r in records] == [
        (ABOUT_TO_RUN, command, "daemon-listening", None),
        (ENDED, command, "daemon-listening", 0)]
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.FOUND


async def test_logs_jump_opens_the_matching_step(break_lab, make_app):
    break_lab("db-password-wrong")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        await pilot.press("1")
        pane.show_request("db-credentials", "password authentication failed …")
        await _until(lambda: pane.diagnosis is not None)
        step = pane.selected()
        assert step is not None and step.id == "db-connect"
        request = str(pane.query_one("#wizard-request", Static).render())
        assert "You came here for step: db-credentials" in request


async def test_incident_note_has_the_walk_and_no_secret(break_lab, make_app, tmp_path: Path):
    break_lab("db-password-wrong")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _open_wizard(app, pilot)
        pane.notes_dir = tmp_path
        app.timeline.mark_incident(time.time())
        await pilot.press("f")
        await _until(lambda: pane.diagnosis is not None)
        await pilot.press("v")
        await _until(lambda: any("Verified" in text for _, text in pane.note.events))
        await pilot.press("e")
        await pilot.pause()
    notes = list(tmp_path.glob("authlib-incident-*.md"))
    assert len(notes) == 1
    note = notes[0].read_text()
    assert "**db-password-wrong**" in note
    assert "password=(hidden)" in note  # the connection string, masked
    assert "Verified db-connect: fail" in note
    assert "## Timeline" in note
    assert "Since the incident began (marked " in note
    assert "mark: incident began (marked)" in note
    for secret in SECRETS:
        assert secret not in note


async def test_clicking_the_health_strip_opens_the_wizard_at_the_worst_cell(break_lab, make_app):
    break_lab("db-password-wrong")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        strip = app.query_one(HealthStrip)
        await _until(lambda: strip.snapshot is not None)
        assert strip.worst_step() is not None
        await pilot.click(HealthStrip)
        await _until(lambda: bool(app.query(WizardPane))
                     and app.query_one(WizardPane).diagnosis is not None)
        pane = app.query_one(WizardPane)
        assert app.query_one(PaneTabs).active == "wizard"
        assert pane.diagnosis is not None and pane.diagnosis.id == "db-password-wrong"
        step = pane.selected()
        assert step is not None and step.id == "db-connect"


async def test_incident_note_is_not_written_through_a_planted_link(
        break_lab, make_app, tmp_path: Path):
    """$HOME is the caller's under `sudo -E`: the note's name is predictable to the second."""
    break_lab("db-password-wrong")
    precious = tmp_path / "precious"
    precious.write_text("keep me\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        pane = await _open_wizard(app, pilot)
        pane.notes_dir = notes
        await pilot.press("f")
        await _until(lambda: pane.diagnosis is not None)
        now = time.time()
        for second in range(120):  # every name the export could take in the next two minutes
            name = time.strftime("authlib-incident-%Y%m%d-%H%M%S.md", time.localtime(now + second))
            (notes / name).symlink_to(precious)
        await pilot.press("e")
        await _until(lambda: any("Cannot write" in n.message for n in app._notifications))
        message = next(n.message for n in app._notifications if "Cannot write" in n.message)
    assert "is a symbolic link; authlib-tui never writes through one" in message
    assert precious.read_text() == "keep me\n"
    assert all(path.is_symlink() for path in notes.iterdir())

"""The trace in the app, on the lab's real chain: the Lookup pane's mail, enter on a Queue
row, lost mail in the strongest look, and input that is refused with one sentence."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

from textual.widgets import Button, DataTable, Input, Static

from tests.app.conftest import until, visible_text, widget_text
from tests.trace.test_exact_lines import DELIVERED_LATER, PASSWORD_WRONG, write
from tests.trace.test_lab_trace import queue_id_of
from tests.trace.test_streaming import later_mail
from tests.trace.test_trace_in_reports import settings
from tui.app.app import AuthlibApp
from tui.app.panes.lookup import LookupPane
from tui.app.panes.queue import QueuePane
from tui.app.panes.wizard import WizardPane
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.app.screens.trace_screen import TraceScreen
from tui.app.widgets.log_view import LogView
from tui.app.widgets.trace_view import TraceStory, TraceView, story_lines
from tui.core.fixes.audit import read_audit
from tui.core.installation import Installation
from tui.core.trace.history import HistoryStart, file_history, merged
from tui.core.trace.query import parse_query
from tui.core.trace.retry_clock import RetryRules
from tui.core.trace.trace import trace_history
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS

RECIPIENT = "foo@domain.com"
_until = partial(until, timeout=30.0)


def _app(lab: Lab, allow_fixes: bool = False) -> AuthlibApp:
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    return AuthlibApp(installation, health_interval=0.5, allow_fixes=allow_fixes)


async def _lookup_pane(app: AuthlibApp, pilot: Any) -> LookupPane:
    await pilot.press("4")
    await _until(lambda: bool(app.query(LookupPane)) and app.query_one(LookupPane).pane_mounted)
    return app.query_one(LookupPane)


async def _type(app: AuthlibApp, pilot: Any, text: str) -> None:
    field = app.query_one("#lookup-address", Input)
    field.value = text
    field.focus()
    await pilot.press("enter")


def _story(app: AuthlibApp, view: TraceView, queue_id: str) -> str:
    stories = list(view.query(".trace-story"))
    index = [item.message.queue_id for item in view.items].index(queue_id)
    return widget_text(app, stories[index])


async def test_a_deferred_then_delivered_message_tells_its_story_in_the_lookup_pane(
        mail_lab: Lab) -> None:
    lab = mail_lab
    lab.apply(frozenset({"db-password-wrong"}))
    start = lab.log_size()
    queue_id = queue_id_of(lab.send_and_wait(RECIPIENT, subject="trace story"))
    lab.wait_for_log("password authentication failed", after=start)
    # The fix restarts authdaemond; syslog stamps whole seconds, and a restart stamped in the
    # deferral's own second would end the lines that explain it (as it ends those of a
    # daemon a fix replaced). A real fix comes minutes later; here, the next second.
    deferred_second = int(time.time())
    while int(time.time()) <= deferred_second:
        time.sleep(0.05)
    lab.apply(frozenset())
    after = lab.log_size()
    lab.postfix.flush()
    lab.wait_for_log(f"{queue_id}: removed", after=after)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        await _type(app, pilot, RECIPIENT)
        await _until(lambda: view.report is not None)
        assert queue_id in [item.message.queue_id for item in view.items]
        view.scroll_to_widget(list(view.query(".trace-story"))[
            [i.message.queue_id for i in view.items].index(queue_id)], animate=False)
        await pilot.pause()
        story = _story(app, view, queue_id)
        assert "deferred: the database password was wrong (authdaemond" in story, story
        assert "delivered after the fix" in story and "delivered by vmaildrop" in story, story
        assert "found" in str(pane.query_one("#lookup-result", Static).render())  # the answer
        # Nothing lost or waiting: the newest story is the one selected (shown at 80x24).
        assert view.selected == len(view.items) - 1 and view.items
        # A name without @ has no mail: the stories of the last query go, never kept beside it.
        await _type(app, pilot, "bar")
        await _until(lambda: not view.query(".trace-story") and not view.items)
        assert "without @" in widget_text(app, view.query_one(".trace-status"))


async def test_enter_on_a_queue_row_opens_its_trace_and_esc_returns(mail_lab: Lab) -> None:
    lab = mail_lab
    lab.apply(frozenset({"daemon-stopped"}))
    queue_id = queue_id_of(lab.send_and_wait(RECIPIENT, subject="trace from the queue"))
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await _until(lambda: bool(app.query(QueuePane)))
        pane = app.query_one(QueuePane)
        table = pane.query_one("#queue-table", DataTable)
        await _until(lambda: table.row_count >= 1)
        table.focus()
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, TraceScreen))
        view = app.screen.query_one(TraceView)
        await _until(lambda: view.report is not None)
        assert [item.message.queue_id for item in view.items] == [queue_id]
        story = _story(app, view, queue_id)
        assert "deferred: authdaemond was not running" in story, story
        assert "waiting in the queue" in story and "next retry" in story, story
        await pilot.press("escape")
        await _until(lambda: not isinstance(app.screen, TraceScreen))
        assert app.query_one("#panes").active == "queue"  # type: ignore[attr-defined]


async def test_a_bounced_message_is_lost_in_the_strongest_look(bounce_lab: Lab) -> None:
    lab = bounce_lab  # a bounce in the session's lab would be mail-bounced for an hour
    start = lab.log_size()
    queue_id = queue_id_of(lab.send_and_wait("nosuch@domain.com", subject="trace lost"))
    lab.wait_for_log(f"{queue_id}: removed", start)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        await _type(app, pilot, queue_id)  # a queue ID: its trace alone
        await _until(lambda: view.report is not None)
        assert [item.message.queue_id for item in view.items] == [queue_id]
        assert "LOST: bounced" in _story(app, view, queue_id)
        assert "queue ID" in str(pane.query_one("#lookup-result", Static).render())
        assert pane.history == []  # authdaemond was not asked
        story = view.query_one(".trace-verdict", Static)
        looks = [segment.style for y in range(story.size.height)
                 for segment in story.render_line(y) if "LOST" in segment.text]
        assert looks and all(style is not None and style.bold and style.reverse
                             for style in looks), looks


async def test_bad_input_gets_one_sentence_and_changes_nothing(mail_lab: Lab) -> None:
    app = _app(mail_lab)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        problem = pane.query_one("#lookup-problem", Static)
        for text, said in (("", "the address is empty"),
                           ("5CA13C0F12\r\nx@domain.com", "carriage return"),
                           ("5CA13C0F12;RM", "not a queue ID")):
            await _type(app, pilot, text)
            await pilot.pause()
            shown = str(problem.render())
            assert shown.startswith("✗ refused, nothing was") and said in shown, shown
            assert view.query_shown is None and not view.items
            assert pane.history == []
        assert not [worker for worker in app.workers if worker.group == "trace"]


async def test_the_trace_retries_a_waiting_message_through_the_queue_panes_confirmation(
        mail_lab: Lab) -> None:
    lab = mail_lab
    lab.apply(frozenset({"daemon-stopped"}))
    queue_id = queue_id_of(lab.send_and_wait(RECIPIENT, subject="trace retry"))
    lab.apply(frozenset())  # fixed; the mail still waits for its next retry
    app = _app(lab, allow_fixes=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await _until(lambda: bool(app.query(QueuePane)))
        pane = app.query_one(QueuePane)
        table = pane.query_one("#queue-table", DataTable)
        await _until(lambda: table.row_count >= 1)
        table.focus()
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, TraceScreen))
        view = app.screen.query_one(TraceView)
        await _until(lambda: view.report is not None)
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        command = f"postqueue -c {lab.postfix.config_dir} -i {queue_id}"
        confirm = app.screen
        assert isinstance(confirm, ConfirmFixScreen)
        assert confirm.commands == (command,)  # wrapped at 80 columns: read, not seen
        assert queue_id in visible_text(app)
        app.screen.query_one("#confirm-run", Button).press()
        await _until(lambda: pane.retry_watch is not None and pane.retry_watch.done)
        assert pane.retry_watch is not None and pane.retry_watch.summary() == "1 of 1 delivered"
    audited = [(record.get("event"), record.get("command"))
               for record in read_audit(lab.root / "audit.log")]
    assert ("ended", command) in audited


async def test_enter_on_a_delivery_line_in_the_logs_pane_opens_its_trace(mail_lab: Lab) -> None:
    lab = mail_lab
    start = lab.log_size()
    queue_id = queue_id_of(lab.send_and_wait(RECIPIENT, subject="trace from the logs"))
    lab.wait_for_log(f"{queue_id}: removed", start)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await _until(lambda: bool(app.query(LogView)))
        view = app.query_one(LogView)
        await _until(lambda: any(item.queue_id == queue_id for item, _ in view.rows))
        row = next(index for index, (item, note) in enumerate(view.rows)
                   if item.queue_id == queue_id and not note)
        view.focus()
        view.cursor = row
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, TraceScreen))
        trace = app.screen.query_one(TraceView)
        await _until(lambda: trace.report is not None)
        assert [item.message.queue_id for item in trace.items] == [queue_id]
        assert "delivered by vmaildrop" in _story(app, trace, queue_id)


def test_hostile_text_in_a_story_is_shown_escaped(tmp_path: Path) -> None:
    hostile = "evil\x1b]0;pwned\x07@sender.test"
    log = write(tmp_path / "maillog", [
        f"Dec 01 20:01:57 sandbox postfix/qmgr[3819]: 061B421A1AB: from=<{hostile}>, "
        "size=341, nrcpt=1 (queue active)",
        "Dec 01 20:01:58 sandbox postfix/pipe[3868]: 061B421A1AB: to=<foo@domain.com>, "
        "relay=vmaildrop, delay=0.03, delays=0/0/0/0.03, dsn=5.1.1, status=bounced (user "
        "unknown. Command output: \x1b[2J[link=x]gone[/link] )",
    ])
    [item] = trace_history(parse_query("foo@domain.com"),
                           merged([file_history(log, lambda _p, _e: None)], HistoryStart()),
                           queue=None, rules=RetryRules())
    head, body, end = story_lines(item)
    for content in (head, *body, end):
        assert "\x1b" not in content.plain and "\x07" not in content.plain
    assert "evil\\x1b]0;pwned\\x07@sender.test" in head.plain
    assert "[link=x]gone[/link]" in body[0].plain  # literal text, never markup


async def test_the_trace_reads_the_monitors_pool_and_socket_samples(healthy_lab: Lab) -> None:
    """The causes the logs leave open are named from what this app's monitor sampled."""
    app = _app(healthy_lab)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        assert view.states() is app.sampled_states
        await _until(lambda: not app.sampled_states.empty)  # the health run's checks landed


async def test_the_incident_note_tells_the_trace_the_user_saw_last(mail_lab: Lab,
                                                                   tmp_path: Path) -> None:
    lab = mail_lab
    lab.apply(frozenset({"daemon-stopped"}))
    queue_id = queue_id_of(lab.send_and_wait(RECIPIENT, subject="trace in the note"))
    app = _app(lab)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        await _type(app, pilot, "nobody-here@domain.com")  # an older trace, replaced below
        await _until(lambda: view.report is not None)
        await _type(app, pilot, RECIPIENT)
        await _until(lambda: view.report is not None and view.query_shown is not None
                     and view.query_shown.text == RECIPIENT)
        assert app.last_trace is view.report
        view.focus()  # the keys go to the app, not into the address field
        await pilot.press("5")
        await _until(lambda: bool(app.query(WizardPane)))
        wizard = app.query_one(WizardPane)
        wizard.notes_dir = tmp_path
        await _until(lambda: app.focused is not None and wizard in app.focused.ancestors_with_self)
        await pilot.press("f")
        await _until(lambda: wizard.diagnosis is not None)
        await pilot.press("e")
        await _until(lambda: bool(list(tmp_path.glob("authlib-incident-*.md"))))
    note = next(tmp_path.glob("authlib-incident-*.md")).read_text()
    assert "**daemon-stopped**" in note
    trace = note[note.index(f"## Trace of `{RECIPIENT}`"):note.index("## Timeline")]
    assert queue_id in trace and "deferred: authdaemond was not running" in trace, trace
    assert "waiting in the queue" in trace, trace
    assert "nobody-here" not in note  # the trace seen last, not an earlier one
    for secret in SECRETS:
        assert secret not in note


async def test_today_s_mail_drawn_first_still_reads_in_time_order(tmp_path: Path) -> None:
    """The live log's messages are drawn before a rotated copy's: the older story is put
    above them, and the newest stays the one selected."""
    write(tmp_path / "maillog.1.gz", PASSWORD_WRONG)
    write(tmp_path / "maillog", DELIVERED_LATER + later_mail(21, "7AB21C0F3D")
          + later_mail(22, "8BC32D1A4E"))
    installation = Installation.from_flags({"config": str(settings(tmp_path))})
    app = AuthlibApp(installation, health_interval=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _lookup_pane(app, pilot)
        view = pane.query_one(TraceView)
        await _type(app, pilot, RECIPIENT)
        await _until(lambda: view.report is not None)
        stories = [story.item.message.queue_id for story in view.query(TraceStory)]
        assert stories == [item.message.queue_id for item in view.items]
        assert stories == ["061B421A1AB", "7AB21C0F3D", "8BC32D1A4E"]
        assert view.selected == 2

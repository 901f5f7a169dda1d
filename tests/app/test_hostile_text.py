"""Hostile text in toasts, the Queue table and a fix's copy, driven through Pilot.

Queue ids, command output, exception text and fix commands can carry what an
attacker wrote: an OSC 52 clipboard write, a screen clear, a CR, Rich markup, text
that is not UTF-8. The screen must show them as visible escapes and literal brackets;
the clipboard must never receive such a command.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, OptionList
from textual.widgets._toast import Toast

from tests.app.conftest import until
from tui.app.app import AuthlibApp
from tui.app.panes.queue import QueuePane
from tui.app.panes.wizard import WizardPane
from tui.app.replay.app import ReplayApp
from tui.app.safe_app import SafeApp
from tui.app.screens.fix_text import FixTextScreen
from tui.core import settings as settings_module
from tui.core.checks.result import CheckResult, Fix, Status
from tui.core.ids.check_id import CheckId
from tui.core.installation import Installation
from tui.core.monitor.observations import QueueSampled
from tui.core.postfix.queue import QueuedMessage, QueuedRecipient, QueueSnapshot, chain_reason
from tui.core.safe_text import safe_text

HOSTILE = "\x1b]52;c;aGVsbG8=\x07[bold]x[/bold][link=http://e.test]y[/link]\x1b[2J\rfake"
NOT_UTF8 = b"bad\xff\xfe".decode("utf-8", "surrogateescape")
# What Postfix records for a mail maildrop deferred while authdaemond was down.
DEFERRED = ("temporary failure. Command output: ERR: authdaemon: s_connect() failed: "
            "No such file or directory [...] Temporary authentication failure. ")


def screen_text(app: SafeApp) -> str:
    """What the terminal shows, from the SVG export."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def _no_terminal_bytes(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text, repr(text)


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installation:
    """An installation with nothing found: the panes only need one to exist."""
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("AUTHLIB_TUI_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return Installation.from_flags({"conf_dir": str(tmp_path / "conf"), "socket": None,
                                    "config": None})


class Host(SafeApp):
    """The base both apps share, holding one pane."""

    def __init__(self, pane: object) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane  # type: ignore[misc]


def test_both_apps_toast_through_the_sanitising_base() -> None:
    assert issubclass(AuthlibApp, SafeApp) and issubclass(ReplayApp, SafeApp)


async def test_a_toast_shows_hostile_text_literally(installation: Installation) -> None:
    app = Host(QueuePane(installation))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        # What a failed retry's exception text or a command's output can say.
        app.notify(f"postqueue said: {HOSTILE}\nline two {NOT_UTF8}", title=HOSTILE,
                   severity="error")
        await until(lambda: bool(app.query(Toast)))
        await pilot.pause()
        toast = app.query_one(Toast)
        shown = str(toast.render())
        _no_terminal_bytes(shown)
        assert "[bold]x[/bold][link=http://e.test]y[/link]" in shown  # literal, not markup
        assert "\\x1b]52;c;aGVsbG8=\\x07" in shown and "\\x0dfake" in shown
        assert "line two bad\\udcff\\udcfe" in shown
        _no_terminal_bytes(screen_text(app))


async def test_a_queue_id_cell_is_text_never_markup(installation: Installation) -> None:
    now = time.time()
    assert chain_reason(DEFERRED) is not None
    message = QueuedMessage(HOSTILE, "deferred", now - 60, "s@example.com",
                            (QueuedRecipient("foo@domain.com", DEFERRED,
                                             chain_reason(DEFERRED)),))
    pane = QueuePane(installation)
    app = Host(pane)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        pane.show_sample(QueueSampled(now, QueueSnapshot(now, Path("/etc/postfix"),
                                                         (message,)), None))
        await pilot.pause()
        table = pane.query_one("#queue-table", DataTable)
        cells = table.get_row_at(0)
        assert all(isinstance(cell, Content) for cell in cells)
        assert cells[0].plain == safe_text(HOSTILE)
        screen = screen_text(app)
        _no_terminal_bytes(screen)
        assert "\\x1b]52;c;aG" in screen  # the cell is 12 wide: the start of the id, literal


async def test_a_fix_with_control_characters_is_not_copied(
    installation: Installation, tmp_path: Path
) -> None:
    pane = WizardPane(installation, notes_dir=tmp_path)
    app = Host(pane)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        hostile = CheckResult(CheckId.MAIL_DEFERRED, "Retry the waiting mail", Status.FAIL,
                              "mail waits", fix=Fix("Retry it.",
                                                    (f"postqueue -i {HOSTILE}",)))
        clean = CheckResult(CheckId.MAIL_BOUNCED, "A clean fix", Status.FAIL, "mail waits",
                            fix=Fix("Retry it.", ("postqueue -i 4F2A1B3C9D",)))
        pane._add_result(hostile)
        pane._add_result(clean)
        steps = pane.query_one("#wizard-steps", OptionList)
        steps.focus()
        steps.highlighted = 0
        await pilot.pause()
        await pilot.press("c")
        await until(lambda: bool(app.query(Toast)))
        assert app.clipboard == ""  # refused, not altered
        assert not isinstance(app.screen, FixTextScreen)
        assert "holds control characters" in str(app.query_one(Toast).render())
        steps.highlighted = 1
        await pilot.pause()
        await pilot.press("c")
        await until(lambda: isinstance(app.screen, FixTextScreen))
        assert app.clipboard == "postqueue -i 4F2A1B3C9D"  # a clean fix still copies

"""The app on a journald-only host (the journal lab): the last error and latest errors show.

There is no mail log file; authdaemond's lines are only in the journal. The
health strip's "last error" and the Overview's latest errors must come from it,
like the Logs pane's lines do.
"""

from __future__ import annotations

import time

import pytest

from tests.app.conftest import until, visible_text
from tui.app.app import AuthlibApp
from tui.app.widgets.health_strip import HealthStrip
from tui.core.installation import Installation
from tui.core.log_sources.recent_errors import recent_errors
from tui.lab.lab import Lab

WAIT = 10.0

pytestmark = pytest.mark.lab


def journal_has_error(lab: Lab, signature_id: str) -> None:
    """Block until the sink has written the daemon's error into the journal."""
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    deadline = time.monotonic() + WAIT
    while signature_id not in {error.signature.id for error in
                               recent_errors(installation, limit=20).errors}:
        assert time.monotonic() < deadline, f"{signature_id} never reached the journal"
        time.sleep(0.05)


async def test_last_error_and_latest_errors_come_from_the_journal(journal_lab: Lab) -> None:
    journal_lab.apply(frozenset({"db-password-wrong"}))
    try:
        assert not journal_lab.client(read_timeout=5).lookup("foo@domain.com").found
        journal_has_error(journal_lab, "db-password-wrong")
        installation = Installation.from_flags({"config": str(journal_lab.settings_file)})
        app = AuthlibApp(installation, health_interval=0.3)
        async with app.run_test(size=(160, 45)):
            strip = app.query_one(HealthStrip)
            await until(lambda: strip.snapshot is not None
                        and "db-password-wrong" in strip.snapshot.cell("last_error").word,
                        timeout=WAIT)
            # The Overview's discovery rows say the log set-up instead of "no log file".
            await until(lambda: "journald only (no mail log file)" in visible_text(app),
                        timeout=WAIT)
            # The Overview lists each error as `signature: message`.
            await until(lambda: "db-password-wrong: connection to server at"
                        in visible_text(app), timeout=WAIT)
    finally:
        journal_lab.apply(frozenset())

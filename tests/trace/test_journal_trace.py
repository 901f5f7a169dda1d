"""The trace on a journald-only lab: every line of the story comes from the journal alone.

`journal_lab` has no maillog: Postfix (and maildrop's output in its pipe lines)
and authdaemond log through syslog(3) to the lab's /dev/log, whose sink writes a
real journal file with systemd-journal-remote. The trace must find both
attempts there and join the cause from authdaemond's entries, which carry no
queue ID.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.trace.test_lab_trace import only, queue_id_of, trace
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.trace.verdict import State
from tui.lab.lab import Lab

pytestmark = pytest.mark.lab


@pytest.fixture
def journal_mail_lab(journal_lab: Lab) -> Iterator[Lab]:
    """The journald-only lab with an empty queue, healthy again afterwards."""
    journal_lab.apply(frozenset())
    journal_lab.postfix.clear_queue()
    yield journal_lab
    journal_lab.apply(frozenset())
    journal_lab.postfix.clear_queue()


def test_deferred_fixed_retried_delivered_traced_from_the_journal_alone(
        journal_mail_lab: Lab) -> None:
    lab = journal_mail_lab
    assert not lab.maillog.exists() and not list(lab.log_dir.glob("*.log"))
    lab.apply(frozenset({"db-password-wrong"}))
    start = lab.log_size()
    queue_id = queue_id_of(lab.send_and_wait("foo@domain.com"))
    lab.wait_for_log("password authentication failed", after=start)

    report = trace(lab, "foo@domain.com")
    assert report.sources == ["journal"]
    item = only(report, queue_id)
    [attempt] = item.attempts
    assert attempt.status == "deferred"
    assert "Temporary authentication failure" in attempt.output
    assert attempt.cause is DiagnosisId.DB_PASSWORD_WRONG
    assert any("password authentication failed" in line for line in attempt.evidence)
    # The daemon's start lines of the same second explain nothing: not evidence.
    assert not any("Installing" in line or "modules=" in line for line in attempt.evidence)
    assert item.verdict.state is State.WAITING

    lab.apply(frozenset())
    after = lab.log_size()
    lab.postfix.flush()
    lab.wait_for_log(f"{queue_id}: removed", after=after)

    item = only(trace(lab, queue_id), queue_id)
    assert [a.status for a in item.attempts] == ["deferred", "sent"]
    assert item.attempts[0].cause is DiagnosisId.DB_PASSWORD_WRONG
    assert item.verdict.state is State.DELIVERED
    assert item.message.received_by == "pickup" and item.message.message_id

    # The command says the same, from the journal named in the lab's settings.
    done = subprocess.run([sys.executable, "-m", "tui.cli.main", "trace", queue_id, "--json"],
                          capture_output=True, text=True, env=lab.environ(), timeout=90)
    assert done.returncode == 0, done.stderr
    [message] = json.loads(done.stdout)["messages"]
    assert message["state"] == "delivered"
    assert [a["cause"] for a in message["attempts"]] == ["db-password-wrong", None]

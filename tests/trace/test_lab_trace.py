"""The trace on the lab's real chain: Postfix, maildrop, authdaemond and PostgreSQL.

Every line traced here was written by the real programs; the cause of a
deferral is joined from authdaemond's own lines, which carry no queue ID.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.installation import Installation
from tui.core.trace.query import parse_query
from tui.core.trace.trace import TracedRecipient, TraceReport, run_trace
from tui.core.trace.verdict import State
from tui.lab.lab import Lab
from tui.lab.postfix import LAB_SENDER

pytestmark = pytest.mark.lab

_QUEUE_ID = re.compile(r"postfix/pipe\[\d+\]: (?P<qid>[0-9A-Za-z]+): ")


def queue_id_of(pipe_line: str) -> str:
    match = _QUEUE_ID.search(pipe_line)
    assert match, pipe_line
    return match["qid"]


def trace(lab: Lab, query: str) -> TraceReport:
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    return run_trace(installation, parse_query(query))


def only(report: TraceReport, queue_id: str) -> TracedRecipient:
    found = [item for item in report.traced if item.message.queue_id == queue_id]
    assert len(found) == 1, [item.message.queue_id for item in report.traced]
    return found[0]


def test_a_delivered_message(mail_lab: Lab) -> None:
    queue_id = queue_id_of(mail_lab.send_and_wait("foo@domain.com"))
    mail_lab.wait_for_log(f"{queue_id}: removed")
    item = only(trace(mail_lab, queue_id), queue_id)
    assert item.verdict.state is State.DELIVERED
    assert item.recipient == "foo@domain.com"
    assert item.message.sender == LAB_SENDER
    assert item.message.received_by == "pickup"
    assert item.message.message_id
    assert [a.status for a in item.attempts] == ["sent"]
    # The same message found by its Message-ID.
    by_id = trace(mail_lab, item.message.message_id)
    assert [i.message.queue_id for i in by_id.traced] == [queue_id]
    # Nothing waits for it, so there is no "next retry" to tell: what new mail would do.
    by_address = trace(mail_lab, "foo@domain.com")
    assert by_address.now is not None
    assert by_address.now.sentence.endswith(": new mail to it would be delivered")


def test_a_wrong_password_deferral_then_the_fix_across_a_gz_rotation(
        break_lab: Callable[..., Lab]) -> None:
    lab = break_lab("db-password-wrong")
    start = lab.log_size()
    queue_id = queue_id_of(lab.send_and_wait("foo@domain.com"))
    lab.wait_for_log("password authentication failed", after=start)

    report = trace(lab, "foo@domain.com")
    item = only(report, queue_id)
    [attempt] = item.attempts
    assert attempt.status == "deferred"
    assert attempt.cause is DiagnosisId.DB_PASSWORD_WRONG
    assert any("password authentication failed" in line for line in attempt.evidence)
    assert item.verdict.state is State.WAITING
    assert item.verdict.how == "in the queue"
    assert item.verdict.next_retry is not None and item.verdict.next_retry > attempt.timestamp
    assert item.verdict.gives_up == pytest.approx(attempt.timestamp + 5 * 86400, abs=5)
    assert report.now is not None and report.now.outcome is not None
    assert "deferred again" in report.now.sentence

    # logrotate with `compress`: the deferral's lines now live in maillog.1.gz.
    rotated = lab.rotate_log()
    gz = rotated.with_name("maillog.1.gz")
    gz.write_bytes(gzip.compress(rotated.read_bytes()))
    rotated.unlink()
    try:
        lab.apply(frozenset())
        after = lab.log_size()
        lab.postfix.flush()
        lab.wait_for_log(f"{queue_id}: removed", after=after)
        item = only(trace(lab, queue_id), queue_id)
        assert [a.status for a in item.attempts] == ["deferred", "sent"]
        assert item.attempts[0].cause is DiagnosisId.DB_PASSWORD_WRONG
        assert item.verdict.state is State.DELIVERED
        assert item.attempts[1].delays["before_queue_manager"] > 0  # the time spent deferred
    finally:
        gz.unlink(missing_ok=True)


def test_a_bounce_is_lost_and_its_notice_is_followed(bounce_lab: Lab) -> None:
    mail_lab = bounce_lab
    start = mail_lab.log_size()
    queue_id = queue_id_of(mail_lab.send_and_wait("nosuch@domain.com"))
    notice_line = mail_lab.wait_for_log(f"{queue_id}: sender non-delivery notification", start)
    notice_id = notice_line.rsplit(" ", 1)[1]
    mail_lab.wait_for_log(f"{notice_id}: removed", start)
    report = trace(mail_lab, "nosuch@domain.com")
    item = only(report, queue_id)
    assert item.verdict.state is State.LOST
    assert item.verdict.how == "bounced"
    assert item.attempts[0].delivery.dsn == "5.1.1"
    assert item.attempts[0].cause is DiagnosisId.NOT_A_MAILBOX
    assert item.message.notice.queue_id == notice_id
    assert item.message.notice.fate == "delivered"
    assert report.now is not None and "bounce" in report.now.sentence


def test_the_history_begins_at_the_oldest_line(mail_lab: Lab) -> None:
    report = trace(mail_lab, "nobody-at-all@domain.com")
    assert not report.found
    assert report.history_begins is not None
    assert report.history_begins <= time.time()
    assert report.oldest_source is not None and Path(report.oldest_source).name.startswith(
        "maillog")

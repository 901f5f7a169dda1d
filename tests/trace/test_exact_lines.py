"""The trace on lines of Postfix's exact format, where the lab cannot write them.

Postfix 3.11's bounce order and `sender notification failed`, `tls=`, long queue
IDs, RFC 3339 stamps, a reused short queue ID, expiry and postsuper. The lines
are written to real files (plain and .gz) and read back through the same
readers as a host's logs.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.postfix.queue import QueueSnapshot, parse_postqueue_json
from tui.core.trace.history import HistoryStart, file_history, merged
from tui.core.trace.query import Query, QueryError, QueryKind, parse_query
from tui.core.trace.retry_clock import DAY, RetryRules, postfix_seconds
from tui.core.trace.story import attempts_story
from tui.core.trace.trace import TracedRecipient, trace_history
from tui.core.trace.verdict import State

RULES = RetryRules()
PASSWORD_WRONG = [
    "Dec 01 20:01:57 sandbox postfix/pickup[3810]: 061B421A1AB: uid=0 from=<tester@sender.test>",
    "Dec 01 20:01:57 sandbox postfix/cleanup[3843]: 061B421A1AB: "
    "message-id=<chain.1.2@sandbox.invalid>",
    "Dec 01 20:01:57 sandbox postfix/qmgr[3819]: 061B421A1AB: from=<tester@sender.test>, "
    "size=341, nrcpt=1 (queue active)",
    "Dec  1 20:01:57 sandbox authdaemond: ERR: PGSQL_CONNECTION could not be established",
    "Dec 01 20:01:57 sandbox postfix/pipe[3868]: 061B421A1AB: to=<foo@domain.com>, "
    "relay=vmaildrop, delay=0.03, delays=0/0/0/0.03, dsn=4.3.0, status=deferred (temporary "
    "failure. Command output: /usr/bin/maildrop: Temporary authentication failure. )",
    # After the pipe line, as the lab saw it: joined by time, not by order.
    'Dec  1 20:01:57 sandbox authdaemond: ERR: connection to server at "127.0.0.1", port 50287 '
    'failed: FATAL:  password authentication failed for user "postfix".',
]
DELIVERED_LATER = [
    "Dec 01 20:19:00 sandbox postfix/qmgr[3819]: 061B421A1AB: from=<tester@sender.test>, "
    "size=341, nrcpt=1 (queue active)",
    "Dec 01 20:19:00 sandbox postfix/pipe[3868]: 061B421A1AB: to=<foo@domain.com>, "
    "relay=vmaildrop, delay=1023, delays=1023/0/0/0.03, dsn=2.0.0, status=sent (delivered "
    "via vmaildrop service)",
    "Dec 01 20:19:00 sandbox postfix/qmgr[3819]: 061B421A1AB: removed",
]


def write(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def trace(query: str, *paths: Path, queue: QueueSnapshot | None = None,
          rules: RetryRules = RULES) -> list[TracedRecipient]:
    start = HistoryStart()
    streams = [file_history(path, lambda _p, _e: None) for path in paths]
    return trace_history(parse_query(query), merged(streams, start), queue=queue, rules=rules)


def test_a_deferral_names_the_wrong_password_from_authdaemonds_lines(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", PASSWORD_WRONG)
    [item] = trace("foo@domain.com", log)
    [attempt] = item.attempts
    assert attempt.cause is DiagnosisId.DB_PASSWORD_WRONG
    assert attempt.delivery.dsn == "4.3.0"
    assert attempt.delays == {"before_queue_manager": 0.0, "in_queue_manager": 0.0,
                              "connection": 0.0, "transmission": 0.03}
    assert any("password authentication failed" in line for line in attempt.evidence)
    assert item.message.message_id == "<chain.1.2@sandbox.invalid>"
    assert item.message.sender == "tester@sender.test"
    # Not in the queue listing, not removed: still waiting, judged from the log alone.
    assert item.verdict.state is State.WAITING


def test_the_retry_after_the_fix_is_delivered_and_both_attempts_are_told(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", PASSWORD_WRONG + DELIVERED_LATER)
    [item] = trace("061B421A1AB", log)
    assert [a.status for a in item.attempts] == ["deferred", "sent"]
    assert item.verdict.state is State.DELIVERED
    story = attempts_story(list(item.attempts))
    assert "deferred: the database password was wrong (authdaemond 20:01:57)" in story
    assert story.endswith("20:19 delivered after the fix")


def test_history_across_a_gz_rotation_is_one_message(tmp_path: Path) -> None:
    write(tmp_path / "maillog.1.gz", PASSWORD_WRONG)
    log = write(tmp_path / "maillog", DELIVERED_LATER)
    start = HistoryStart()
    lines = list(merged([file_history(log, lambda _p, _e: None)], start))
    assert lines[0].source.endswith("maillog.1.gz")
    assert start.oldest_source is not None and start.oldest_source.endswith("maillog.1.gz")
    [item] = trace("<chain.1.2@sandbox.invalid>", log)
    assert [a.status for a in item.attempts] == ["deferred", "sent"]


BOUNCE_OLD_ORDER = [
    "Dec 01 20:01:59 sandbox postfix/qmgr[3819]: 1483221A1B3: from=<tester@sender.test>, "
    "size=341, nrcpt=1 (queue active)",
    "Dec 01 20:01:59 sandbox postfix/pipe[3868]: 1483221A1B3: to=<nosuch@domain.com>, "
    "relay=vmaildrop, delay=0.06, delays=0/0/0/0.06, dsn=5.1.1, status=bounced (user unknown. "
    "Command output: Invalid user specified. )",
    "Dec 01 20:01:59 sandbox postfix/cleanup[3843]: 234A121A1B5: "
    "message-id=<20261201200159.234A121A1B5@sandbox.invalid>",
    "Dec 01 20:01:59 sandbox postfix/bounce[4294]: 1483221A1B3: sender non-delivery "
    "notification: 234A121A1B5",
    "Dec 01 20:01:59 sandbox postfix/qmgr[3819]: 234A121A1B5: from=<>, size=2233, nrcpt=1 "
    "(queue active)",
    "Dec 01 20:01:59 sandbox postfix/qmgr[3819]: 1483221A1B3: removed",
    "Dec 01 20:01:59 sandbox postfix/pipe[4295]: 234A121A1B5: to=<tester@sender.test>, "
    "relay=sink, delay=0.01, delays=0/0.01/0/0, dsn=2.0.0, status=sent (delivered via sink "
    "service)",
    "Dec 01 20:01:59 sandbox postfix/qmgr[3819]: 234A121A1B5: removed",
]


def test_a_bounce_is_lost_with_its_notice_and_the_notices_fate(tmp_path: Path) -> None:
    [item] = trace("nosuch@domain.com", write(tmp_path / "maillog", BOUNCE_OLD_ORDER))
    assert item.verdict.state is State.LOST
    assert item.verdict.how == "bounced"
    assert item.message.notice.queue_id == "234A121A1B5"
    assert item.message.notice.fate == "delivered"
    assert item.attempts[0].cause is DiagnosisId.NOT_A_MAILBOX
    # The sender sees both: its message and the notice that came back to it.
    mine = trace("tester@sender.test", write(tmp_path / "maillog", BOUNCE_OLD_ORDER))
    assert [m.message.queue_id for m in mine] == ["1483221A1B3", "234A121A1B5"]
    assert mine[1].message.notice_of == "1483221A1B3"


def test_postfix_3_11_order_long_ids_tls_and_rfc3339(tmp_path: Path) -> None:
    """3.11 logs the notice link before cleanup's line for it, and a failed notice."""
    lines = [
        "2026-12-01T20:01:59.120345+00:00 mx postfix/qmgr[3819]: 4Qm9Zs1bQYzJrK3: "
        "from=<tester@sender.test>, size=341, nrcpt=1 (queue active)",
        "2026-12-01T20:01:59.301234+00:00 mx postfix/smtp[3868]: 4Qm9Zs1bQYzJrK3: "
        "to=<far@remote.example>, orig_to=<alias@domain.com>, "
        "relay=mx.remote.example[192.0.2.1]:25, "
        "conn_use=2, delay=0.4, delays=0.01/0/0.2/0.19, tls=TLSv1.3 TLS_AES_256_GCM_SHA384, "
        "dsn=5.7.1, status=bounced (host mx.remote.example[192.0.2.1] said: 550 5.7.1 "
        "rejected (in reply to RCPT TO command))",
        "2026-12-01T20:01:59.402000+00:00 mx postfix/bounce[4294]: 4Qm9Zs1bQYzJrK3: sender "
        "non-delivery notification: 4Qm9Zs1cDFzJrK9",
        "2026-12-01T20:01:59.410000+00:00 mx postfix/cleanup[3843]: 4Qm9Zs1cDFzJrK9: "
        "message-id=<20261201200159.4Qm9Zs1cDFzJrK9@mx.example>",
        "2026-12-01T20:01:59.500000+00:00 mx postfix/bounce[4294]: 4Qm9Zs1bQYzJrK3: sender "
        "notification failed to <tester@sender.test>: queue file write error",
        "2026-12-01T20:01:59.600000+00:00 mx postfix/qmgr[3819]: 4Qm9Zs1bQYzJrK3: removed",
    ]
    [item] = trace("alias@domain.com", write(tmp_path / "maillog", lines))
    assert item.message.queue_id == "4Qm9Zs1bQYzJrK3"
    assert item.recipient == "far@remote.example"
    assert item.verdict.state is State.LOST
    notice = item.message.notice
    assert notice.queue_id == "4Qm9Zs1cDFzJrK9"
    assert notice.failed_to == "tester@sender.test"
    assert notice.failed_reason == "queue file write error"
    [attempt] = item.attempts
    assert attempt.delays["connection"] == 0.2
    assert attempt.timestamp == pytest.approx(1796155319.301234)
    [notice_item] = trace("4Qm9Zs1cDFzJrK9", write(tmp_path / "maillog", lines))
    assert notice_item.message.message_id == "<20261201200159.4Qm9Zs1cDFzJrK9@mx.example>"
    assert notice_item.message.notice_of == "4Qm9Zs1bQYzJrK3"


def test_a_reused_short_queue_id_is_two_messages(tmp_path: Path) -> None:
    """The second message has the first's ID; its Message-ID and time tell them apart, even
    where the first one's `removed` line is missing."""
    lines = [
        "Dec 01 09:00:00 mx postfix/pickup[1]: 6A53321A3F1: uid=0 from=<a@sender.test>",
        "Dec 01 09:00:00 mx postfix/cleanup[2]: 6A53321A3F1: message-id=<first@x>",
        "Dec 01 09:00:00 mx postfix/pipe[3]: 6A53321A3F1: to=<foo@domain.com>, relay=vmaildrop, "
        "delay=0.07, delays=0.03/0.01/0/0.03, dsn=2.0.0, status=sent (delivered via vmaildrop "
        "service)",
        "Dec 01 15:00:00 mx postfix/cleanup[2]: 6A53321A3F1: message-id=<second@x>",
        "Dec 01 15:00:00 mx postfix/qmgr[4]: 6A53321A3F1: from=<b@sender.test>, size=1, nrcpt=1 "
        "(queue active)",
        "Dec 01 15:00:01 mx postfix/pipe[3]: 6A53321A3F1: to=<foo@domain.com>, relay=vmaildrop, "
        "delay=1, delays=0/0/0/1, dsn=4.3.0, status=deferred (temporary failure. Command output: "
        "ERR: authdaemon: s_connect() failed: Connection refused /usr/bin/maildrop: Temporary "
        "authentication failure. )",
    ]
    items = trace("6A53321A3F1", write(tmp_path / "maillog", lines))
    assert [(i.message.message_id, i.verdict.state) for i in items] == [
        ("<first@x>", State.DELIVERED), ("<second@x>", State.WAITING)]
    assert items[1].attempts[0].cause is DiagnosisId.DAEMON_STOPPED


def test_expired_and_deleted_mail_is_lost(tmp_path: Path) -> None:
    lines = [
        "Dec 01 09:00:00 mx postfix/qmgr[4]: AAAAAA1111: from=<a@sender.test>, size=1, nrcpt=1 "
        "(queue active)",
        "Dec 01 09:00:00 mx postfix/pipe[3]: AAAAAA1111: to=<foo@domain.com>, relay=vmaildrop, "
        "delay=0.01, delays=0/0/0/0.01, dsn=4.3.0, status=deferred (temporary failure. Command "
        "output: /usr/bin/maildrop: Unable to change to home directory. )",
        "Dec 06 09:00:00 mx postfix/qmgr[4]: AAAAAA1111: from=<a@sender.test>, status=expired, "
        "returned to sender",
        "Dec 06 09:00:00 mx postfix/qmgr[4]: AAAAAA1111: removed",
        "Dec 01 10:00:00 mx postfix/qmgr[4]: BBBBBB2222: from=<a@sender.test>, size=1, nrcpt=1 "
        "(queue active)",
        "Dec 01 10:00:00 mx postfix/pipe[3]: BBBBBB2222: to=<foo@domain.com>, relay=vmaildrop, "
        "delay=0.01, delays=0/0/0/0.01, dsn=4.3.0, status=deferred (temporary failure. Command "
        "output: /usr/bin/maildrop: Temporary authentication failure. )",
        "Dec 01 11:00:00 mx postfix/postsuper[9]: BBBBBB2222: removed",
    ]
    items = trace("foo@domain.com", write(tmp_path / "maillog", sorted(lines)))
    found = {i.message.queue_id: i for i in items}
    assert found["AAAAAA1111"].verdict.how == "expired, returned to sender"
    assert found["AAAAAA1111"].attempts[0].cause is DiagnosisId.HOME_MISSING
    assert found["BBBBBB2222"].verdict.how == "deleted (postsuper -d)"
    assert all(i.verdict.state is State.LOST for i in items)
    # No authdaemond line near the tempfail: the cause stays unknown, and says so.
    assert found["BBBBBB2222"].attempts[0].cause is None


def test_waiting_mail_gets_its_next_retry_and_give_up_from_the_queue(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", PASSWORD_WRONG)
    [pipe_line] = [line for line in PASSWORD_WRONG if "postfix/pipe" in line]
    arrival = trace("foo@domain.com", log)[0].attempts[0].timestamp
    listing = ('{"queue_name": "deferred", "queue_id": "061B421A1AB", "arrival_time": '
               f'{int(arrival)}, "message_size": 341, "forced_expire": false, "sender": '
               '"tester@sender.test", "recipients": [{"address": "foo@domain.com", '
               '"delay_reason": "temporary failure."}]}')
    queue = QueueSnapshot(time.time(), tmp_path, parse_postqueue_json(listing))
    rules = RetryRules(maximal_queue_lifetime=2 * DAY)
    [item] = trace("foo@domain.com", log, queue=queue, rules=rules)
    assert pipe_line and item.verdict.state is State.WAITING
    assert item.verdict.gives_up == int(arrival) + 2 * DAY
    assert item.verdict.next_retry == pytest.approx(arrival + 300)  # minimal_backoff_time


def test_a_bounce_notice_gives_up_after_bounce_queue_lifetime() -> None:
    rules = RetryRules(maximal_queue_lifetime=5 * DAY, bounce_queue_lifetime=1 * DAY)
    assert rules.gives_up(1000.0, "") == 1000.0 + DAY
    assert rules.gives_up(1000.0, "a@b") == 1000.0 + 5 * DAY
    assert postfix_seconds("5d", "d") == 5 * DAY
    assert postfix_seconds("4000", "s") == 4000
    assert postfix_seconds("1w", "d") == 7 * DAY
    assert postfix_seconds("soon", "d") is None


def test_debug_login_passwords_never_reach_the_evidence(tmp_path: Path) -> None:
    lines = [
        "Dec 01 20:01:57 sandbox postfix/pipe[3868]: 061B421A1AB: to=<foo@domain.com>, "
        "relay=vmaildrop, delay=0.03, delays=0/0/0/0.03, dsn=4.3.0, status=deferred (temporary "
        "failure. Command output: /usr/bin/maildrop: Temporary authentication failure. )",
        "Dec  1 20:01:57 sandbox authdaemond: Authenticated: sysusername=<null>, sysuserid=21015, "
        "sysgroupid=1000, homedir=/home/bar, address=foo@domain.com, fullname=, maildir=Mail/, "
        "quota=<null>, options=<null>",
        "Dec  1 20:01:57 sandbox authdaemond: Authenticated: clearpasswd=Sup3rS3cret, "
        "passwd=$1$abc$hash",
        "Dec  1 20:01:57 sandbox authdaemond: ERR: PGSQL_CONNECTION could not be established",
    ]
    [item] = trace("foo@domain.com", write(tmp_path / "maillog", lines))
    text = " ".join(item.attempts[0].evidence)
    assert "PGSQL_CONNECTION" in text
    assert "Sup3rS3cret" not in text and "$1$abc$hash" not in text


@pytest.mark.parametrize(("text", "kind"), [
    ("foo@domain.com", QueryKind.ADDRESS),
    ("5CA13C0F12", QueryKind.QUEUE_ID),
    ("4Qm9Zs1bQYzJrK3", QueryKind.QUEUE_ID),
    ("<chain.1.2@sandbox.invalid>", QueryKind.MESSAGE_ID),
])
def test_the_query_kind(text: str, kind: QueryKind) -> None:
    assert parse_query(text) == Query(text, kind)


@pytest.mark.parametrize("text", ["", "   ", "foo@domain.com\r\nRCPT", "5CA1;rm", "5CA"])
def test_impossible_queries_are_refused(text: str) -> None:
    with pytest.raises(QueryError):
        parse_query(text)


def test_errors_before_an_authdaemond_restart_are_not_the_cause(tmp_path: Path) -> None:
    """The fix restarted authdaemond a second before the attempt: the old errors are stale."""
    lines = [
        'Dec  1 20:01:57 sandbox authdaemond: ERR: connection to server at "127.0.0.1", port 1 '
        'failed: FATAL:  password authentication failed for user "postfix".',
        'Dec  1 20:01:57 sandbox authdaemond: modules="authpgsql", daemons=2',
        "Dec 01 20:01:58 sandbox postfix/pipe[3868]: 1483221A1B3: to=<nosuch@domain.com>, "
        "relay=vmaildrop, delay=0.06, delays=0/0/0/0.06, dsn=5.1.1, status=bounced (user unknown. "
        "Command output: Invalid user specified. )",
    ]
    [item] = trace("nosuch@domain.com", write(tmp_path / "maillog", lines))
    assert item.attempts[0].cause is DiagnosisId.NOT_A_MAILBOX


def test_deferred_mail_gone_from_a_read_queue_is_not_waiting(tmp_path: Path) -> None:
    """Its last attempt was deferred and nothing logged its removal, but the queue was
    listed without it (a `postsuper -d` whose line never reached this log)."""
    log = write(tmp_path / "maillog", PASSWORD_WRONG)
    empty = QueueSnapshot(time.time(), tmp_path, parse_postqueue_json(""))
    assert empty.ok
    [item] = trace("foo@domain.com", log, queue=empty)
    assert item.verdict.state is State.UNKNOWN
    assert item.verdict.how == "no longer in the queue, and no line says where it went"
    [unread] = trace("foo@domain.com", log)  # no queue to look at: judged from the log
    assert unread.verdict.state is State.WAITING

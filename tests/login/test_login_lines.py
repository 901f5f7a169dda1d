"""Courier IMAP/POP3's login lines, with courier's exact strings, and the guessing count.

imapd's login code writes `INFO: LOGIN FAILED, user=%s, ip=[%s]` and, when authlib
fails temporarily, `perror("ERR: authentication error")`; courierlogger strips the
`INFO:`/`ERR:` prefix, so the mail log holds the lines below.
"""

from __future__ import annotations

from pathlib import Path

from tui.core.logs.file_source import FileFollower
from tui.core.logs.kind import Kind
from tui.core.logs.login_attempts import GUESSING_FAILURES, guessers
from tui.core.logs.login_line import LOGIN_TAGS, LoginEvent, LoginLine, parse_login_message


def test_a_refused_login_names_its_user_and_address() -> None:
    line = parse_login_message("LOGIN FAILED, user=satimis, ip=[::ffff:192.168.0.100]")
    assert line == LoginLine(LoginEvent.FAILED, "satimis", "192.168.0.100")
    # Before courierlogger takes the prefix away (a daemon run without it).
    prefixed = parse_login_message("INFO: LOGIN FAILED, user=a@b.example, ip=[2001:db8::1]")
    assert prefixed == LoginLine(LoginEvent.FAILED, "a@b.example", "2001:db8::1")


def test_a_login_and_a_temporary_failure() -> None:
    assert parse_login_message("LOGIN, user=foo@domain.com, ip=[::ffff:127.0.0.1], "
                               "port=[41234], protocol=IMAP") == LoginLine(
        LoginEvent.LOGGED_IN, "foo@domain.com", "127.0.0.1")
    tempfail = parse_login_message("authentication error: Input/output error")
    assert tempfail == LoginLine(LoginEvent.TEMPFAIL, error="Input/output error")
    assert parse_login_message("LOGOUT, ip=[::ffff:192.168.0.100], rcvd=100, sent=524") is None


def _failures(ip: str, count: int, start: float, step: float, users: int = 1):
    return [(start + i * step, LoginLine(LoginEvent.FAILED, f"user{i % users}", ip))
            for i in range(count)]


def test_many_failures_from_one_address_in_the_window_are_guessing() -> None:
    attempts = (_failures("203.0.113.9", 30, 1000.0, 5.0, users=7)
                + _failures("198.51.100.2", 3, 1000.0, 60.0))
    found = guessers(attempts)
    assert [g.ip for g in found] == ["203.0.113.9"]
    assert found[0].failures == 30 and len(found[0].users) == 7


def test_failures_spread_over_hours_are_not_guessing() -> None:
    # A client polling with a stale password: one failure every 10 minutes.
    assert guessers(_failures("192.0.2.7", GUESSING_FAILURES * 3, 0.0, 601.0)) == ()


def test_the_file_follower_reads_login_lines_as_logins(tmp_path: Path) -> None:
    log = tmp_path / "mail.log"
    log.write_text(
        "Mar  5 09:37:27 localhost imapd: LOGIN FAILED, user=sandra, ip=[::ffff:127.0.0.1]\n"
        "Mar  5 09:37:27 localhost imapd: authentication error: Input/output error\n"
        "Mar  5 09:37:28 localhost postfix/smtpd[12]: connect from unknown[192.0.2.1]\n"
    )
    follower = FileFollower(log, kinds={Kind.AUTH, Kind.DELIVERY, Kind.LOGIN},
                            login_tags=LOGIN_TAGS)
    entries = follower.backfill(100)
    assert [(e.kind, e.tag) for e in entries] == [(Kind.LOGIN, "imapd"), (Kind.LOGIN, "imapd")]
    refused, tempfail = entries
    # No record fits `LOGIN FAILED` as an authdaemond orphan fragment; the temporary failure
    # is the catalogue's login-tempfail.
    assert refused.signature is None or refused.signature.id != "orphan-fragment"
    assert tempfail.signature is not None and tempfail.signature.id == "login-tempfail"
    # Without the login programs installed, their lines are not followed.
    assert FileFollower(log, kinds={Kind.AUTH, Kind.DELIVERY}).backfill(100) == []


def test_rotated_and_compressed_logs_keep_the_login_lines(tmp_path: Path) -> None:
    """The past in mail.log.1 and mail.log.2.gz is read like the live file: a login program's
    line is a login (with its tag), not dropped before it is parsed."""
    import gzip

    log = tmp_path / "mail.log"
    log.write_text("")
    (tmp_path / "mail.log.1").write_text(
        "Dec  7 17:55:12 vm imapd: LOGIN FAILED, user=foo@domain.com, "
        "ip=[::ffff:127.0.0.1], port=[43102]\n")
    with gzip.open(tmp_path / "mail.log.2.gz", "wt") as older:
        older.write("Dec  7 17:55:11 vm pop3d: LOGIN, user=bar@domain.com, "
                    "ip=[::ffff:127.0.0.1], port=[51900]\n")
    follower = FileFollower(log, kinds={Kind.AUTH, Kind.DELIVERY, Kind.LOGIN},
                            login_tags=LOGIN_TAGS)
    entries = follower.backfill(100)
    assert [(e.kind, e.tag) for e in entries] == [(Kind.LOGIN, "pop3d"), (Kind.LOGIN, "imapd")]
    assert [parse_login_message(e.message) for e in entries] == [
        LoginLine(LoginEvent.LOGGED_IN, "bar@domain.com", "127.0.0.1"),
        LoginLine(LoginEvent.FAILED, "foo@domain.com", "127.0.0.1")]

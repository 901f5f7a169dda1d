"""Real authdaemond log messages (from the lab's maillog and domain.md §4.2) map to signatures."""

from __future__ import annotations

import pytest

from tui.core.findings import Severity
from tui.core.logs.signatures import SIGNATURES, classify, message_text

# (message as syslog shows it after `authdaemond: `, expected signature id)
CATALOGUE = [
    ("PGSQL_CONNECTION could not be established", "db-connect-failed"),
    (
        'connection to server at "127.0.0.1", port 53755 failed: FATAL:  password authentication '
        'failed for user "postfix".',
        "db-password-wrong",
    ),
    (
        'connection to server at "127.0.0.1", port 53755 failed: Connection refused..Is the server '
        "running on that host and accepting TCP/IP connections?.",
        "db-down",
    ),
    (
        'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file '
        "or directory..Is the server running locally and accepting connections on that socket?.",
        "db-down",
    ),
    (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "appldb" does '
        "not exist.",
        "db-connection-error",
    ),
    (
        "marker line not found in /etc/courier/authpgsqlrc (probably forgot to run sysconftool "
        "after an upgrade)",
        "marker-missing",
    ),
    (
        "marker line not found in /etc/courier/authpgsqlrc will try again later",
        "marker-missing-kept-old",
    ),
    ("PGSQL_CONNECTION not found in /etc/courier/authpgsqlrc", "pgsql-connection-missing"),
    ("PGSQL_USER_TABLE not found in /etc/courier/authpgsqlrc", "pgsql-required-key-missing"),
    ("PGSQL_CRYPT_PWFIELD not found in /etc/courier/authpgsqlrc", "pgsql-required-key-missing"),
    ("stat(/etc/courier/authpgsqlrc) failed", "config-file-missing"),
    ("Cannot open /etc/courier/authpgsqlrc", "config-file-unreadable"),
    ("Bad line in /etc/courier/authdaemonrc: garbage", "authdaemonrc-bad-line"),
    ("Configuration error - missing 'daemons' setting, using 1", "daemons-missing"),
    ("file not found", "module-not-found"),
    (
        "libauthpgsql.so: cannot open shared object file: No such file or directory",
        "module-not-found",
    ),
    ("Can't locate init function courier_authfoo_init.", "module-init-missing"),
    ("fork() failed", "resource-failure"),
    ("pipe() failed", "resource-failure"),
    ("malloc() failed", "resource-failure"),
    ("stopping authdaemond children", "children-stopping"),
    ("restarting authdaemond children", "children-restarting"),
    ('modules="authpgsql", daemons=2', "daemon-started"),
    ('modules="(none)", daemons=5', "daemon-started"),
    ("Installing libauthpgsql.so.0", "module-installing"),
    ("Installation complete: authpgsql", "module-installed"),
    ('Cannot set character set to "LATIN9X", using "UTF8"', "db-charset-failed"),
]


@pytest.mark.parametrize(("message", "expected"), CATALOGUE)
def test_catalogue_messages_are_classified(message: str, expected: str) -> None:
    signature = classify(message)
    assert signature is not None
    assert signature.id == expected


def test_severities_match_what_the_admin_must_act_on() -> None:
    by_id = {signature.id: signature for signature in SIGNATURES}
    for info in ("children-stopping", "children-restarting", "daemon-started"):
        assert by_id[info].severity is Severity.INFO
    for error in ("db-password-wrong", "db-down", "marker-missing", "module-not-found"):
        assert by_id[error].severity is Severity.ERROR


def test_ids_are_unique_and_every_signature_explains_itself() -> None:
    ids = [signature.id for signature in SIGNATURES]
    assert len(ids) == len(set(ids))
    assert all(signature.meaning.endswith(".") for signature in SIGNATURES)


def test_start_up_line_captures_modules_and_worker_count() -> None:
    signature = classify('modules="authpgsql", daemons=2')
    assert signature is not None
    match = signature.pattern.search('modules="authpgsql", daemons=2')
    assert match is not None
    assert (match["modules"], match["daemons"]) == ("authpgsql", "2")


def test_priority_prefix_of_a_daemon_run_without_courierlogger_is_ignored() -> None:
    signature = classify("ERR: PGSQL_CONNECTION could not be established")
    assert signature is not None and signature.id == "db-connect-failed"


def test_rsyslog_repeat_wrapper_is_unwrapped() -> None:
    wrapped = "message repeated 3 times: [ PGSQL_CONNECTION could not be established]"
    assert message_text(wrapped) == "PGSQL_CONNECTION could not be established"
    signature = classify(wrapped)
    assert signature is not None and signature.id == "db-connect-failed"


@pytest.mark.parametrize(
    "message",
    [
        # A looked-up address is attacker-controlled and shows up inside debug lines.
        "received userid lookup request: Cannot open /etc/courier/authpgsqlrc",
        "SQL query: SELECT 'PGSQL_CONNECTION could not be established'",
        "SING(domain) WHERE username = 'foo' AND fork() failed",  # a 511-byte-cut fragment
        "Authenticated: sysusername=<null>, sysuserid=21015, sysgroupid=1000",
        "",
    ],
)
def test_text_inside_other_messages_is_not_a_signature(message: str) -> None:
    assert classify(message) is None

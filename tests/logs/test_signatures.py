"""Real authdaemond log messages (the lab's maillog, upstream's exact wording) map to signatures."""

from __future__ import annotations

import pytest

from tui.core.findings import Severity
from tui.core.logs.catalogue.registry import ALL_SIGNATURES, SIGNATURES, SIGNATURES_BY_ID
from tui.core.logs.matcher.classify import classify, classify_command_output, classify_notable
from tui.core.logs.matcher.compiled import compiled
from tui.core.logs.matcher.entry import classify_entry
from tui.core.logs.matcher.orphan import looks_like_orphan_fragment
from tui.core.logs.matcher.text import message_text, priority_from_prefix

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
        "db-missing",
    ),
    (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  terminating connection '
        "due to administrator command.",
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
    match = compiled(signature).search('modules="authpgsql", daemons=2')
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


# -- wizard steps, short meanings, the client side, orphan fragments ---------------------------

WIZARD_STEPS_NAMED_IN_THE_BRIEF = {
    "daemon-not-running",
    "socket-missing",
    "socket-permission",
    "backlog-full",
    "db-credentials",
    "db-down",
    "authpgsqlrc-marker",
    "authpgsqlrc-old-keys",
    "authdaemonrc-bad-line",
    "module-missing",
    "workers-saturated",
    "not-a-mailbox",
    "debug-truncation",
}


# Info-level lines that still point at a cause: DEBUG_LOGIN's account of a not-found lookup.
INFO_WITH_A_CAUSE = {"lookup-zero-rows", "module-rejected", "all-modules-rejected",
                     "login-password-mismatch", "authtest-rejected"}


def test_every_problem_has_a_wizard_step_and_a_short_meaning() -> None:
    ids = [signature.id for signature in ALL_SIGNATURES]
    assert len(ids) == len(set(ids)) == len(SIGNATURES_BY_ID)
    for signature in ALL_SIGNATURES:
        assert signature.meaning.endswith("."), signature.id
        assert signature.short and len(signature.short) <= 72, signature.id
        if signature.severity is not Severity.INFO or signature.id in INFO_WITH_A_CAUSE:
            assert signature.wizard_step, f"{signature.id} has no wizard step"
        else:
            assert signature.wizard_step == "", signature.id
    steps = {signature.wizard_step for signature in ALL_SIGNATURES}
    assert steps >= WIZARD_STEPS_NAMED_IN_THE_BRIEF


@pytest.mark.parametrize(
    ("expected", "step"),
    [
        ("db-password-wrong", "db-credentials"),
        ("db-down", "db-down"),
        ("marker-missing", "authpgsqlrc-marker"),
        ("pgsql-connection-missing", "authpgsqlrc-old-keys"),
        ("authdaemonrc-bad-line", "authdaemonrc-bad-line"),
        ("module-not-found", "module-missing"),
    ],
)
def test_server_side_wizard_steps(expected: str, step: str) -> None:
    assert SIGNATURES_BY_ID[expected].wizard_step == step


def test_old_call_sites_still_build_a_signature_without_the_new_fields() -> None:
    from tui.core.logs.catalogue.record import Signature

    signature = Signature("x", "^x", Severity.INFO, "X.")
    assert (signature.wizard_step, signature.short) == ("", "")


# What maildrop prints to stderr, as Postfix flattens it into `Command output:`.
CLIENT_OUTPUTS = [
    (
        "ERR: authdaemon: s_connect() failed: Connection refused /usr/bin/maildrop: "
        "Temporary authentication failure. ",
        "s-connect-refused",
        "daemon-not-running",
    ),
    (
        "ERR: authdaemon: s_connect() failed: No such file or directory /usr/bin/maildrop: "
        "Temporary authentication failure. ",
        "s-connect-no-socket",
        "socket-missing",
    ),
    (
        "ERR: authdaemon: s_connect() failed: Permission denied /usr/bin/maildrop: "
        "Temporary authentication failure. ",
        "s-connect-denied",
        "socket-permission",
    ),
    (
        "ERR: authdaemon: s_connect() failed: Resource temporarily unavailable "
        "/usr/bin/maildrop: Temporary authentication failure. ",
        "s-connect-again",
        "backlog-full",
    ),
    (
        "ERR: authdaemon: s_connect() failed: Connection timed out ERR: [Hint: perhaps "
        "authdaemond is not running?] maildrop: Temporary authentication failure. ",
        "s-connect-failed",
        "daemon-not-running",
    ),
    ("CRIT: authdaemon: s_connect() failed", "s-connect-failed", "daemon-not-running"),
    (
        "/usr/bin/maildrop: Temporary authentication failure. ",
        "maildrop-tempfail",
        "temporary-failure",
    ),
    ("/usr/bin/maildrop: Invalid user specified. ", "maildrop-invalid-user", "not-a-mailbox"),
    ("maildrop: Invalid user specified.", "maildrop-invalid-user", "not-a-mailbox"),
]


@pytest.mark.parametrize(("output", "expected", "step"), CLIENT_OUTPUTS)
def test_client_side_command_output(output: str, expected: str, step: str) -> None:
    signature = classify_command_output(output)
    assert signature is not None
    assert (signature.id, signature.wizard_step) == (expected, step)


def pipe_message(command_output: str, delays: str = "0.06/0.01/0/0.02") -> str:
    return (
        f"5CA13C0F12: to=<x@y.com>, relay=vmaildrop, delay=0.09, delays={delays}, dsn=4.3.0, "
        f"status=deferred (temporary failure. Command output: {command_output})"
    )


def test_a_tempfail_after_30_seconds_is_a_saturated_pool() -> None:
    output = "/usr/bin/maildrop: Temporary authentication failure. "
    quick = classify_entry(pipe_message(output), "postfix/pipe")
    slow = classify_entry(pipe_message(output, "0.1/0/0/30"), "postfix/pipe")
    assert quick is not None and quick.id == "maildrop-tempfail"
    assert slow is not None and (slow.id, slow.wizard_step) == (
        "maildrop-tempfail-timeout",
        "workers-saturated",
    )


@pytest.mark.parametrize(
    "output",
    [
        # client text must start the command output: anything else may be a user's data
        "filter says: ERR: authdaemon: s_connect() failed: Connection refused",
        "Message delivered. Unable to open mailbox. ",
        "",
    ],
)
def test_client_text_elsewhere_in_the_output_is_not_a_signature(output: str) -> None:
    assert classify_command_output(output) is None


def test_password_authentication_failed_on_an_authdaemond_line() -> None:
    message = (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  password '
        'authentication failed for user "postfix".'
    )
    signature = classify_entry(message, "authdaemond", priority=3)
    assert signature is not None
    assert (signature.id, signature.wizard_step) == ("db-password-wrong", "db-credentials")


def test_client_text_in_an_authdaemond_line_is_not_a_client_signature() -> None:
    message = "received userid lookup request: ERR: authdaemon: s_connect() failed: x@y"
    assert classify_entry(message, "authdaemond", priority=7) is None
    assert classify_entry(message, "authdaemond") is None  # a known start, not a fragment


def test_only_authdaemond_and_pipe_tags_are_classified() -> None:
    assert classify_entry("fork() failed", "postfix/smtpd") is None
    signature = classify_entry("fork() failed", "courier-auth", auth_tags=("courier-auth",))
    assert signature is not None and signature.id == "resource-failure"


@pytest.mark.parametrize(
    ("message", "priority", "fragment"),
    [
        ("SING(domain) WHERE username = 'foo' AND fork() failed", 6, True),
        ("SING(domain) WHERE username = 'foo'", None, True),
        ("ername = 'foo@domain.com' AND enabled = 1", 6, True),
        (") AS home, 'Mail/' AS maildir", 6, True),
        ("SING(domain) WHERE username = 'foo'", 7, False),  # debug: not the info-level tail
        ("ERR: SING(domain) WHERE x", None, False),  # an error, whatever it says
        ("Authenticated: sysusername=<null>, sysuserid=21015, sysgroupid=1000", 6, False),
        ("received userid lookup request: foo@domain.com", 6, False),
        ('modules="authpgsql", daemons=2', 6, False),
        ("Some New Message Nobody Catalogued", 6, False),
    ],
)
def test_orphan_fragments(message: str, priority: int | None, fragment: bool) -> None:
    signature = classify_entry(message, "authdaemond", priority=priority)
    if fragment:
        assert signature is not None
        assert (signature.id, signature.wizard_step) == ("orphan-fragment", "debug-truncation")
    else:
        assert signature is None or signature.id != "orphan-fragment"


def test_an_uppercase_tail_is_a_fragment_only_after_a_cut_sql_query() -> None:
    tail = "DOMAINS USING BTREE"
    cut_query = "SQL query: SELECT " + "x" * 493  # 511 bytes: courierlogger's cut
    assert len(cut_query.encode()) == 511
    assert not looks_like_orphan_fragment(tail)
    assert not looks_like_orphan_fragment(tail, previous_message="SQL query: SELECT 1")
    assert looks_like_orphan_fragment(tail, previous_message=cut_query)
    signature = classify_entry(tail, "authdaemond", previous_message=cut_query)
    assert signature is not None and signature.id == "orphan-fragment"


@pytest.mark.parametrize(
    ("message", "priority"),
    [
        ("ERR: x", 3),
        ("WARN: x", 4),
        ("ALERT: x", 1),
        ("CRIT: x", 2),
        ("DEBUG: x", 7),
        ("INFO: x", 6),
        ("x", None),
        ("ERROR: x", None),
        ("x ERR: y", None),
    ],
)
def test_priority_from_prefix(message: str, priority: int | None) -> None:
    assert priority_from_prefix(message) == priority


@pytest.mark.parametrize(("message", "expected"), CATALOGUE)
def test_classify_notable_agrees_with_classify(message: str, expected: str | None) -> None:
    """The scan's fast path keeps exactly the warnings and errors classify() finds."""
    for text in (message, f"ERR: {message}", f"message repeated 2 times: [ {message}]"):
        full = classify(text)
        wanted = full if full is not None and full.severity is not Severity.INFO else None
        assert classify_notable(text) == wanted

"""The whole catalogue: every record's examples map to it, in every wrapper they are pasted in.

The example lines are the upstream programs' own format strings with values filled
in (authdaemond, authpgsql, libpq, maildrop); each record in tui/core/logs/catalogue/
holds its own.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from tui.core.explain.line import explain_line, identify, split_prefix
from tui.core.explain.remedies import PlatformFacts
from tui.core.findings import Severity
from tui.core.logs import catalogue
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.postfix_pipe import pipe_line
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.registry import (
    ALL_SIGNATURES,
    CLIENT_SIGNATURES,
    FAMILIES,
    PROGRAM_SIGNATURES,
    SIGNATURES,
    SIGNATURES_BY_ID,
)
from tui.core.logs.matcher.classify import (
    classify,
    classify_command_output,
    classify_program_line,
)
from tui.core.logs.matcher.compiled import compiled
from tui.core.logs.matcher.entry import classify_entry

FACTS = PlatformFacts.generic()
TIMEOUT_EXAMPLE = SIGNATURES_BY_ID["maildrop-tempfail-timeout"].examples[0]

EXAMPLES = [(signature.id, example) for signature in ALL_SIGNATURES
            for example in signature.examples]
SERVER_EXAMPLES = [(signature.id, example) for signature in SIGNATURES
                   for example in signature.examples]
CLIENT_EXAMPLES = [(signature.id, example) for signature in CLIENT_SIGNATURES
                   for example in signature.examples]


def test_every_record_has_an_example_line_a_meaning_a_severity_and_a_step() -> None:
    for signature in ALL_SIGNATURES:
        assert signature.examples and all(signature.examples), signature.id
        assert signature.meaning.endswith("."), signature.id
        assert isinstance(signature.severity, Severity), signature.id
        assert signature.wizard_step or signature.severity is Severity.INFO, signature.id


def test_every_family_module_is_registered_once_under_its_own_name() -> None:
    modules = [importlib.import_module(f"{catalogue.__name__}.{info.name}")
               for info in pkgutil.iter_modules(catalogue.__path__)]
    families = [module.FAMILY for module in modules if isinstance(getattr(module, "FAMILY", None),
                                                                  Family)]
    assert sorted(family.name for family in families) == sorted(f.name for f in FAMILIES)
    for module in modules:
        family = getattr(module, "FAMILY", None)
        if isinstance(family, Family):
            assert module.__name__.rsplit(".", 1)[1] == family.name
            assert family.signatures and family in FAMILIES


def _first_match(records: tuple[Signature, ...], text: str) -> list[str]:
    return [signature.id for signature in records if compiled(signature).search(text)]


@pytest.mark.parametrize(("expected", "message"), SERVER_EXAMPLES)
def test_server_examples_classify_to_their_signature(expected: str, message: str) -> None:
    signature = classify(message)
    assert signature is not None and signature.id == expected
    # its own pattern matches it, and no record before it in the channel does
    assert _first_match(SIGNATURES, message)[0] == expected


@pytest.mark.parametrize(("expected", "output"), CLIENT_EXAMPLES)
def test_client_examples_classify_to_their_signature(expected: str, output: str) -> None:
    signature = classify_command_output(output)
    assert signature is not None and signature.id == expected
    assert _first_match(CLIENT_SIGNATURES, output)[0] == expected
    through_postfix = classify_entry(pipe_line(output), "postfix/pipe")
    assert through_postfix is not None and through_postfix.id == expected


def test_context_examples_are_told_apart_by_their_context() -> None:
    families = {family.name: family for family in FAMILIES}
    assert {s.id for f in FAMILIES if f.channel is Channel.CONTEXT for s in f.signatures} == {
        "maildrop-tempfail-timeout", "orphan-fragment"}
    (timeout,) = families["postfix_pipe"].signatures
    for example in timeout.examples:
        found = classify_entry(example, "postfix/pipe")
        assert found is not None and found.id == timeout.id
    (orphan,) = families["courierlogger"].signatures
    for example in orphan.examples:
        assert classify(example) is None
        found = classify_entry(example, "authdaemond", priority=6)
        assert found is not None and found.id == orphan.id


def test_every_problem_has_a_cause_a_confirmation_and_a_fix() -> None:
    for signature in ALL_SIGNATURES:
        if signature.severity is Severity.INFO and not signature.wizard_step:
            continue
        remedy = signature.remedy
        assert remedy is not None, signature.id
        for text in (remedy.cause, remedy.confirm, remedy.fix):
            assert text and FACTS.fill(text), signature.id
        if remedy.apiscp_fix:
            assert FACTS.fill(remedy.apiscp_fix), signature.id


def test_severities_as_upstream_logs_them() -> None:
    # authdaemond logs the missing daemons= setting with an ERR: prefix.
    assert SIGNATURES_BY_ID["daemons-missing"].severity is Severity.ERROR
    # DEBUG_LOGIN's account of a not-found lookup is information, not a problem.
    for debug_info in ("lookup-zero-rows", "module-rejected", "all-modules-rejected"):
        assert SIGNATURES_BY_ID[debug_info].severity is Severity.INFO


def test_a_bounced_invalid_user_outranks_every_error() -> None:
    invalid_user = SIGNATURES_BY_ID["maildrop-invalid-user"]
    assert invalid_user.mail_lost
    assert invalid_user.rank > max(s.rank for s in ALL_SIGNATURES if not s.mail_lost)


# -- lines as admins paste them ------------------------------------------------------------------

WRAPPED = [
    # syslog with and without a pid, journald -o short / short-iso / short-precise, bare
    ("Nov 26 23:30:24 mail authdaemond: PGSQL_CONNECTION could not be established",
     "db-connect-failed"),
    ("Nov 26 23:30:24 mail authdaemond[1234]: ERR: PGSQL_CONNECTION could not be established",
     "db-connect-failed"),
    ("2026-11-26T23:30:24.123456+00:00 mail authdaemond: marker line not found in "
     "/etc/authlib/authpgsqlrc (probably forgot to run sysconftool after an upgrade)",
     "marker-missing"),
    ("Nov 26 23:30:24.123456 mail authdaemond[77]: /run/courier/authdaemon/socket: "
     "Read-only file system", "socket-create-failed"),
    ("authdaemond: /var/spool/authdaemon/socket: Permission denied", "socket-create-failed"),
    ("authdaemond[4321]: Configuration error - missing 'daemons' setting, using 1",
     "daemons-missing"),
    ("courierlogger: /etc/courier/authdaemonrc: No such file or directory",
     "authdaemonrc-unreadable"),
    ("Configuration error - missing 'daemons' setting, using 1", "daemons-missing"),
    ("Nov 26 23:30:24 mail authdaemond: message repeated 4 times: [ PGSQL_CONNECTION could not "
     "be established]", "db-connect-failed"),
    # libpq 13 and older: no "connection to server at" prefix, tab and newline as dots
    ('Nov 26 23:30:24 mail authdaemond: could not connect to server: Connection refused..Is the '
     'server running on host "localhost" (127.0.0.1) and accepting..TCP/IP connections on port '
     "5432?.", "db-down"),
    ('Nov 26 23:30:24 mail authdaemond: FATAL:  password authentication failed for user '
     '"postfix".', "db-password-wrong"),
    # Postfix pipe lines, whole and in pieces
    ("Nov 26 23:31:02 mail postfix/pipe[9915]: " + pipe_line(
        "ERR: authdaemon: s_connect() failed: Connection refused /usr/bin/maildrop: Temporary "
        "authentication failure. "), "s-connect-refused"),
    ("Nov 26 23:31:02 mail postfix-in/pipe[9915]: " + pipe_line(
        "Invalid user specified. ", status="bounced"), "maildrop-invalid-user"),
    ("status=deferred (temporary failure. Command output: maildrop: signal 0x09 )",
     "maildrop-killed"),
    ("Command output: ERR: authdaemon: s_connect() failed: Permission denied "
     "/usr/bin/maildrop: Temporary authentication failure.", "s-connect-denied"),
    ("maildrop: Temporary authentication failure.", "maildrop-tempfail"),
    ("Nov 26 23:31:02 mail imapd: authdaemon: s_connect() failed: No such file or directory",
     "s-connect-no-socket"),
    (TIMEOUT_EXAMPLE, "maildrop-tempfail-timeout"),
    # Postfix before 2.3 logged no delays= and dsn=; pipe's own words before the output
    ("Jun  3 10:13:44 mail postfix/pipe[4321]: 8E1F3A2B: to=<joe@example.org>, relay=maildrop, "
     "delay=0.1, status=deferred (temporary failure. Command output: maildrop: Unable to create "
     "a dot-lock at /var/mail/joe.1234.mail. )", "maildrop-mailbox-failed"),
    ('Jun  3 10:17:00 mail postfix/pipe[55]: 1234: to=<x@y.z>, relay=maildrop, delay=1, '
     'delays=1/0/0/0, dsn=5.3.0, status=bounced (Command died with status 1: "/usr/bin/maildrop". '
     "Command output: /home/vmail/y.z/x: No such file or directory )",
     "maildrop-home-create-failed"),
    # the client library's lines in other programs' logs, and under a mistaken tag
    ("Jun  3 10:15:00 mail pop3d: [Hint: perhaps authdaemond is not running?]", "s-connect-hint"),
    ("2024-06-03T10:14:00.123+02:00 mail authdaemond[811]: ERR: authdaemon: s_connect() failed: "
     "Connection refused", "s-connect-refused"),
    ("Jun  3 10:12:01 mail authdaemond: failed to connect to mysql server (server=localhost, "
     "userid=courier): Can't connect to local MySQL server through socket "
     "'/var/run/mysqld/mysqld.sock' (2)", "other-module-connect-failed"),
    ("Jun  3 10:16:00 mail authdaemond: libauthldap.so.0: cannot open shared object file: No "
     "such file or directory", "module-not-found"),
]


@pytest.mark.parametrize(("line", "expected"), WRAPPED)
def test_lines_as_pasted_are_explained(line: str, expected: str) -> None:
    explanation = explain_line(line, FACTS)
    assert explanation is not None, line
    assert explanation.signature.id == expected
    assert explanation.cause and explanation.fix


def test_a_bounce_is_mail_lost_whatever_maildrop_said() -> None:
    deferred = explain_line(pipe_line("maildrop: maildir over quota. "), FACTS)
    bounced = explain_line(pipe_line("maildrop: maildir over quota. ", status="bounced"), FACTS)
    assert deferred is not None and not deferred.mail_lost
    assert bounced is not None and bounced.mail_lost and bounced.severity_label == "MAIL LOST"


def test_an_authdaemond_line_never_gets_a_client_meaning() -> None:
    # maildrop's perror(homedir) and authdaemond's perror(socket) look alike.
    line = "Nov 26 23:30:24 mail authdaemond: /srv/mail/home: Permission denied"
    assert identify(line)[0] is None
    client = identify("/srv/mail/home: Permission denied")[0]
    assert client is not None and client.id == "maildrop-home-create-failed"


@pytest.mark.parametrize(("line", "tag", "message"), [
    ("Nov 26 23:30:24 mail authdaemond: x", "authdaemond", "x"),
    ("Nov 26 23:30:24 authdaemond: x", "authdaemond", "x"),
    ("Nov 26 23:30:24 mail authdaemond: /run/courier/authdaemon/socket: Permission denied",
     "authdaemond", "/run/courier/authdaemon/socket: Permission denied"),
    ("authdaemond[12]: x", "authdaemond", "x"),
    ("marker line not found in /x: y", "", "marker line not found in /x: y"),
])
def test_split_prefix(line: str, tag: str, message: str) -> None:
    assert split_prefix(line) == (tag, message)


@pytest.mark.parametrize("line", [
    "Nov 26 23:30:24 mail postfix/smtpd[1]: connect from unknown[10.0.0.1]",
    "Nov 26 23:30:24 mail authdaemond: received userid lookup request: "
    "ERR: authdaemon: s_connect() failed: x@y",
    "",
    "\x1b]0;owned\x07",
])
def test_unknown_lines_are_not_explained(line: str) -> None:
    assert explain_line(line, FACTS) is None


# -- the records' sources ---------------------------------------------------------------------

PROGRAM_EXAMPLES = [(signature.id, example) for signature in PROGRAM_SIGNATURES
                    for example in signature.examples]
# printf conversions, perror()'s wrapper (or all of it, when it prints a variable), shell
# variables and the priority prefix courierlogger strips
_NOT_LITERAL = re.compile(r'%[-#\d.]*l?[sdux]|perror\("|"\)|perror\([^"]*?\)|\$\{\w+\}|\\|@\w+@')
_PRIORITY = re.compile(r"^(?:ERR|WARN|INFO|DEBUG|CRIT|ALERT):\s*")


def _literal_pieces(text: str) -> list[str]:
    pieces = (_PRIORITY.sub("", piece.strip()).strip(" ,.:") for piece in _NOT_LITERAL.split(text))
    return [piece for piece in pieces if len(piece) >= 4]


def test_every_record_names_its_source_file_and_string() -> None:
    for signature in ALL_SIGNATURES:
        assert signature.sources, f"{signature.id} names no upstream source"
        for source in signature.sources:
            assert source.file and source.format.strip(), signature.id
            assert source.program.name and source.program.versions, signature.id


@pytest.mark.parametrize("signature", [s for s in ALL_SIGNATURES if s.id != "orphan-fragment"],
                         ids=lambda signature: signature.id)
def test_the_examples_are_the_source_strings_filled_in(signature: Signature) -> None:
    """Some source string's literal text is in some example: no wording made up."""
    pieces = [piece for source in signature.sources for piece in _literal_pieces(source.format)]
    if not pieces:  # the string is all conversion (`perror(path)`, libltdl's own text)
        return
    assert any(piece in example for piece in pieces for example in signature.examples), (
        signature.id, pieces)


@pytest.mark.parametrize(("expected", "message"), PROGRAM_EXAMPLES)
def test_other_programs_examples_classify_to_their_signature(expected: str, message: str) -> None:
    signature = classify_program_line(message)
    assert signature is not None and signature.id == expected
    assert _first_match(PROGRAM_SIGNATURES, message)[0] == expected
    assert classify(message) is None  # never taken for one of authdaemond's own lines

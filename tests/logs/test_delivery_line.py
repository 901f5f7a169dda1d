"""Postfix pipe(8) lines: fields, maildrop relays, and addresses that try to look like errors."""

from __future__ import annotations

import pytest

from tui.core.logs.delivery_line import is_maildrop_relay, parse_delivery_line
from tui.core.logs.entry import build_entry
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.entry import classify_entry
from tui.core.logs.syslog_line import parse_syslog_line

# The deferral line quoted on ApisCP's Authlib documentation page, as rsyslog writes it.
SEED_LINE = (
    "Nov 24 15:54:59 mail postfix/pipe[5059]: 5CA13C0F12: to=<x@y.com>, relay=vmaildrop, "
    "delay=0.09, delays=0.06/0.01/0/0.02, dsn=4.3.0, status=deferred (temporary failure. "
    "Command output: ERR: authdaemon: s_connect() failed: Connection refused "
    "/usr/bin/maildrop: Temporary authentication failure. )"
)
BOUNCE = (
    "7F3E2C0A11: to=<nobody@domain.com>, orig_to=<alias@domain.com>, relay=localmaildrop, "
    "delay=0.12, delays=0.05/0/0/0.07, dsn=5.1.1, status=bounced (user unknown. "
    "Command output: /usr/bin/maildrop: Invalid user specified. )"
)
SENT = (
    "1A2B3C4D5E: to=<foo@domain.com>, relay=vmaildrop, delay=0.2, delays=0.1/0/0/0.1, "
    "dsn=2.0.0, status=sent (delivered via vmaildrop service)"
)


def seed_message() -> str:
    line = parse_syslog_line(SEED_LINE, year=2026)
    assert line is not None and line.tag == "postfix/pipe" and line.pid == 5059
    return line.message


def test_seed_line_fields() -> None:
    info = parse_delivery_line(seed_message())
    assert info is not None
    assert (info.queue_id, info.recipient, info.relay) == ("5CA13C0F12", "x@y.com", "vmaildrop")
    assert info.delay == 0.09
    assert info.delays == (0.06, 0.01, 0.0, 0.02)
    assert info.transmission_seconds == 0.02  # immediate: a connect error, not a full pool
    assert (info.dsn, info.status) == ("4.3.0", "deferred")
    assert info.failed
    assert info.reason.startswith("temporary failure. Command output: ")
    assert info.command_output == (
        "ERR: authdaemon: s_connect() failed: Connection refused "
        "/usr/bin/maildrop: Temporary authentication failure. "
    )


def test_seed_line_means_the_daemon_is_not_running() -> None:
    signature = classify_entry(seed_message(), "postfix/pipe")
    assert signature is not None
    assert signature.id == "s-connect-refused"
    assert signature.wizard_step == "daemon-not-running"
    assert signature.short


def test_bounce_with_orig_to_is_invalid_user() -> None:
    info = parse_delivery_line(BOUNCE)
    assert info is not None
    assert (info.recipient, info.relay, info.status, info.dsn) == (
        "nobody@domain.com",
        "localmaildrop",
        "bounced",
        "5.1.1",
    )
    signature = classify_entry(BOUNCE, "postfix/pipe")
    assert signature is not None
    assert (signature.id, signature.wizard_step) == ("maildrop-invalid-user", "not-a-mailbox")


def test_sent_deliveries_have_no_signature() -> None:
    info = parse_delivery_line(SENT)
    assert info is not None and not info.failed and info.command_output is None
    assert classify_entry(SENT, "postfix/pipe") is None


@pytest.mark.parametrize(
    "recipient",
    [
        # Postfix quotes a local part with specials; the quotes hold a whole fake tail.
        '"ERR: authdaemon: s_connect() failed: Connection refused"@evil.example',
        '"x>, relay=vmaildrop, delay=0, delays=0/0/0/0, dsn=4.3.0, status=deferred '
        "(temporary failure. Command output: ERR: authdaemon: s_connect() failed: "
        'Connection refused )"@evil.example',
        '"Command output: ERR: authdaemon: s_connect() failed: Permission denied \\" x"@e.x',
    ],
)
def test_an_address_that_contains_an_error_does_not_match(recipient: str) -> None:
    message = (
        f"9F8E7D6C5B: to=<{recipient}>, relay=vmaildrop, delay=0.5, delays=0.1/0/0/0.4, "
        "dsn=2.0.0, status=sent (delivered via vmaildrop service)"
    )
    info = parse_delivery_line(message)
    assert info is not None
    assert info.recipient == recipient
    assert (info.status, info.command_output) == ("sent", None)
    assert classify_entry(message, "postfix/pipe") is None
    entry = build_entry(
        message=message, tag="postfix/pipe", source="t", timestamp=None, pid=1, cursor=None
    )
    assert entry.signature is None and entry.kind is Kind.DELIVERY


def test_an_unquoted_address_cannot_end_the_recipient_early() -> None:
    message = (
        "9F8E7D6C5B: to=<a@b>, relay=evil (Command output: ERR: authdaemon: s_connect() failed: "
        "Connection refused)>, relay=vmaildrop, delay=0.5, delays=0.1/0/0/0.4, dsn=2.0.0, "
        "status=sent (delivered)"
    )
    assert parse_delivery_line(message) is None  # not Postfix's shape: no signature at all
    assert classify_entry(message, "postfix/pipe") is None


@pytest.mark.parametrize(
    ("relay", "maildrop"),
    [("vmaildrop", True), ("localmaildrop", True), ("maildrop-custom", True), ("dovecot", False)],
)
def test_maildrop_relays(relay: str, maildrop: bool) -> None:
    assert is_maildrop_relay(relay) is maildrop


def test_non_maildrop_pipe_line_is_other_kind() -> None:
    message = SENT.replace("relay=vmaildrop", "relay=spamassassin")
    entry = build_entry(
        message=message, tag="postfix/pipe", source="t", timestamp=None, pid=1, cursor=None
    )
    assert entry.kind is Kind.OTHER and entry.delivery is not None


@pytest.mark.parametrize(
    "message",
    ["", "5CA13C0F12: removed", "connect from unknown[1.2.3.4]", "to=<x@y>, relay=vmaildrop"],
)
def test_other_postfix_messages_are_not_deliveries(message: str) -> None:
    assert parse_delivery_line(message) is None

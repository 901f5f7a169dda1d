"""Replies: found / FAIL / tempfail, typed fields, and passwords that never print."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.reply import parse_reply

# Measured from the real daemon with ApisCP's SELECT.
APISCP_REPLY = (
    b"UID=21015\nGID=1000\nHOME=/home/bar/\nADDRESS=bar@domain.com\nNAME=\nMAILDIR=Mail/\n.\n"
)


def test_apiscp_reply_is_found_with_typed_fields() -> None:
    reply = parse_reply(APISCP_REPLY)
    assert reply.outcome is Outcome.FOUND
    account = reply.account
    assert account is not None
    assert (account.uid, account.gid, account.home) == (21015, 1000, "/home/bar/")
    assert account.address == "bar@domain.com"
    assert account.maildir == "Mail/"
    assert account.name == ""
    assert account.quota is None and account.crypted_password is None


def test_fail_is_not_found() -> None:
    assert parse_reply(b"FAIL\n").outcome is Outcome.NOT_FOUND


def test_empty_and_truncated_replies_are_tempfail() -> None:
    assert parse_reply(b"").outcome is Outcome.TEMPFAIL
    truncated = parse_reply(b"UID=21015\nGID=1000\n")
    assert truncated.outcome is Outcome.TEMPFAIL
    assert "closing" in truncated.note


def test_passwords_never_appear_in_repr_or_str() -> None:
    reply = parse_reply(b"UID=1\nGID=2\nHOME=/h\nPASSWD=$1$salt$hash\nPASSWD2=Sup3rSecret\n.\n")
    assert reply.account is not None
    assert reply.account.clear_password is not None
    assert reply.account.clear_password.reveal() == "Sup3rSecret"
    for text in (repr(reply), str(reply), repr(reply.account), f"{reply.account.clear_password}"):
        assert "Sup3rSecret" not in text
        assert "$1$salt$hash" not in text


def test_unknown_keys_are_kept_and_the_last_occurrence_wins() -> None:
    """libcourierauth assigns each line as it walks the reply, so the last value stays."""
    reply = parse_reply(b"UID=1\nUID=2\nGID=3\nHOME=/h\nFUTURE=x\nFUTURE=y\n.\n")
    assert reply.account is not None
    assert reply.account.uid == 2
    assert dict(reply.account.extra) == {"FUTURE": "y"}


def _reply_of(size: int) -> bytes:
    head = b"UID=1\nGID=2\nHOME=/h/\nMAILDIR="
    return head + b"x" * (size - len(head) - len(b"\n.\n")) + b"\n.\n"


def test_the_client_reads_8191_bytes_and_needs_the_dot_line_within_them() -> None:
    assert parse_reply(_reply_of(8191)).outcome is Outcome.FOUND
    assert parse_reply(_reply_of(8192)).outcome is Outcome.FOUND  # only the last \n is cut
    too_long = parse_reply(_reply_of(8193))
    assert too_long.outcome is Outcome.TEMPFAIL
    assert "over 8191 bytes (8193 read)" in too_long.note
    assert parse_reply(_reply_of(20000)).outcome is Outcome.TEMPFAIL


def test_the_first_dot_or_fail_line_decides() -> None:
    assert parse_reply(b"UID=1\n.\nUID=2\n").account.uid == 1  # type: ignore[union-attr]
    assert parse_reply(b"UID=1\nFAIL\n").outcome is Outcome.NOT_FOUND
    assert parse_reply(b"UID=1\x00\n.\n").outcome is Outcome.TEMPFAIL  # a C string ends at NUL


@given(st.binary(max_size=2000))
def test_any_bytes_parse_to_an_outcome_without_raising(data: bytes) -> None:
    reply = parse_reply(data)
    assert reply.outcome in (Outcome.FOUND, Outcome.NOT_FOUND, Outcome.TEMPFAIL)
    assert (reply.account is not None) == (reply.outcome is Outcome.FOUND)


@given(
    st.text(
        alphabet=st.characters(exclude_characters="\n\x00", exclude_categories=["Cs"]),
        min_size=1,
        max_size=60,
    )
)
def test_secret_values_of_any_shape_stay_hidden(secret: str) -> None:
    """Any value PostgreSQL can hold (text never holds NUL) and a line can carry."""
    data = b"UID=1\nGID=1\nHOME=/h\nPASSWD2=" + secret.encode() + b"\n.\n"
    reply = parse_reply(data)
    assert reply.account is not None and reply.account.clear_password is not None
    assert reply.account.clear_password.reveal() == secret.encode().decode("utf-8", "replace")
    assert "PASSWD2" not in repr(reply.account.extra)

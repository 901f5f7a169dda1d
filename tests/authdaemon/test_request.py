"""Requests: what is sent, and what is refused before anything is sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core.authdaemon.request import (
    MAX_ADDRESS_BYTES,
    RefusedInput,
    address_problem,
    auth_request,
    pre_request,
)


def test_pre_request_is_what_maildrop_sends() -> None:
    assert pre_request("foo@domain.com") == b"PRE . login foo@domain.com\n"
    assert pre_request("foo@domain.com", "imap") == b"PRE . imap foo@domain.com\n"


def test_auth_request_counts_the_payload_bytes() -> None:
    request = auth_request("foo@domain.com", "pass word")
    header, _, payload = request.partition(b"\n")
    assert header == b"AUTH " + str(len(payload)).encode()
    assert payload == b"login\nlogin\nfoo@domain.com\npass word\n"


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("foo@domain.com\nPRE . login bar@domain.com", "whitespace"),
        ("foo@domain.com\r", "whitespace"),
        ("foo bar@domain.com", "whitespace"),
        ("foo\tbar@domain.com", "whitespace"),
        ("TCPREMOTEIP=1.2.3.4", "'='"),
        ("foo\x00@domain.com", "control"),
        ("foo\x1b]0;pwned\x07@domain.com", "control"),
        ("foo\u202e@domain.com", "control"),  # bidi override
        ("", "empty"),
        ("a" * (MAX_ADDRESS_BYTES + 1), "bytes"),
    ],
)
def test_dangerous_addresses_are_refused_with_a_reason(address: str, needle: str) -> None:
    problem = address_problem(address)
    assert problem is not None
    assert needle in problem.message
    with pytest.raises(RefusedInput):
        pre_request(address)


def test_password_with_newline_is_refused() -> None:
    with pytest.raises(RefusedInput, match="newline"):
        auth_request("foo@domain.com", "a\nb")


@given(st.text(max_size=200))
def test_a_sent_request_is_always_exactly_one_command_line(address: str) -> None:
    """Whatever the input, either it is refused or the request is one line of three fields."""
    try:
        request = pre_request(address)
    except RefusedInput:
        return
    assert request.count(b"\n") == 1 and request.endswith(b"\n")
    command, module, service, sent = request[:-1].decode().split(" ")
    assert (command, module, service, sent) == ("PRE", ".", "login", address)
    assert "=" not in sent

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
        ("foo@domain.com\nPRE . login bar@domain.com", "line feed"),
        ("foo@domain.com\r", "carriage return"),
        ("foo\x00@domain.com", "NUL"),
        ("", "empty"),
        ("a" * (MAX_ADDRESS_BYTES + 1), "bytes"),
        ("foo\ud800@domain.com", "UTF-8"),
    ],
)
def test_what_breaks_the_request_line_is_refused_with_a_reason(address: str, needle: str) -> None:
    problem = address_problem(address)
    assert problem is not None
    assert needle in problem.message
    with pytest.raises(RefusedInput):
        pre_request(address)


@pytest.mark.parametrize(
    "address",
    [
        "a=b@domain.com",
        "SRS0=HHH=TT=example.org=user@domain.com",
        "bounce+user=example.org@domain.com",
        "TCPREMOTEIP=1.2.3.4",
        "foo bar@domain.com",
        "foo\tbar@domain.com",
        "foo\x1b]0;title\x07@domain.com",
    ],
)
def test_addresses_the_real_clients_send_are_sent_unchanged(address: str) -> None:
    """`=` and spaces come after `PRE`'s own space, so the daemon reads them as the address."""
    assert address_problem(address) is None
    assert pre_request(address) == f"PRE . login {address}\n".encode()


@pytest.mark.parametrize("service", ["log in", "imap\n", ""])
def test_a_service_that_would_shift_the_fields_is_refused(service: str) -> None:
    with pytest.raises(RefusedInput):
        pre_request("foo@domain.com", service)


def test_password_with_newline_is_refused() -> None:
    with pytest.raises(RefusedInput, match="newline"):
        auth_request("foo@domain.com", "a\nb")


@given(st.text(max_size=200))
def test_a_sent_request_is_always_exactly_one_command_line(address: str) -> None:
    """Whatever the input, either it is refused or the request is one line carrying it whole."""
    try:
        request = pre_request(address)
    except RefusedInput:
        assert any(char in address for char in "\r\n\0") or not address
        return
    assert request.count(b"\n") == 1 and request.endswith(b"\n")
    assert b"\r" not in request and b"\0" not in request
    assert request == b"PRE . login " + address.encode() + b"\n"

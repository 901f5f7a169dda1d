"""Every lookup outcome, against the real authdaemond and PostgreSQL of the lab."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import run_as_nobody
from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.socket_state import SocketState, find_listener, socket_state
from tui.lab.faults import FAULTS
from tui.lab.lab import Lab
from tui.lab.seed import EQUALS_MAILBOXES, LAB_MAILBOX_PASSWORD, ODD_DOMAIN


@pytest.mark.parametrize("address", ["foo@domain.com", "baz@domain.com"])
def test_seed_mailboxes_resolve_to_bar(healthy_lab: Lab, address: str) -> None:
    result = healthy_lab.client().lookup(address)
    assert result.outcome is Outcome.FOUND
    account = result.account
    assert account is not None
    assert (account.uid, account.gid) == (21015, 1000)
    assert account.home == "/home/bar/"
    assert account.address == "bar@domain.com"
    assert account.maildir == "Mail/"
    assert result.latency_ms > 0


@pytest.mark.parametrize(
    "address", ["postmaster@domain.com", "off@domain.com", "nobody@nowhere.example"]
)
def test_alias_disabled_and_unknown_are_fail(healthy_lab: Lab, address: str) -> None:
    assert healthy_lab.client().lookup(address).outcome is Outcome.NOT_FOUND


def test_catch_all_resolves_to_its_mailbox(healthy_lab: Lab) -> None:
    result = healthy_lab.client().lookup("anything@catchall.example")
    assert result.outcome is Outcome.FOUND
    assert result.account is not None and result.account.maildir == "Mail/.Catchall"


def test_newline_in_address_cannot_inject_a_second_command(healthy_lab: Lab) -> None:
    """Even a raw socket write with two commands only runs the first."""
    import socket

    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(str(healthy_lab.socket_path))
        raw.sendall(b"PRE . login nobody@nowhere.example\nPRE . login foo@domain.com\n")
        reply = raw.recv(4096)
    assert reply == b"FAIL\n"


@pytest.mark.parametrize(
    "fault",
    ["daemon-stopped", "socket-missing", "db-password-wrong", "db-down", "marker-missing",
     "old-style-keys", "select-permission-denied"],
)
def test_each_fault_gives_its_outcome(break_lab, fault: str) -> None:
    lab = break_lab(fault)
    result = lab.client(read_timeout=10).lookup("foo@domain.com")
    assert result.outcome is FAULTS[fault].lookup_outcome
    assert result.outcome is not Outcome.FOUND


def test_daemon_stopped_leaves_a_stale_socket(break_lab) -> None:
    lab = break_lab("daemon-stopped")
    assert lab.socket_path.exists()
    assert socket_state(lab.socket_path) is SocketState.STALE
    assert lab.daemon_pids() == []


def test_socket_missing_is_missing(break_lab) -> None:
    lab = break_lab("socket-missing")
    assert socket_state(lab.socket_path) is SocketState.MISSING


def test_healthy_socket_is_listening_with_queue_numbers(healthy_lab: Lab) -> None:
    assert socket_state(healthy_lab.socket_path) is SocketState.LISTENING
    listener = find_listener(healthy_lab.socket_path)
    assert listener is not None
    assert listener.bound_name.endswith("/socket.tmp")  # bound, then renamed to `socket`
    assert listener.backlog > 0 and listener.queued == 0


def test_socket_permission_denies_nobody_but_not_root(break_lab) -> None:
    lab = break_lab("socket-permission")
    path = str(lab.socket_path)
    as_nobody = run_as_nobody(lambda: AuthdaemonClient(path).lookup("foo@domain.com").outcome)
    assert as_nobody is Outcome.CONNECT_DENIED
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.FOUND


def test_healthy_socket_is_reachable_by_nobody(healthy_lab: Lab) -> None:
    path = str(healthy_lab.socket_path)
    outcome = run_as_nobody(lambda: AuthdaemonClient(path).lookup("foo@domain.com").outcome)
    assert outcome is Outcome.FOUND


def test_saturated_workers_queue_then_time_out(break_lab) -> None:
    """Two workers, a 3 s query: two lookups are served, the queued one times out."""
    lab = break_lab("workers-saturated")

    def lookup(_: int) -> Outcome:
        return lab.client(read_timeout=4.5).lookup("foo@domain.com").outcome

    with ThreadPoolExecutor(max_workers=3) as pool:
        started = time.monotonic()
        outcomes = list(pool.map(lookup, range(3)))
    assert outcomes.count(Outcome.FOUND) == 2
    assert outcomes.count(Outcome.TIMEOUT) == 1
    assert time.monotonic() - started >= 4.5


def test_db_password_wrong_is_logged_by_authdaemond(break_lab) -> None:
    lab = break_lab("db-password-wrong")
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.TEMPFAIL
    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline:
        text = lab.maillog.read_text()
        if "password authentication failed" in text:
            break
        time.sleep(0.05)
    assert "authdaemond: PGSQL_CONNECTION could not be established" in text
    assert 'password authentication failed for user "postfix"' in text


def test_login_with_the_right_and_wrong_password(break_lab) -> None:
    lab = break_lab("passwords-returned")
    assert lab.client().login("foo@domain.com", LAB_MAILBOX_PASSWORD).outcome is Outcome.FOUND
    assert lab.client().login("foo@domain.com", "wrong").outcome is Outcome.NOT_FOUND
    result = lab.client().lookup("foo@domain.com")
    assert result.account is not None and result.account.crypted_password is not None
    assert LAB_MAILBOX_PASSWORD not in repr(result)


def test_authtest_inside_the_lab_agrees_with_our_client(healthy_lab: Lab) -> None:
    completed = subprocess.run(
        ["nsenter", "-t", str(healthy_lab.state.holder_pid), "-m", "--",
         "/usr/sbin/authtest", "foo@domain.com"],
        capture_output=True, text=True, timeout=30, check=True,
    )
    assert "Authenticated: bar@domain.com  (uid 21015, gid 1000)" in completed.stdout
    assert "Home Directory: /home/bar/" in completed.stdout


def _authtest(lab: Lab, address: str) -> subprocess.CompletedProcess[str]:
    """The real client library (authtest links libcourierauth, like maildrop) inside the lab."""
    return subprocess.run(
        ["nsenter", "-t", str(lab.state.holder_pid), "-m", "--", "/usr/sbin/authtest", address],
        capture_output=True, text=True, timeout=30, check=False,
    )


@pytest.mark.parametrize("local_part", EQUALS_MAILBOXES)
def test_srs_and_verp_addresses_are_sent_and_answered(healthy_lab: Lab, local_part: str) -> None:
    """`=` in the local part is an address, not NAME=value metadata, for the real daemon."""
    address = f"{local_part}@domain.com"
    result = healthy_lab.client().lookup(address)
    assert result.outcome is Outcome.FOUND
    assert result.account is not None and result.account.address == "bar@domain.com"
    assert "Authenticated: bar@domain.com  (uid 21015, gid 1000)" in _authtest(
        healthy_lab, address).stdout


# What authdaemond and the real client make of each odd row (measured: see the seed).
ODD_ROW_OUTCOMES = [
    ("home-null", Outcome.NOT_FOUND, "Operation not permitted"),
    ("home-empty", Outcome.NOT_FOUND, "Operation not permitted"),
    ("uid-null", Outcome.TEMPFAIL, "Input/output error"),
    ("uid-text", Outcome.TEMPFAIL, "Input/output error"),
    ("gid-null", Outcome.TEMPFAIL, "Input/output error"),
    ("gid-text", Outcome.TEMPFAIL, "Input/output error"),
    ("reply-8193", Outcome.TEMPFAIL, "Input/output error"),
]


@pytest.mark.parametrize(("local_part", "outcome", "authtest_error"), ODD_ROW_OUTCOMES)
def test_odd_rows_are_judged_as_authlib_judges_them(
    healthy_lab: Lab, local_part: str, outcome: Outcome, authtest_error: str
) -> None:
    address = f"{local_part}@{ODD_DOMAIN}"
    assert healthy_lab.client().lookup(address).outcome is outcome
    done = _authtest(healthy_lab, address)
    assert done.returncode == 1
    assert f"Authentication FAILED: {authtest_error}" in done.stderr


def test_only_the_first_of_several_rows_is_used(healthy_lab: Lab) -> None:
    result = healthy_lab.client().lookup(f"two-rows@{ODD_DOMAIN}")
    assert result.account is not None and result.account.maildir == "Mail/.First"
    assert "Maildir: Mail/.First" in _authtest(healthy_lab, f"two-rows@{ODD_DOMAIN}").stdout


def test_a_repeated_key_takes_its_last_value_like_the_real_client(healthy_lab: Lab) -> None:
    """A line break in a DB value makes the daemon send MAILDIR and HOME twice."""
    address = f"key-repeated@{ODD_DOMAIN}"
    result = healthy_lab.client().lookup(address)
    assert result.outcome is Outcome.FOUND and result.account is not None
    assert (result.account.maildir, result.account.home) == ("Mail/.Second", "/home/elsewhere/")
    out = _authtest(healthy_lab, address).stdout
    assert "Home Directory: /home/elsewhere/" in out and "Maildir: Mail/.Second" in out


@pytest.mark.parametrize("size", [8191, 8192])
def test_a_reply_the_client_reads_to_its_dot_is_found(healthy_lab: Lab, size: int) -> None:
    """8192 bytes lose only the final newline to the client's limit: the '.' line still ends it."""
    address = f"reply-{size}@{ODD_DOMAIN}"
    result = healthy_lab.client().lookup(address)
    assert result.outcome is Outcome.FOUND
    assert "Authentication succeeded." in _authtest(healthy_lab, address).stdout


def test_a_reply_longer_than_the_client_reads_is_a_tempfail(healthy_lab: Lab) -> None:
    result = healthy_lab.client().lookup(f"reply-8193@{ODD_DOMAIN}")
    assert result.outcome is Outcome.TEMPFAIL
    assert "over 8191 bytes (8193 read)" in result.note


def test_a_broken_authdaemonrc_on_a_running_daemon_stops_only_the_next_restart(break_lab) -> None:
    """A reload logs `Bad line` and keeps the old settings; a restart then really fails."""
    from tui.lab.configs import BAD_AUTHDAEMONRC_LINE
    from tui.lab.process import LabError

    lab = break_lab("authdaemonrc-bad-line")
    assert BAD_AUTHDAEMONRC_LINE in lab.authdaemonrc.read_text()
    assert "authdaemond: Bad line in /etc/courier/authdaemonrc: " in lab.maillog.read_text()
    assert lab.daemon_pids()
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.FOUND
    with pytest.raises(LabError, match="did not listen"):
        lab.fix_restart()
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.CONNECT_REFUSED

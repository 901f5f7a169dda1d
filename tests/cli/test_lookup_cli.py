"""`authlib-tui lookup` end to end: a real process against the real lab, every exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import log_text_once
from tui.lab.lab import Lab
from tui.lab.seed import EQUALS_MAILBOXES, SECRETS

WAIT = 20.0  # seconds for authdaemond's line to reach the lab's log


def lookup(lab: Lab, *args: str, stdin: str = "", config: Path | None = None):
    env = lab.environ()
    if config is not None:
        env["AUTHLIB_TUI_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "lookup", *args],
        capture_output=True, text=True, input=stdin, env=env, timeout=60,
    )


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_found_prints_the_authtest_block_and_the_site(healthy_lab: Lab) -> None:
    done = lookup(healthy_lab, "foo@domain.com")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Authentication succeeded.\n\n")
    assert "     Authenticated: bar@domain.com  (uid 21015, gid 1000)\n" in out
    assert "    Home Directory: /home/bar/\n" in out
    assert "           Maildir: Mail/\n" in out
    assert "Encrypted Password: (none)\n" in out
    assert "admin2" in out and "site2" in out
    assert "latency" in out


def test_json_has_the_promised_keys(healthy_lab: Lab) -> None:
    done = lookup(healthy_lab, "baz@domain.com", "--json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    for key in ("outcome", "address", "uid", "gid", "home", "maildir", "quota", "options",
                "group", "site", "latency_ms"):
        assert key in data
    assert (data["outcome"], data["uid"], data["gid"]) == ("found", 21015, 1000)
    assert (data["home"], data["group"], data["site"]) == ("/home/bar/", "admin2", "site2")


def test_alias_is_explained_from_the_database(healthy_lab: Lab) -> None:
    done = lookup(healthy_lab, "postmaster@domain.com")
    assert done.returncode == 1
    assert (
        "authlib resolves mailboxes only; postmaster@domain.com is an alias of foo@domain.com"
        in done.stderr
    )
    data = json.loads(lookup(healthy_lab, "postmaster@domain.com", "--json").stdout)
    assert (data["reason"], data["alias_destination"]) == ("alias", "foo@domain.com")


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("off@domain.com", "disabled mailbox"),
        ("nobody@domain.com", "not in email_lookup"),
        ("someone@elsewhere.example", "not a domain of this server"),
        # The lab's authdaemonrc sets no DEFAULTDOMAIN: a bare name is looked up as written.
        ("foo", "foo has no @domain and authdaemonrc sets no DEFAULTDOMAIN"),
    ],
)
def test_not_found_says_why(healthy_lab: Lab, address: str, needle: str) -> None:
    done = lookup(healthy_lab, address)
    assert done.returncode == 1
    assert needle in done.stderr


# What the lab's daemon really answers for each odd row (tests/lab), and the sentence for it.
ODD_ROW_SENTENCES = [
    ("home-null", 1, "its home (column 6) is NULL: authlib answers FAIL, and maildrop bounces "
     "the mail as 'Invalid user specified'"),
    ("home-empty", 1, "its home (column 6) is empty: authlib answers FAIL"),
    ("uid-null", 2, "its uid (column 4) is NULL: authdaemond gives up without an answer"),
    ("uid-text", 2, "its uid (column 4) is 'bar', not a number: authdaemond gives up"),
    ("gid-null", 2, "its gid (column 5) is NULL: authdaemond gives up without an answer"),
    ("gid-text", 2, "its gid (column 5) is 'admin2', not a number"),
]


@pytest.mark.parametrize(("local_part", "code", "needle"), ODD_ROW_SENTENCES)
def test_a_row_authlib_rejects_or_cannot_use_is_explained(
    healthy_lab: Lab, local_part: str, code: int, needle: str
) -> None:
    done = lookup(healthy_lab, f"{local_part}@odd.example")
    assert done.returncode == code, done.stderr
    assert needle in done.stderr


def test_several_rows_and_a_line_break_are_noted_on_a_found_lookup(healthy_lab: Lab) -> None:
    done = lookup(healthy_lab, "two-rows@odd.example")
    assert done.returncode == 0
    assert "note: authpgsql's SELECT returns 2 rows for two-rows@odd.example; authlib uses " \
        "only the first (maildir Mail/.First)" in done.stdout
    done = lookup(healthy_lab, "key-repeated@odd.example")
    assert done.returncode == 0
    assert "Home Directory: /home/elsewhere/" in done.stdout
    assert "line break inside MAILDIR" in done.stdout


def test_a_reply_longer_than_maildrop_reads_is_a_tempfail_that_says_so(healthy_lab: Lab) -> None:
    done = lookup(healthy_lab, "reply-8193@odd.example")
    assert done.returncode == 2
    assert "the reply is over 8191 bytes (8193 read)" in done.stderr


@pytest.mark.parametrize("local_part", EQUALS_MAILBOXES)
def test_srs_and_verp_addresses_are_looked_up(healthy_lab: Lab, local_part: str) -> None:
    done = lookup(healthy_lab, f"{local_part}@domain.com")
    assert done.returncode == 0, done.stderr
    assert "Authenticated: bar@domain.com  (uid 21015, gid 1000)" in done.stdout


def test_refused_address_sends_nothing_and_exits_64(break_lab) -> None:
    lab = break_lab("debug-login")  # authdaemond now logs every request it receives
    start = lab.maillog.stat().st_size
    done = lookup(lab, "refused@domain.com\nPRE . login injected@domain.com")
    assert done.returncode == 64
    assert "refused, nothing was sent" in done.stderr and "line feed" in done.stderr
    # A lookup sent after it is logged; nothing of the refused one is logged before it.
    assert lookup(lab, "sent-after@domain.com").returncode == 1
    logged = log_text_once(lab.maillog, start,
                           "received userid lookup request: sent-after@domain.com", WAIT)
    assert "refused@domain.com" not in logged and "injected@domain.com" not in logged


def test_bad_usage_exits_64(healthy_lab: Lab) -> None:
    assert lookup(healthy_lab, "--no-such-flag", "x@y").returncode == 64


@pytest.mark.parametrize(
    ("fault", "code", "needle"),
    [
        ("daemon-stopped", 3, "nothing listens"),
        ("socket-missing", 3, "No socket file"),
        ("db-password-wrong", 2, 'password authentication failed for user "postfix"'),
        ("db-down", 2, "Connection refused"),
        ("select-permission-denied", 2, "permission denied for table uids"),
        ("marker-missing", 2, "MARKER"),
        ("old-style-keys", 2, "PGSQL_CONNECTION"),
    ],
)
def test_failures_exit_codes_and_one_sentence(break_lab, fault: str, code: int, needle: str):
    lab = break_lab(fault)
    done = lookup(lab, "foo@domain.com")
    assert done.returncode == code, (done.stdout, done.stderr)
    assert needle in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert_no_secrets(done.stdout, done.stderr)


def test_timeout_exits_4(break_lab, tmp_path: Path) -> None:
    lab = break_lab("workers-saturated")
    config = tmp_path / "fast.toml"
    config.write_text(lab.settings_file.read_text() + "read_timeout = 1.0\n")
    done = lookup(lab, "foo@domain.com", config=config)
    assert done.returncode == 4
    assert "timeout" in done.stderr


def test_maildrop_timeout_read_from_master_cf_is_what_the_lookup_waits(
    break_lab, tmp_path: Path
) -> None:
    """TIMEOUT_READ=1 exported to vmaildrop: the 3 s lookup times out, as it does for maildrop."""
    lab = break_lab("workers-saturated")
    postfix = tmp_path / "postfix"
    postfix.mkdir()
    (postfix / "master.cf").write_text(
        "vmaildrop  unix  -  n  n  -  20  pipe\n"
        "        -o { export_environment = TZ LANG TIMEOUT_READ=1 }\n"
        "        flags=XODRhu user=mail argv=/usr/bin/maildrop -d ${user}@${nexthop}\n"
    )
    config = tmp_path / "maildrop.toml"
    config.write_text(lab.settings_file.read_text().replace(
        f'postfix_dir = "{lab.root / "postfix"}"', f'postfix_dir = "{postfix}"'))
    done = lookup(lab, "foo@domain.com", config=config)
    assert done.returncode == 4, done.stderr
    assert "maildrop waits 1 s for the reply (TIMEOUT_READ=1 in the export_environment of " \
        f"{postfix / 'master.cf'})" in done.stderr


def test_password_stdin_login_and_secrets_hidden(break_lab) -> None:
    from tui.lab.seed import LAB_MAILBOX_CRYPT, LAB_MAILBOX_PASSWORD

    lab = break_lab("passwords-returned")
    good = lookup(lab, "foo@domain.com", "--password-stdin", stdin=LAB_MAILBOX_PASSWORD + "\n")
    assert good.returncode == 0
    assert "Encrypted Password: (hidden)" in good.stdout
    assert "Cleartext Password: (hidden)" in good.stdout
    assert_no_secrets(good.stdout, good.stderr)
    bad = lookup(lab, "foo@domain.com", "--password-stdin", stdin="wrong\n")
    assert bad.returncode == 1
    assert "Login refused" in bad.stderr
    shown = lookup(lab, "foo@domain.com", "--show-secrets")
    assert f"Encrypted Password: {LAB_MAILBOX_CRYPT}" in shown.stdout
    as_json = json.loads(lookup(lab, "foo@domain.com", "--json").stdout)
    assert_no_secrets(json.dumps(as_json))


def test_global_flags_before_the_subcommand_are_kept(healthy_lab: Lab) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "--socket", "/nonexistent/socket", "lookup",
         "foo@domain.com"],
        capture_output=True, text=True, env=healthy_lab.environ(), timeout=60,
    )
    assert done.returncode == 3
    assert "/nonexistent/socket" in done.stderr

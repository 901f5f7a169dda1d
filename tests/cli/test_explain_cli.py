"""`authlib-tui explain`: real processes, real stdin, the upstream lines admins paste."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tui.core.discovery.discover import discover
from tui.core.explain.failures_doc import render_failures_markdown
from tui.core.explain.remedies import PlatformFacts
from tui.core.logs.catalogue.postfix_pipe import pipe_line
from tui.core.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def explain(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", "explain", *args],
                          input=stdin, capture_output=True, timeout=120, cwd=REPO)


def test_one_line_is_explained_with_its_fix() -> None:
    result = explain("Nov 26 23:30:24 mail authdaemond: PGSQL_CONNECTION not found in "
                     "/etc/courier/authpgsqlrc")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert out.startswith("Platform (")
    assert "pgsql-connection-missing" in out and "Fix (" in out and "Confirm:" in out
    assert "1 of 1 line explained." in out


def test_a_line_nobody_knows_exits_1() -> None:
    result = explain("Nov 26 23:30:24 mail postfix/smtpd[1]: connect from unknown[10.0.0.1]")
    assert result.returncode == 1
    assert b"0 of 1 line explained." in result.stdout


def test_bad_usage_is_one_sentence_and_exit_64() -> None:
    for args in ((), ("",), ("-", "x"), ("--catalogue", "x")):
        result = explain(*args)
        assert result.returncode == 64, args
        assert result.stdout == b""
        assert result.stderr.decode().count("\n") == 1, result.stderr


def test_a_whole_log_streams_from_stdin() -> None:
    """Invalid UTF-8, a 10 MB line and a password: explained, bounded, masked."""
    log = b"".join([
        b"Nov 26 23:30:00 mail authdaemond: modules=\"authpgsql\", daemons=2\n",
        b"Nov 26 23:30:01 mail authdaemond: \xff\xfe garbage \xc3\n",
        b"Nov 26 23:30:02 mail authdaemond: SQL query: SELECT " + b"x" * (10 * 1024 * 1024) + b"\n",
        b"Nov 26 23:30:03 mail authdaemond: Authenticated: clearpasswd=Hunter2Secret, passwd=x\n",
        b"Nov 26 23:30:04 mail postfix/pipe[9]: "
        + pipe_line("Invalid user specified. ", status="bounced").encode() + b"\n",
        b"Nov 26 23:30:05 mail authdaemond: zero rows returned",  # no final newline
    ])
    result = explain("-", stdin=log)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "Hunter2Secret" not in out
    assert "debug-passwords-logged" in out and "MAIL LOST" in out and "lookup-zero-rows" in out
    assert "4 of 6 lines explained." in out
    assert len(out) < 100_000


def test_json_for_tools() -> None:
    result = explain("--json", "authdaemond: Configuration error - missing 'daemons' setting, "
                     "using 1", "maildrop: Timeout quota exceeded.")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["lines_read"] == 2 and document["lines_explained"] == 2
    first, second = document["explained"]
    assert (first["id"], first["severity"], first["wizard_step"]) == (
        "daemons-missing", "error", "authdaemonrc-daemons")
    assert second["id"] == "maildrop-timeout"
    assert set(document["platform"]) == {"id", "label", "assumed", "reason"}


def test_docs_failures_md_is_generated_and_current() -> None:
    result = explain("--catalogue")
    assert result.returncode == 0
    written = (REPO / "docs" / "failures.md").read_text(encoding="utf-8")
    assert result.stdout.decode() == written == render_failures_markdown(), (
        "docs/failures.md is stale: run `authlib-tui explain --catalogue > docs/failures.md`")


def test_nothing_installed_still_explains_and_says_what_it_assumed(tmp_path: Path) -> None:
    facts = PlatformFacts.from_discovery(discover(load_settings({}), root=tmp_path))
    assert facts.assumed
    assert "no authlib installation found" in facts.reason
    apiscp = PlatformFacts.from_discovery(discover(load_settings({"platform": "apiscp"}),
                                                   root=tmp_path))
    assert apiscp.label == "ApisCP" and apiscp.authpgsqlrc == "/etc/authlib/authpgsqlrc"


def test_platform_option_changes_the_fix() -> None:
    line = "marker line not found in /etc/authlib/authpgsqlrc (probably forgot to run sysconftool"
    apiscp = explain("--platform", "apiscp", line).stdout.decode()
    debian = explain("--platform", "debian", line).stdout.decode()
    assert "upcp -sb mail/configure-courier-authlib" in apiscp
    assert "upcp" not in debian and "##NAME: MARKER:0" in debian


def test_a_rotated_compressed_log_can_be_piped_in_as_it_is() -> None:
    """`explain - < mail.log.2.gz`: gzip's magic bytes are recognised and streamed."""
    import gzip

    log = (b"Nov 26 23:30:00 mail authdaemond: PGSQL_CONNECTION could not be established\n"
           + b"Nov 26 23:30:01 mail postfix/qmgr[7]: 4AbC: removed\n" * 1000)
    result = explain("-", stdin=gzip.compress(log))
    assert result.returncode == 0, result.stderr
    assert "db-connect-failed" in result.stdout.decode()
    assert "1 of 1001 lines explained." in result.stdout.decode()


def test_a_cut_compressed_log_is_one_sentence_after_what_it_could_read() -> None:
    """A .gz copied while logrotate was still writing it: its first lines, then exit 64."""
    import gzip

    log = (b"Nov 26 23:30:00 mail authdaemond: PGSQL_CONNECTION could not be established\n"
           + b"".join(b"Nov 26 23:30:01 mail postfix/qmgr[7]: %d: removed\n" % n
                      for n in range(50_000)))
    cut = gzip.compress(log)[:3000]
    for args in (("-",), ("--json", "-")):
        result = explain(*args, stdin=cut)
        assert result.returncode == 64, result.stderr
        assert "db-connect-failed" in result.stdout.decode()
        error = result.stderr.decode()
        assert error.count("\n") == 1 and "damaged" in error and "Traceback" not in error
    assert json.loads(result.stdout)["lines_explained"] == 1  # the document is still whole
    garbage = explain("-", stdin=b"\x1f\x8bnot gzip at all\n")
    assert garbage.returncode == 64 and garbage.stderr.decode().count("\n") == 1


def test_a_bad_line_logged_by_a_reload_is_not_called_a_stopped_daemon(lab, break_lab) -> None:
    """The lab's real reload log: authdaemond runs on, so the next restart is what fails."""
    # Only what this fault wrote: the session's lab log also holds earlier tests' faults.
    before = lab.maillog.stat().st_size if lab.maillog.exists() else 0
    break_lab("authdaemonrc-bad-line")
    assert lab.daemon_pids()  # it is still running
    with lab.maillog.open("rb") as log:
        log.seek(before)
        written = log.read()
    result = explain("-", stdin=written)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "authdaemonrc-bad-line" in out
    assert "the file on disk is not what runs; the next restart will fail" in out
    assert "the daemon exited" not in out


def test_an_excerpt_reads_as_a_whole_with_normal_lines_said_to_be_normal() -> None:
    """The source strings of a login, a delivery and a failure: summed up, exit 0."""
    excerpt = "\n".join([
        "Nov 26 23:30:00 mail imapd: LOGIN, user=joe@example.com, ip=[::ffff:192.0.2.7], "
        "port=[51234], protocol=IMAP",
        "Nov 26 23:30:01 mail imapd-ssl: LOGIN FAILED, user=joe@example.com, "
        "ip=[::ffff:192.0.2.7], port=[51234]",
        "Nov 26 23:30:02 mail postfix/pipe[9]: 5CA13C0F12: to=<joe@example.com>, relay=vmaildrop, "
        "delay=0.12, delays=0.05/0.01/0/0.06, dsn=2.0.0, status=sent (delivered via vmaildrop "
        "service)",
        "Nov 26 23:30:03 mail postfix/trivial-rewrite[8]: fatal: pgsql:/etc/postfix/domains.cf: "
        "table lookup problem",
        "Nov 26 23:30:04 mail postfix/smtpd[1]: connect from unknown[10.0.0.1]",
    ]).encode()
    result = explain("-", stdin=excerpt)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "NORMAL  imap-login" in out and "NORMAL  postfix-pipe-delivered" in out
    assert "login-failed" in out and "postfix-map-lookup-problem" in out
    assert "4 of 5 lines explained.\n5 lines: 2 failures, 2 normal, 1 unknown.\n" in out
    document = json.loads(explain("--json", "-", stdin=excerpt).stdout)
    assert (document["lines_failed"], document["lines_normal"], document["lines_unknown"]) == (
        2, 2, 1)
    only_normal = explain("Nov 26 23:30:00 mail imapd: LOGOUT, ip=[::ffff:192.0.2.7], "
                          "port=[51234], rcvd=120, sent=3456")
    assert only_normal.returncode == 0
    assert "1 line: 0 failures, 1 normal, 0 unknown." in only_normal.stdout.decode()

"""The bounce reader on Postfix's own lines (copied from a real run's maillog)."""

from __future__ import annotations

import calendar
import time
from pathlib import Path

from tui.core.postfix.bounces import bounced_recently

# Written by Postfix 3.7 + Debian maildrop 2.9.3 (pipe to maildrop without -a, daemon stopped).
OUTAGE = ("sandbox postfix/pipe[5379]: 12ACF21A1F6: to=<foo@domain.com>, relay=vmaildrop, "
          "delay=0.05, delays=0.03/0.01/0/0.01, dsn=5.1.1, status=bounced (user unknown. "
          "Command output: ERR: authdaemon: s_connect() failed: Connection refused Invalid "
          "user specified. )")
DEFERRED = ("sandbox postfix/pipe[3868]: B282621A1A2: to=<foo@domain.com>, relay=vmaildrop, "
            "delay=0.02, delays=0/0/0/0.02, dsn=4.3.0, status=deferred (temporary failure. "
            "Command output: ERR: authdaemon: s_connect() failed: Connection refused "
            "/usr/bin/maildrop: Temporary authentication failure. )")
OTHER_RELAY = OUTAGE.replace("relay=vmaildrop", "relay=smtp")


def stamp(epoch: float) -> str:
    return time.strftime("%b %d %H:%M:%S", time.localtime(epoch))


def test_only_recent_maildrop_bounces_count(tmp_path: Path) -> None:
    now = float(calendar.timegm(time.gmtime()))
    log = tmp_path / "maillog"
    # A 10 MB line of invalid UTF-8 first: the reader reads a bounded tail and skips it.
    log.write_bytes(b"\xff\xfe invalid utf-8 " + b"x" * 10_000_000 + b"\n" + "\n".join([
        f"{stamp(now - 7200)} {OUTAGE}",  # two hours ago: outside the window
        f"{stamp(now - 60)} {DEFERRED}",  # deferred, not bounced
        f"{stamp(now - 60)} {OTHER_RELAY}",  # not maildrop's
        f"{stamp(now - 30)} {OUTAGE}",
        "\xff broken \udcff",
    ]).encode("utf-8", "surrogateescape") + b"\n")
    report = bounced_recently([log], now=now)
    assert report.known and report.count == 1 and report.recipients == ("foo@domain.com",)
    bounce = report.bounces[0]
    assert bounce.signature is not None and bounce.signature.id == "maildrop-bounced-outage"
    assert bounce.dsn == "5.1.1" and bounce.queue_id == "12ACF21A1F6"


def test_an_address_cannot_fake_a_bounce(tmp_path: Path) -> None:
    now = float(calendar.timegm(time.gmtime()))
    fake = DEFERRED.replace("to=<foo@domain.com>",
                            'to=<"x, relay=vmaildrop, status=bounced"@domain.com>')
    log = tmp_path / "maillog"
    log.write_text(f"{stamp(now - 5)} {fake}\n")
    assert bounced_recently([log], now=now).count == 0


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    report = bounced_recently([tmp_path / "missing"])
    assert not report.known and tmp_path / "missing" in report.unreadable


def test_a_bounce_read_through_two_names_counts_once(tmp_path: Path) -> None:
    """In `lab shell` /var/log/maillog and main.cf's maillog_file are one file; Debian's
    rsyslog also copies mail lines into syslog. One bounce is still one lost message."""
    now = float(calendar.timegm(time.gmtime()))
    log = tmp_path / "maillog"
    log.write_text(f"{stamp(now - 30)} {OUTAGE}\n")
    alias = tmp_path / "mail.log"
    alias.symlink_to(log)
    copy = tmp_path / "syslog"
    copy.write_text(log.read_text())
    report = bounced_recently([log, alias, copy], now=now)
    assert report.count == 1 and report.recipients == ("foo@domain.com",)
    assert report.files_read == (log, alias, copy)

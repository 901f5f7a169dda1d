"""A DEBUG_LOGIN=2 password that courierlogger cut at 511 bytes is masked in every piece.

The pieces are made by the real /usr/sbin/courierlogger: it runs in a private mount
namespace whose /dev/log is this test's datagram socket, and logs what a child writes
to its stderr (the lines authdaemond and authpgsql write, in their own format). The
datagrams become a mail log in rsyslog's file format and a real journal file
(systemd-journal-remote), and every reader is asked for them: the backfill and the
live tail of a file and of the journal, a rotation between the two pieces, the
journal's newest-first walk and the latest-errors list.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tui.core.log_sources.recent_errors import recent_authdaemond_errors
from tui.core.logs.entry import LogEntry
from tui.core.logs.file_source import FileFollower
from tui.core.logs.journal_source import JournalFollower
from tui.core.logs.kind import Kind
from tui.lab.syslog_sink import JOURNAL_REMOTE, export_entry, format_line, journal_fields

COURIERLOGGER = Path("/usr/sbin/courierlogger")
HASH = "$6$rounds=5000$saltsalt$" + "h" * 86
# A mistyped password long enough to cross the cut (a client may send up to 8 KB).
TYPED = "Tr0ub4dor&3-" * 55
TYPED_LINE = f"DEBUG: authpgsql: supplied password '{TYPED}' does not match clearpasswd 'stored'"
# A stored cleartext password that does (authdaemond's own `Authenticated: ` prefix).
CLEAR = "correct-horse-battery-staple-" * 18
CLEAR_LINE = f"Authenticated: clearpasswd={CLEAR}, passwd={HASH}"
AFTER = "DEBUG: FAIL, all modules rejected"
# The part of each password that only the continuation carries.
TYPED_TAIL = TYPED[-40:]
CLEAR_TAIL = CLEAR[-30:]


def _needs_root_tools() -> None:
    missing = [str(tool) for tool in (COURIERLOGGER, Path("/usr/bin/unshare"))
               if not tool.exists()]
    reason = (f"missing {', '.join(missing)}" if missing
              else None if os.geteuid() == 0 else "a mount namespace needs root")
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the real courierlogger is required in CI: {reason}", pytrace=False)
        pytest.skip(reason)


def courierlogger(stderr_lines: list[str], scratch: Path) -> list[bytes]:
    """The syslog datagrams the real courierlogger sends for a child writing these lines."""
    _needs_root_tools()
    dev = scratch / "dev"
    dev.mkdir()
    (dev / "null").touch()
    written = scratch / "stderr.txt"
    written.write_text("".join(f"{line}\n" for line in stderr_lines))
    datagrams: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sink:
        sink.bind(str(dev / "log"))
        # The child writes every line to its stderr in one write, as authdaemond's fprintf
        # does; courierlogger reads that pipe and sends one datagram per message.
        child = shlex.join(["/bin/sh", "-c", 'cat "$0" >&2', str(written)])
        script = (f"mount --bind /dev/null {shlex.quote(str(dev / 'null'))} && "
                  f"mount --bind {shlex.quote(str(dev))} /dev && "
                  f"exec {COURIERLOGGER} -name=authdaemond {child}")
        subprocess.run(["unshare", "--mount", "--propagation", "private", "--",
                        "/bin/sh", "-c", script], check=True, capture_output=True, timeout=30)
        sink.setblocking(False)  # courierlogger has exited: every datagram is queued
        while True:
            try:
                datagrams.append(sink.recv(65536))
            except BlockingIOError:
                break
    return datagrams


def maillog_lines(datagrams: list[bytes]) -> list[bytes]:
    return [format_line(datagram, "mail") for datagram in datagrams]


def write_journal(datagrams: list[bytes], output: Path) -> None:
    if not JOURNAL_REMOTE.exists():
        if IN_CI:
            pytest.fail(f"{JOURNAL_REMOTE} is required in CI", pytrace=False)
        pytest.skip(f"{JOURNAL_REMOTE} is missing")
    boot_id = "0123456789abcdef0123456789abcdef"
    entries = b"".join(export_entry(journal_fields(d, "mail", boot_id)) for d in datagrams)
    subprocess.run([str(JOURNAL_REMOTE), f"--output={output}", "-"], input=entries,
                   check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def datagrams(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """authpgsql's mismatch line, authdaemond's found line, then an ordinary debug line."""
    return courierlogger([TYPED_LINE, AFTER, CLEAR_LINE, AFTER],
                         tmp_path_factory.mktemp("courierlogger"))


def assert_masked(entries: list[LogEntry]) -> None:
    messages = [entry.message for entry in entries if entry.kind is Kind.AUTH]
    leaked = [m for m in messages if TYPED_TAIL in m or CLEAR_TAIL in m or "Tr0ub4" in m
              or "horse" in m]
    assert not leaked, f"password pieces shown: {leaked}"
    assert len(messages) == 6, messages  # two heads, their rests, each followed by AFTER
    # the line after a continuation is the daemon's own again, not swallowed by the mask
    assert "FAIL, all modules rejected" in messages


def test_courierlogger_really_cuts_the_password_into_an_unprefixed_second_message(
    datagrams: list[bytes],
) -> None:
    messages = [d.split(b"authdaemond: ", 1)[1] for d in datagrams]
    head = messages[0]
    assert datagrams[0].startswith(b"<23>")  # the head keeps DEBUG: as its priority, stripped
    assert len(head) == 511 - len("DEBUG: ")
    assert datagrams[1].startswith(b"<22>")  # the rest: info, no prefix, mid-password
    assert TYPED_TAIL.encode() in messages[1] and b"supplied" not in messages[1]
    clear_head = next(m for m in messages if m.startswith(b"Authenticated: clearpasswd="))
    assert len(clear_head) == 511
    assert any(CLEAR_TAIL.encode() in m and not m.startswith(b"Auth") for m in messages)


def test_file_backfill_masks_the_rest_of_a_cut_password(
    datagrams: list[bytes], tmp_path: Path
) -> None:
    log = tmp_path / "mail.log"
    log.write_bytes(b"".join(maillog_lines(datagrams)))
    assert_masked(FileFollower(log).backfill(100))


def test_file_live_tail_masks_the_rest_of_a_cut_password(
    datagrams: list[bytes], tmp_path: Path
) -> None:
    log = tmp_path / "mail.log"
    log.write_bytes(b"Nov 26 10:00:00 mail postfix/qmgr[12]: started\n")
    follower = FileFollower(log)
    follower.backfill(100)
    with log.open("ab") as out:
        out.write(b"".join(maillog_lines(datagrams)))
    received: list[LogEntry] = []
    stop = threading.Event()
    stop.set()  # follow() reads what is there, then returns
    follower.follow(received.extend, stop)
    assert_masked(received)


def test_a_rotation_between_the_pieces_still_masks_the_rest(
    datagrams: list[bytes], tmp_path: Path
) -> None:
    lines = maillog_lines(datagrams)
    log = tmp_path / "mail.log"
    (tmp_path / "mail.log.1").write_bytes(lines[0])  # the head was the old file's last line
    log.write_bytes(b"".join(lines[1:]))
    assert_masked(FileFollower(log).backfill(100))


def test_journal_backfill_and_newest_first_mask_the_rest(
    datagrams: list[bytes], tmp_path: Path
) -> None:
    journal_file = tmp_path / "x.journal"
    write_journal(datagrams, journal_file)
    assert_masked(JournalFollower(files=[journal_file]).backfill(100))
    follower = JournalFollower(files=[journal_file])
    try:
        assert_masked(list(follower.newest_first(100)))
    finally:
        follower.close()


def test_journal_live_tail_masks_the_rest(datagrams: list[bytes], tmp_path: Path) -> None:
    journal_file = tmp_path / "x.journal"
    write_journal([b"<22>authdaemond: modules=\"authpgsql\", daemons=2"], journal_file)
    follower = JournalFollower(files=[journal_file])
    follower.backfill(10)
    follower.close()
    write_journal(datagrams, journal_file)  # appended to the same file
    received: list[LogEntry] = []
    stop = threading.Event()
    stop.set()  # follow() reads what is new, then returns
    follower.follow(received.extend, stop)
    assert_masked(received)


def test_latest_errors_never_show_a_password_tail_that_reads_like_an_error(
    tmp_path: Path,
) -> None:
    # A typed password whose part after the cut is an error line courierlogger recognises.
    head = "DEBUG: authpgsql: supplied password '"
    padding = "x" * (511 - len(head))
    typed = padding + "ERR: PGSQL_CONNECTION could not be established sekrit-tail"
    line = f"{head}{typed}' does not match clearpasswd 'stored'"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    pieces = courierlogger([line], scratch)
    log = tmp_path / "mail.log"
    log.write_bytes(b"".join(maillog_lines(pieces)))
    assert any(b"<19>" in p for p in pieces)  # courierlogger took the tail for an error
    for rotated in (False, True):
        target = log
        if rotated:  # the same lines in a rotated copy, read newest first
            target = tmp_path / "rotated" / "mail.log"
            target.parent.mkdir()
            shutil.move(log, target.with_name("mail.log.1"))
            target.write_bytes(b"")
        found = recent_authdaemond_errors([target], now=None)
        shown = [error.line.raw for error in found.found]
        assert not any("sekrit" in text for text in shown), shown

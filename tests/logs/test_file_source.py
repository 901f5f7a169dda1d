"""FileFollower on real files: reading the tail of a big file, and following by name
through logrotate's `create` and `copytruncate`, deletion, partial and giant lines."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.logs.following import Following, followers
from tui.core.logs.entry import CUT_MARKER, MESSAGE_CAP
from tui.core.logs.file_source import FileFollower
from tui.core.logs.kind import Kind

DEFERRED = (
    "5CA13C0F12: to=<x@y.com>, relay=vmaildrop, delay=0.09, delays=0.06/0.01/0/0.02, "
    "dsn=4.3.0, status=deferred (temporary failure. Command output: ERR: authdaemon: "
    "s_connect() failed: Connection refused /usr/bin/maildrop: Temporary authentication "
    "failure. )"
)


def syslog(message: str, tag: str = "authdaemond", stamp: str = "Nov 26 10:00:00") -> bytes:
    return f"{stamp} vm {tag}: {message}\n".encode()


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as log:
        log.write(data)


def read_chars() -> int:
    """Bytes this process has read through read()/pread() so far (/proc/self/io rchar)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.fixture
def follow() -> Iterator[Callable[[FileFollower], Following]]:
    with followers() as start:
        yield start


# -- backfill --------------------------------------------------------------------------------


def test_backfill_reads_only_the_end_of_a_file_bigger_than_its_budget(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    filler = b"".join(syslog(f"filler {i} " + "x" * 200, tag="postfix/smtpd") for i in range(500))
    with log.open("wb") as out:
        for _ in range(100):  # ~ 12 MB of other daemons' lines
            out.write(filler)
        for i in range(300):
            out.write(syslog(f"line {i}"))
    budget = 1024 * 1024
    follower = FileFollower(log, backfill_bytes=budget)

    before = read_chars()
    entries = follower.backfill(50)
    read = read_chars() - before

    assert log.stat().st_size > 10 * budget
    assert [entry.message for entry in entries] == [f"line {i}" for i in range(250, 300)]
    assert follower.backfill_bytes_read <= budget
    assert read <= budget + 64 * 1024  # slack for /proc/self/io itself
    first = entries[0]
    assert first.kind is Kind.AUTH and first.tag == "authdaemond" and first.source == str(log)
    offset = int(first.cursor.rsplit(":", 1)[1]) if first.cursor else -1
    assert log.read_bytes()[offset:].startswith(b"Nov 26 10:00:00 vm authdaemond: line 250\n")


def test_backfill_stops_at_the_byte_budget_even_if_fewer_lines_match(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("old") + syslog("x" * 100, tag="postfix/smtpd") * 50_000)
    follower = FileFollower(log, kinds={Kind.AUTH}, backfill_bytes=256 * 1024)
    assert follower.backfill(10) == []
    assert follower.backfill_bytes_read == 256 * 1024


def test_backfill_honours_since_and_kinds(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(
        syslog("too old", stamp="Nov 26 09:00:00")
        + syslog("fork() failed", stamp="Nov 26 10:00:00")
        + syslog("connect from x", tag="postfix/smtpd", stamp="Nov 26 10:00:01")
        + syslog(DEFERRED, tag="postfix/pipe[5059]", stamp="Nov 26 10:00:02")
    )
    follower = FileFollower(log, kinds={Kind.AUTH, Kind.DELIVERY})
    first = follower.backfill(100)
    since = first[1].timestamp
    assert since is not None
    entries = follower.backfill(100, since=since)
    assert [entry.kind for entry in entries] == [Kind.AUTH, Kind.DELIVERY]
    assert entries[0].signature is not None and entries[0].signature.id == "resource-failure"
    delivery = entries[1]
    assert delivery.pid == 5059 and delivery.delivery is not None
    assert delivery.signature is not None
    assert delivery.signature.wizard_step == "daemon-not-running"


def test_whole_small_file_including_its_first_line(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("first") + syslog("second"))
    assert [e.message for e in FileFollower(log).backfill(10)] == ["first", "second"]


def test_missing_file_backfills_nothing(tmp_path: Path) -> None:
    assert FileFollower(tmp_path / "nope").backfill(10) == []


# -- follow ----------------------------------------------------------------------------------


def test_follow_continues_after_backfill_and_completes_a_partial_line(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("backfilled") + b"Nov 26 10:00:01 vm authdaemond: half a li")
    follower = FileFollower(log)
    assert [e.message for e in follower.backfill(10)] == ["backfilled"]  # partial line held back
    following = follow(follower)

    append(log, b"ne\n")
    following.wait_messages("half a line")
    append(log, syslog("after"))
    following.wait_messages("after")
    assert following.messages() == ["half a line", "after"]
    assert following.entries[0].cursor == f"{log}:{len(syslog('backfilled'))}"


def test_rename_and_create_is_followed_like_tail_F(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("before"))
    follower = FileFollower(log)
    follower.backfill(10)
    following = follow(follower)

    writer = log.open("ab", buffering=0)  # a syslog daemon keeps its descriptor
    writer.write(syslog("in the old file"))
    following.wait_messages("in the old file")
    log.rename(tmp_path / "maillog.1")  # logrotate: rename, create, then HUP the daemon
    writer.write(syslog("late line written to the rotated file"))
    log.write_bytes(b"")
    writer.close()
    append(log, syslog("in the new file"))

    following.wait_messages("late line written to the rotated file", "in the new file")
    assert following.messages() == [
        "in the old file",
        "late line written to the rotated file",
        "in the new file",
    ]
    following.wait_for(lambda: any("rotated" in e for e in following.events), "rotated event")
    assert following.entries[-1].cursor == f"{log}:0"


def test_copytruncate_is_read_again_from_the_start(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("x" * 500) * 10)
    follower = FileFollower(log)
    follower.backfill(1)
    following = follow(follower)

    shutil.copyfile(log, tmp_path / "maillog.1")
    os.truncate(log, 0)
    append(log, syslog("after truncation"))

    following.wait_messages("after truncation")
    assert following.messages() == ["after truncation"]
    assert any("truncated" in event for event in following.events)


def test_delete_then_recreate(tmp_path: Path, follow: Callable[[FileFollower], Following]) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("before"))
    follower = FileFollower(log)
    follower.backfill(10)
    following = follow(follower)

    log.unlink()
    following.wait_for(lambda: any("deleted" in e for e in following.events), "deleted event")
    append(log, syslog("recreated line"))

    following.wait_messages("recreated line")
    following.wait_for(lambda: any("recreated" in e for e in following.events), "recreated")
    assert following.messages() == ["recreated line"]


def test_a_file_that_does_not_exist_yet_is_picked_up_when_it_appears(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    following = follow(FileFollower(log))
    append(log, syslog("first ever"))
    following.wait_messages("first ever")
    assert any("appeared" in event for event in following.events)


def test_a_10_mb_line_is_cut_and_never_buffered_whole(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    log.touch()
    follower = FileFollower(log)
    following = follow(follower)

    head = b"Nov 26 10:00:00 vm authdaemond: received userid lookup request: "
    append(log, head)
    peak = 0
    for _ in range(10):
        append(log, b"A" * 1_000_000)
        time.sleep(0.05)
        peak = max(peak, follower.pending_bytes)
    append(log, b"\n" + syslog("next line"))

    following.wait_messages("next line")
    giant, after = following.entries
    assert giant.is_cut
    assert giant.original_length >= 10_000_000
    assert giant.message.endswith(CUT_MARKER)
    assert len(giant.message) == MESSAGE_CAP + len(CUT_MARKER)
    assert giant.message.startswith("received userid lookup request: AAAA")
    assert peak <= follower.line_buffer_cap < 1_000_000
    assert after.message == "next line" and not after.is_cut


def test_invalid_utf8_and_nul_stay_in_the_raw_message(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    log = tmp_path / "maillog"
    log.touch()
    following = follow(FileFollower(log))
    append(
        log,
        b"Nov 26 10:00:00 vm authdaemond: received userid lookup request: a\xff\xfeb\x00c"
        b"\x1b]0;pwned\x07@x\n",
    )
    following.wait_for(lambda: bool(following.entries), "the hostile line")
    message = following.entries[0].message
    assert message == "received userid lookup request: a\ufffd\ufffdb\x00c\x1b]0;pwned\x07@x"


def test_follow_returns_when_stop_is_set(
    tmp_path: Path, follow: Callable[[FileFollower], Following]
) -> None:
    """Idle CPU and how soon it stops are measured in bench/follow.py."""
    log = tmp_path / "maillog"
    log.write_bytes(syslog("x"))
    following = follow(FileFollower(log))
    append(log, syslog("one line"))
    following.wait_messages("one line")
    following.close()  # joins the thread and fails if follow() is still running
    assert following.thread is not None and not following.thread.is_alive()

"""Recent authdaemond errors from mail log tails: the real lab's maillog and hostile files."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import run_as_nobody
from tui.core.durations import age_text
from tui.core.log_sources.recent_errors import RecentErrors, recent_authdaemond_errors
from tui.lab.lab import Lab

MAILBOX = "foo@domain.com"
NOW = 1_795_737_600.0  # a fixed reference for year inference in the file-based tests


def wait_for_error(lab: Lab, signature_id: str, since: float) -> RecentErrors:
    """The lab's syslog sink writes asynchronously: poll briefly for the line."""
    deadline = time.monotonic() + 5
    while True:
        result = recent_authdaemond_errors([lab.maillog])
        if any(
            error.signature.id == signature_id and (error.line.timestamp or 0) >= since
            for error in result.errors
        ):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"no {signature_id} in {lab.maillog}: {result}")
        time.sleep(0.05)


def test_wrong_database_password_is_found_with_a_recent_age(
    break_lab: Callable[..., Lab],
) -> None:
    since = int(time.time()) - 1  # syslog stamps have whole seconds
    lab = break_lab("db-password-wrong")
    assert not lab.client(read_timeout=5).lookup(MAILBOX).found
    result = wait_for_error(lab, "db-password-wrong", since)

    assert result.unreadable == {}
    newest = [error for error in result.errors if (error.line.timestamp or 0) >= since]
    ids = [error.signature.id for error in newest]
    # authpgsql logs its own line first, then libpq's reason
    assert ids.index("db-connect-failed") < ids.index("db-password-wrong")
    wrong = next(error for error in newest if error.signature.id == "db-password-wrong")
    assert wrong.source == str(lab.maillog)
    assert wrong.line.tag == "authdaemond"
    assert 'password authentication failed for user "postfix"' in wrong.line.message
    assert wrong.line.timestamp is not None
    age = time.time() - wrong.line.timestamp
    assert -1 <= age < 60
    assert age_text(age).endswith(" s")
    # newest last, and nothing informational slipped in
    stamps = [error.line.timestamp or 0 for error in result.errors]
    assert stamps == sorted(stamps)
    assert all(error.signature.severity in ("warning", "error") for error in result.errors)


def test_missing_marker_is_found(break_lab: Callable[..., Lab]) -> None:
    since = int(time.time()) - 1
    lab = break_lab("marker-missing")
    assert not lab.client(read_timeout=5).lookup(MAILBOX).found
    result = wait_for_error(lab, "marker-missing", since)
    marker = [error for error in result.errors if error.signature.id == "marker-missing"][-1]
    assert "authpgsqlrc" in marker.line.message


def syslog(stamp: str, message: str, tag: str = "authdaemond") -> bytes:
    return f"{stamp} vm {tag}: {message}\n".encode()


def read_chars() -> int:
    """Bytes this process has read through read()/pread() so far (the kernel's count)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_hostile_file_is_survived_and_only_its_tail_is_read(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    with log.open("wb") as out:
        out.write(syslog("Nov 26 10:00:00", "PGSQL_CONNECTION could not be established"))
        out.write(b"x" * 40_000_000 + b"\n")  # old bulk the tail must not reach
        out.write(b"Nov 26 10:00:01 vm authdaemond: fork() failed " + b"A" * 10_000_000 + b"\n")
        out.write(b"\xff\xfe\xc3(invalid utf-8\x00 with a NUL\n")
        out.write(syslog("Nov 26 10:00:02", "received userid lookup request: \x1b]0;pwn\x07@x"))
        out.write(b"Nov 26 10:00:03 vm authdaemond: Cannot open /etc/courier/auth\xffpgsqlrc\n")
        out.write(syslog("Nov 26 10:00:04", "Cannot open /etc/courier/authpgsqlrc\x1b[2J"))
        out.write(syslog("Nov 26 10:00:05", "marker line not found in /etc/courier/authpgsqlrc"))
    max_bytes = 2_000_000

    before = read_chars()
    result = recent_authdaemond_errors([log], max_bytes=max_bytes, now=NOW)
    read = read_chars() - before

    assert log.stat().st_size > 50_000_000
    assert result.bytes_read == max_bytes
    assert read <= max_bytes + 64 * 1024  # a little slack for /proc/self/io itself
    assert result.unreadable == {}
    # the cut-off 10 MB line and everything before it are not reported
    assert [error.signature.id for error in result.errors] == [
        "config-file-unreadable",
        "config-file-unreadable",
        "marker-missing",
    ]
    assert result.errors[0].line.message == "Cannot open /etc/courier/auth\ufffdpgsqlrc"
    # escape sequences are kept as data; the display layer escapes them
    assert result.errors[1].line.message.endswith("authpgsqlrc\x1b[2J")


def test_a_tail_that_is_one_giant_line_yields_nothing(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("Nov 26 10:00:00", "fork() failed") + b"B" * 10_000_000)
    result = recent_authdaemond_errors([log], max_bytes=1_000_000, now=NOW)
    assert result.errors == []
    assert result.bytes_read == 1_000_000


def test_small_file_is_read_whole_including_its_first_line(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(syslog("Nov 26 10:00:00", "fork() failed"))
    result = recent_authdaemond_errors([log], now=NOW)
    assert [error.signature.id for error in result.errors] == ["resource-failure"]


def test_only_authdaemond_warnings_and_errors_are_kept(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_bytes(
        syslog("Nov 26 10:00:00", 'modules="authpgsql", daemons=2')
        + syslog("Nov 26 10:00:01", "stopping authdaemond children")
        + syslog("Nov 26 10:00:02", "fork() failed", tag="postfix/pipe[12]")
        + syslog("Nov 26 10:00:03", "SING(domain) WHERE username = 'x'")  # orphan fragment
        + syslog("Nov 26 10:00:04", "Configuration error - missing 'daemons' setting, using 1")
        + syslog("Nov 26 10:00:05", "PGSQL_CONNECTION could not be established", tag="other")
    )
    result = recent_authdaemond_errors([log], now=NOW)
    assert [error.signature.id for error in result.errors] == ["daemons-missing"]


def test_files_are_merged_by_time_newest_last_and_limited(tmp_path: Path) -> None:
    rotated, current = tmp_path / "maillog.1", tmp_path / "maillog"
    rotated.write_bytes(
        syslog("Nov 26 10:00:01", "fork() failed") + syslog("Nov 26 10:00:03", "pipe() failed")
    )
    current.write_bytes(
        syslog("Nov 26 10:00:02", "stat(/etc/courier/authpgsqlrc) failed")
        + syslog("Nov 26 10:00:04", "Cannot open /etc/courier/authpgsqlrc")
    )
    result = recent_authdaemond_errors([current, rotated], limit=3, now=NOW)
    assert [error.line.message for error in result.errors] == [
        "stat(/etc/courier/authpgsqlrc) failed",
        "pipe() failed",
        "Cannot open /etc/courier/authpgsqlrc",
    ]
    assert [error.source for error in result.errors] == [str(current), str(rotated), str(current)]


@pytest.fixture
def world_searchable_dir() -> Iterator[Path]:
    """pytest's tmp_path is 0700 root: nobody could not even reach a file in it."""
    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-logs-"))
    directory.chmod(0o755)
    yield directory
    for child in directory.iterdir():
        child.unlink()
    directory.rmdir()


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to nobody needs root")
def test_unreadable_file_is_reported_and_the_others_still_read(
    world_searchable_dir: Path,
) -> None:
    locked = world_searchable_dir / "maillog"
    locked.write_bytes(syslog("Nov 26 10:00:00", "fork() failed"))
    locked.chmod(0o000)
    readable = world_searchable_dir / "maillog.1"
    readable.write_bytes(syslog("Nov 26 10:00:01", "pipe() failed"))
    readable.chmod(0o644)

    result = run_as_nobody(lambda: recent_authdaemond_errors([locked, readable], now=NOW))

    assert result.unreadable == {locked: "Permission denied"}
    assert [error.line.message for error in result.errors] == ["pipe() failed"]


def test_missing_file_and_non_files_are_reported_not_raised(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it for reading must not block
    missing = tmp_path / "gone"
    result = recent_authdaemond_errors([missing, fifo, tmp_path], now=NOW)
    assert result.errors == []
    assert result.unreadable[missing] == "No such file or directory"
    assert result.unreadable[fifo] == "not a regular file"
    assert tmp_path in result.unreadable


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-3.0, "0 s"),
        (0.4, "0 s"),
        (12.9, "12 s"),
        (59.99, "59 s"),
        (60, "1 min"),
        (4 * 60 + 59, "4 min"),
        (3 * 3600 + 5, "3 h"),
        (86399, "23 h"),
        (2 * 86400 + 7, "2 d"),
    ],
)
def test_age_text(seconds: float, text: str) -> None:
    assert age_text(seconds) == text

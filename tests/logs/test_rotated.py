"""Rotated mail logs on disk: Debian's numbered copies, RHEL/ApisCP's dated ones, gzip.

The files are real: written by the test with the standard library's gzip, or
rotated by the real `logrotate` binary with a config in the test's directory.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tui.core.logs.entry import CUT_MARKER
from tui.core.logs.file_source import FileFollower
from tui.core.logs.kind import Kind
from tui.core.logs.rotated import (
    LINE_CAP,
    READ_ERRORS,
    chunks_oldest_first,
    describe_files,
    rotated_entries,
    rotated_lines,
    rotated_siblings,
    rotation_set,
)

START = float(int(time.time()) - 3 * 86400)  # whole seconds, like syslog stamps; in the past


def stamp(moment: float) -> str:
    return time.strftime("%b %e %H:%M:%S", time.localtime(moment))


def auth_line(number: int) -> bytes:
    """authdaemond line `number`, one minute after the previous one."""
    return f"{stamp(START + 60 * number)} mx authdaemond: line {number}\n".encode()


def noise_line(number: int) -> bytes:
    return f"{stamp(START + 60 * number)} mx postfix/qmgr[12]: noise {number}\n".encode()


def write(path: Path, numbers: range, *, compress: bool = False) -> None:
    data = b"".join(auth_line(n) + noise_line(n) for n in numbers)
    if compress:
        with gzip.open(path, "wb") as out:
            out.write(data)
    else:
        path.write_bytes(data)


def numbers_of(messages: list[str]) -> list[int]:
    return [int(message.rsplit(" ", 1)[1]) for message in messages]


@pytest.fixture
def debian(tmp_path: Path) -> Path:
    """mail.log with three rotations: .1 plain (delaycompress), .2.gz and .3.gz."""
    log = tmp_path / "mail.log"
    write(tmp_path / "mail.log.3.gz", range(0, 10), compress=True)
    write(tmp_path / "mail.log.2.gz", range(10, 20), compress=True)
    write(tmp_path / "mail.log.1", range(20, 30))
    write(log, range(30, 33))
    (tmp_path / "mail.log.bak").write_text("not a rotation\n")
    (tmp_path / "mail.err").write_text("another log\n")
    return log


@pytest.fixture
def rhel(tmp_path: Path) -> Path:
    """maillog with dated copies (logrotate dateext), the newest one not compressed yet."""
    log = tmp_path / "maillog"
    write(tmp_path / "maillog-20261116.gz", range(0, 10), compress=True)
    write(tmp_path / "maillog-20261123.gz", range(10, 20), compress=True)
    write(tmp_path / "maillog-20261130", range(20, 30))
    write(log, range(30, 33))
    return log


def test_numbered_copies_are_found_newest_first(debian: Path) -> None:
    names = [path.name for path in rotated_siblings(debian)]
    assert names == ["mail.log.1", "mail.log.2.gz", "mail.log.3.gz"]
    assert rotation_set(debian)[0] == debian
    assert describe_files([debian]) == f"{debian} (+3 rotated)"


def test_dated_copies_are_found_newest_first(rhel: Path) -> None:
    names = [path.name for path in rotated_siblings(rhel)]
    assert names == ["maillog-20261130", "maillog-20261123.gz", "maillog-20261116.gz"]


@pytest.mark.parametrize("layout", ["debian", "rhel"])
def test_lines_newest_first_and_oldest_first_cover_every_file(
    layout: str, request: pytest.FixtureRequest
) -> None:
    log: Path = request.getfixturevalue(layout)
    entries = list(rotated_entries(log, newest_first=True, kinds={Kind.AUTH}))
    assert numbers_of([entry.message for entry in entries]) == list(range(32, -1, -1))
    oldest = list(rotated_entries(log, newest_first=False, kinds={Kind.AUTH}))
    assert numbers_of([entry.message for entry in oldest]) == list(range(33))
    assert {entry.source for entry in oldest} == {str(path) for path in rotation_set(log)}


def test_since_stops_the_newest_first_walk(debian: Path) -> None:
    since = START + 60 * 15
    entries = list(rotated_entries(debian, newest_first=True, kinds={Kind.AUTH}, since=since))
    assert numbers_of([entry.message for entry in entries]) == list(range(32, 14, -1))


def test_a_ten_megabyte_line_and_invalid_utf8_in_a_gzip_copy(tmp_path: Path) -> None:
    log = tmp_path / "mail.log"
    log.write_bytes(auth_line(100))
    giant = stamp(START).encode() + b" mx authdaemond: " + b"A" * (10 * 1024 * 1024) + b"\n"
    hostile = stamp(START + 60).encode() + b" mx authdaemond: bad \xff\xfe bytes\n"
    with gzip.open(tmp_path / "mail.log.1.gz", "wb") as out:
        out.write(auth_line(1) + giant + hostile + auth_line(2))

    for newest_first in (True, False):
        lines = list(rotated_lines(log, newest_first=newest_first))
        assert max(len(line.data) for line in lines) == LINE_CAP
        cut = next(line for line in lines if line.dropped)
        assert len(cut.data) + cut.dropped == len(giant) - 1

    entries = list(rotated_entries(log, newest_first=True, kinds={Kind.AUTH}))
    messages = [entry.message for entry in entries]
    assert messages[0] == "line 100"
    assert messages[1] == "line 2"
    assert messages[2] == "bad \ufffd\ufffd bytes"
    assert entries[3].is_cut and entries[3].message.endswith(CUT_MARKER)
    assert messages[4] == "line 1"


def test_a_corrupt_copy_is_reported_and_the_others_still_read(debian: Path) -> None:
    (debian.parent / "mail.log.2.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    failed: list[Path] = []
    entries = list(rotated_entries(debian, newest_first=True, kinds={Kind.AUTH},
                                   on_unreadable=lambda path, _exc: failed.append(path)))
    assert failed == [debian.parent / "mail.log.2.gz"]
    assert numbers_of([entry.message for entry in entries]) == [
        *range(32, 19, -1), *range(9, -1, -1)]


def test_backfill_reaches_into_rotated_copies(debian: Path) -> None:
    follower = FileFollower(debian, kinds={Kind.AUTH})
    entries = follower.backfill(15)
    assert numbers_of([entry.message for entry in entries]) == list(range(18, 33))
    assert entries[0].source == str(debian.parent / "mail.log.2.gz")
    assert entries[-1].source == str(debian)


def test_backfill_reaches_back_to_since_through_rotations(rhel: Path) -> None:
    follower = FileFollower(rhel, kinds={Kind.AUTH})
    entries = follower.backfill(1000, since=START + 60 * 5)
    assert numbers_of([entry.message for entry in entries]) == list(range(5, 33))


def test_backfill_stays_in_the_live_file_when_it_has_enough(debian: Path) -> None:
    follower = FileFollower(debian, kinds={Kind.AUTH})
    entries = follower.backfill(2)
    assert numbers_of([entry.message for entry in entries]) == [31, 32]
    assert {entry.source for entry in entries} == {str(debian)}


def test_backfill_after_the_live_file_was_moved_away(debian: Path) -> None:
    debian.unlink()  # between logrotate's rename and the syslog daemon's new file
    entries = FileFollower(debian, kinds={Kind.AUTH}).backfill(3)
    assert numbers_of([entry.message for entry in entries]) == [27, 28, 29]


# -- the real logrotate ----------------------------------------------------------------------


@pytest.fixture
def logrotate() -> Path:
    found = shutil.which("logrotate")
    if found is None:
        reason = "logrotate is not installed (apt-get install logrotate)"
        if IN_CI:
            pytest.fail(f"the real logrotate is required in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return Path(found)


def run_logrotate(logrotate: Path, directory: Path, body: str) -> None:
    config = directory / "logrotate.conf"
    config.write_text(body)
    config.chmod(0o644)
    subprocess.run([str(logrotate), "--force", "--state", str(directory / "state"),
                    str(config)], check=True, capture_output=True, timeout=30)


def test_debian_style_rotation_by_logrotate(logrotate: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "mail.log"
    body = f"{log} {{\n  rotate 4\n  compress\n  delaycompress\n  missingok\n}}\n"
    for first in range(0, 40, 10):
        write(log, range(first, first + 10))
        run_logrotate(logrotate, tmp_path, body)
    write(log, range(40, 43))

    names = [path.name for path in rotated_siblings(log)]
    assert names == ["mail.log.1", "mail.log.2.gz", "mail.log.3.gz", "mail.log.4.gz"]
    assert describe_files([log]) == f"{log} (+4 rotated)"
    oldest = list(rotated_entries(log, newest_first=False, kinds={Kind.AUTH}))
    assert numbers_of([entry.message for entry in oldest]) == list(range(43))
    entries = FileFollower(log, kinds={Kind.AUTH}).backfill(25)
    assert numbers_of([entry.message for entry in entries]) == list(range(18, 43))


def test_rhel_style_rotation_by_logrotate(logrotate: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "maillog"
    body = f"{log} {{\n  rotate 4\n  dateext\n  compress\n  missingok\n}}\n"
    write(log, range(0, 10))
    run_logrotate(logrotate, tmp_path, body)
    write(log, range(10, 12))

    (copy,) = rotated_siblings(log)
    assert copy.name == f"maillog-{time.strftime('%Y%m%d')}.gz"
    entries = FileFollower(log, kinds={Kind.AUTH}).backfill(5)
    assert numbers_of([entry.message for entry in entries]) == [7, 8, 9, 10, 11]
    assert entries[0].source == str(copy)


def test_a_gzip_copy_is_inflated_member_by_member_in_chunks(tmp_path: Path) -> None:
    """As gzip reads it: members one after another, zero padding between them skipped."""
    first, second = b"".join(b"line %d\n" % n for n in range(200_000)), b"last\n"
    path = tmp_path / "mail.log.2.gz"
    path.write_bytes(gzip.compress(first) + b"\0" * 9 + gzip.compress(second) + b"\0\0")
    chunks = list(chunks_oldest_first(path, 64 << 10))
    assert b"".join(chunks) == gzip.decompress(path.read_bytes()) == first + second
    assert max(len(chunk) for chunk in chunks) == 64 << 10


def test_a_cut_or_damaged_gzip_copy_is_an_error_of_reading(tmp_path: Path) -> None:
    whole = gzip.compress(b"Dec  1 20:01:57 sandbox postfix/qmgr[1]: A1B2C3D4E5: removed\n" * 999)
    cut, damaged = tmp_path / "cut.gz", tmp_path / "damaged.gz"
    cut.write_bytes(whole[:-20])
    damaged.write_bytes(whole[:-8] + bytes([whole[-8] ^ 1]) + whole[-7:])  # the CRC's first byte
    for path in (cut, damaged):
        with pytest.raises(READ_ERRORS):
            b"".join(chunks_oldest_first(path))

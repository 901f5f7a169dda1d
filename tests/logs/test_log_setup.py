"""The host's log set-up, said once and used by every reader: journald only, rsyslog files
(with their rotated copies), or the file the admin named, which always wins.

Each test builds a fake root: real mail log files (gzip copies made with the
standard library) and, where the journal matters, a real journal file written by
systemd-journal-remote.
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest

import tui.core.settings as settings_module
from tests.logs.test_journal_source import Clock, authdaemond, write_journal
from tui.core.discovery.discover import discover, render_where
from tui.core.installation import Installation
from tui.core.log_sources.log_reader import open_sources
from tui.core.log_sources.recent_errors import recent_errors
from tui.core.log_sources.sources import log_setup_of
from tui.core.settings import load_settings

MACHINE_ID = "0123456789abcdef0123456789abcdef"


def stamp(moment: float) -> str:
    return time.strftime("%b %e %H:%M:%S", time.localtime(moment))


def error_line(moment: float, message: str) -> bytes:
    return f"{stamp(moment)} mx authdaemond: {message}\n".encode()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "no-such.toml")
    fake = tmp_path / "root"
    (fake / "var/log").mkdir(parents=True)
    return fake


def installation(root: Path, **flags: object) -> Installation:
    settings = load_settings(flags, environ={}, home=root.parent / "home")
    return Installation(settings, discover(settings, root=root))


def rsyslog_files(root: Path) -> Path:
    """Debian's mail.log with three rotations; the live file is empty (just rotated)."""
    log = root / "var/log/mail.log"
    log.write_bytes(b"")
    now = time.time()
    (root / "var/log/mail.log.1").write_bytes(error_line(now - 3600, "fork() failed"))
    for number in (2, 3):
        with gzip.open(root / f"var/log/mail.log.{number}.gz", "wb") as out:
            out.write(error_line(now - 86400 * number, "pipe() failed"))
    return log


def journal(root: Path, journal_remote: Path) -> None:
    """A real persistent journal under the fake root, with an authdaemond error."""
    clock = Clock()
    machine_dir = root / f"var/log/journal/{MACHINE_ID}"
    machine_dir.mkdir(parents=True)
    write_journal(journal_remote, machine_dir / "system.journal",
                  [authdaemond(clock, "PGSQL_CONNECTION could not be established", priority=3)])


def test_rsyslog_files_are_said_with_their_rotated_copies(root: Path) -> None:
    log = rsyslog_files(root)
    found = installation(root)
    assert log_setup_of(found) == f"rsyslog files: {log} (+3 rotated)"
    assert f"log files       {log} (+3 rotated)" in render_where(found.discovery, found.settings)
    reader = open_sources(found)
    assert reader.describe().startswith(f"{log} (+3 rotated)")


def test_latest_errors_reach_into_the_rotated_copy_just_after_a_rotation(root: Path) -> None:
    log = rsyslog_files(root)
    found = recent_errors(installation(root), limit=2)
    assert found.read_from == f"{log} (+3 rotated)"
    assert [error.line.message for error in found.errors] == ["pipe() failed", "fork() failed"]
    assert found.errors[-1].source == str(root / "var/log/mail.log.1")
    assert found.errors[0].source == str(root / "var/log/mail.log.2.gz")


def test_journald_only(root: Path, journal_remote: Path) -> None:
    journal(root, journal_remote)
    found = installation(root)
    assert found.discovery.log_files == ()
    assert log_setup_of(found) == "journald only (no mail log file)"
    errors = recent_errors(found)
    assert errors.read_from == "journal"
    assert [error.line.message for error in errors.errors] == [
        "PGSQL_CONNECTION could not be established"]
    where = render_where(found.discovery, found.settings, log_setup_of(found))
    assert "log set-up      journald only (no mail log file)" in where


def test_journal_beside_rsyslog_files(root: Path, journal_remote: Path) -> None:
    journal(root, journal_remote)
    log = rsyslog_files(root)
    assert log_setup_of(installation(root)) == (
        f"journald (rsyslog files too, not read: {log} (+3 rotated))")


def test_the_named_log_file_wins_over_the_journal(root: Path, journal_remote: Path) -> None:
    journal(root, journal_remote)
    named = root / "srv/mail.log"
    named.parent.mkdir()
    named.write_bytes(error_line(time.time() - 60, "stat(/etc/courier/authpgsqlrc) failed"))
    found = installation(root, log_files=[str(named)])
    assert log_setup_of(found) == f"the log file named by --log-file or the settings: {named}"
    errors = recent_errors(found)
    assert errors.read_from == str(named)
    assert [error.signature.id for error in errors.errors] == ["config-file-missing"]


def test_no_log_at_all(root: Path) -> None:
    found = installation(root)
    assert log_setup_of(found) == (
        "no log: no mail log file and no journal with authdaemond entries")
    assert recent_errors(found).read_from == ""


def read_chars() -> int:
    """Bytes this process has read through read()/pread() so far (the kernel's count)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_a_compressed_copy_is_decompressed_once_until_the_next_rotation(root: Path) -> None:
    """The health strip samples every few seconds: an unchanged .gz is not read again."""
    log = root / "var/log/maillog"
    log.write_bytes(b"")
    copy = root / "var/log/maillog-20261130.gz"
    noise = b"".join(f"{stamp(time.time() - 7200)} mx postfix/smtpd[9]: {os.urandom(40).hex()}\n"
                     .encode() for _ in range(40_000))
    with gzip.open(copy, "wb") as out:
        out.write(noise + error_line(time.time() - 3600, "fork() failed"))
    found = installation(root)

    before = read_chars()
    first = recent_errors(found, limit=5)
    first_cost = read_chars() - before
    before = read_chars()
    second = recent_errors(found, limit=5)
    second_cost = read_chars() - before

    assert [error.line.message for error in first.errors] == ["fork() failed"]
    assert second.errors == first.errors
    assert first_cost > copy.stat().st_size
    assert second_cost < copy.stat().st_size // 10

    with gzip.open(root / "var/log/maillog-20261201.gz", "wb") as out:  # the next rotation
        out.write(error_line(time.time() - 60, "pipe() failed"))
    third = recent_errors(found, limit=5)
    assert [error.line.message for error in third.errors] == ["fork() failed", "pipe() failed"]

"""JournalFollower on REAL journal files, written by systemd-journal-remote from export format.

`systemd-journal-remote --output=<dir>/x.journal -` reads the journal export format
on stdin and writes a genuine journal file; run again with the same output it
appends to that file, which is how the follow tests add entries while a reader
waits. A second output file in a directory read with `directory=` exercises the
"new journal file" path (INVALIDATE) instead.
"""

from __future__ import annotations

import dataclasses
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.conftest import run_as_nobody
from tests.logs.following import Following, followers
from tui.core.discovery.discover import Discovery, discover
from tui.core.log_sources.sources import choose_sources
from tui.core.logs.journal_source import (
    JournalFollower,
    journal_access_problem,
    journal_has_files,
)
from tui.core.logs.kind import Kind
from tui.core.settings import Settings

UNIT = "courier-authdaemon.service"
BOOT_ID = "0123456789abcdef0123456789abcdef"
DEFERRED = (
    "5CA13C0F12: to=<x@y.com>, relay=vmaildrop, delay=0.09, delays=0.06/0.01/0/0.02, "
    "dsn=4.3.0, status=deferred (temporary failure. Command output: ERR: authdaemon: "
    "s_connect() failed: Connection refused /usr/bin/maildrop: Temporary authentication "
    "failure. )"
)
HOSTILE = b"received userid lookup request: a\xff\xfeb\x1b]0;pwned\x07@x\nsecond line"

Fields = Mapping[str, str | bytes | int]


def export_format(entries: list[Fields]) -> bytes:
    """The journal export format; bytes values use its binary encoding (name, le64 size, data)."""
    out = bytearray()
    for fields in entries:
        for name, value in fields.items():
            if isinstance(value, bytes):
                out += name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
            else:
                out += f"{name}={value}\n".encode()
        out += b"\n"
    return bytes(out)


class Clock:
    """Distinct, increasing realtime/monotonic stamps for the entries of one test."""

    def __init__(self) -> None:
        self.realtime = int(time.time() * 1_000_000) - 60_000_000
        self.monotonic = 1_000_000

    def tick(self) -> dict[str, str | int]:
        self.realtime += 1000
        self.monotonic += 1000
        return {
            "__REALTIME_TIMESTAMP": self.realtime,
            "__MONOTONIC_TIMESTAMP": self.monotonic,
            "_BOOT_ID": BOOT_ID,
        }


def authdaemond(clock: Clock, message: str | bytes, priority: int = 6) -> Fields:
    return {
        **clock.tick(),
        "MESSAGE": message,
        "PRIORITY": priority,
        "SYSLOG_IDENTIFIER": "authdaemond",
        "SYSLOG_FACILITY": 2,
        "_PID": 4242,
        "_SYSTEMD_UNIT": UNIT,
    }


def pipe(clock: Clock, message: str) -> Fields:
    return {
        **clock.tick(),
        "MESSAGE": message,
        "PRIORITY": 6,
        "SYSLOG_IDENTIFIER": "postfix/pipe",
        "_PID": 5059,
        "_SYSTEMD_UNIT": "postfix@-.service",
    }


def other(clock: Clock, message: str) -> Fields:
    return {**clock.tick(), "MESSAGE": message, "PRIORITY": 6, "SYSLOG_IDENTIFIER": "sshd"}


def write_journal(journal_remote: Path, output: Path, entries: list[Fields]) -> None:
    """Write (or append to) a real journal file."""
    subprocess.run(
        [str(journal_remote), f"--output={output}", "-"],
        input=export_format(entries),
        check=True,
        capture_output=True,
        timeout=30,
    )


@pytest.fixture
def follow() -> Iterator[Callable[[JournalFollower], Following]]:
    with followers() as start:
        yield start


@pytest.fixture
def seeded(journal_remote: Path, tmp_path: Path) -> tuple[Path, Clock]:
    """A journal file with authdaemond, postfix/pipe and unrelated entries."""
    clock = Clock()
    output = tmp_path / "x.journal"
    write_journal(
        journal_remote,
        output,
        [
            authdaemond(clock, 'modules="authpgsql", daemons=2'),
            other(clock, "Accepted publickey for root"),
            authdaemond(clock, "PGSQL_CONNECTION could not be established", priority=3),
            authdaemond(
                clock,
                'connection to server at "127.0.0.1", port 5432 failed: FATAL:  password '
                'authentication failed for user "postfix".',
                priority=3,
            ),
            pipe(clock, DEFERRED),
            authdaemond(clock, HOSTILE),
        ],
    )
    return output, clock


def test_backfill_reads_matching_entries_in_order_with_fields(
    seeded: tuple[Path, Clock],
) -> None:
    output, clock = seeded
    follower = JournalFollower(files=[output], units=[UNIT])
    entries = follower.backfill(100)

    # sshd's entry matches neither the unit nor an identifier
    assert [entry.tag for entry in entries] == [
        *["authdaemond"] * 3,
        "postfix/pipe",
        "authdaemond",
    ]
    assert [entry.priority for entry in entries] == [6, 3, 3, 6, 6]
    assert [entry.kind for entry in entries] == [Kind.AUTH] * 3 + [Kind.DELIVERY, Kind.AUTH]
    assert [entry.signature.id if entry.signature else None for entry in entries] == [
        "daemon-started",
        "db-connect-failed",
        "db-password-wrong",
        "s-connect-refused",
        None,
    ]
    stamps = [entry.timestamp or 0 for entry in entries]
    assert stamps == sorted(stamps)
    assert stamps[-1] == pytest.approx(clock.realtime / 1_000_000)
    assert all(entry.source == "journal" and entry.cursor for entry in entries)
    assert entries[0].pid == 4242 and entries[3].pid == 5059
    delivery = entries[3].delivery
    assert delivery is not None and delivery.relay == "vmaildrop" and delivery.status == "deferred"
    assert entries[3].signature is not None
    assert entries[3].signature.wizard_step == "daemon-not-running"
    # binary MESSAGE (not UTF-8, with an escape sequence and a newline): decoded, kept raw
    assert entries[4].message == (
        "received userid lookup request: a\ufffd\ufffdb\x1b]0;pwned\x07@x\nsecond line"
    )


def test_unit_entries_count_as_auth_whatever_their_identifier(
    journal_remote: Path, tmp_path: Path
) -> None:
    clock = Clock()
    output = tmp_path / "x.journal"
    start_script = {
        **clock.tick(),
        "MESSAGE": "garbage: not found",
        "PRIORITY": 3,
        "SYSLOG_IDENTIFIER": "authdaemond.sh",
        "_SYSTEMD_UNIT": UNIT,
    }
    write_journal(journal_remote, output, [start_script, other(clock, "unrelated")])
    entries = JournalFollower(files=[output], units=["courier-authdaemon"]).backfill(10)
    assert [(entry.message, entry.kind) for entry in entries] == [("garbage: not found", Kind.AUTH)]
    assert JournalFollower(files=[output]).backfill(10) == []  # no unit given: identifiers only


def test_backfill_limits_since_and_tail(seeded: tuple[Path, Clock]) -> None:
    output, _clock = seeded
    follower = JournalFollower(files=[output], units=[UNIT])
    everything = follower.backfill(100)
    last_two = follower.backfill(2)
    assert [entry.cursor for entry in last_two] == [entry.cursor for entry in everything[-2:]]
    since = everything[2].timestamp
    assert since is not None
    assert follower.backfill(100, since=since) == everything[2:]
    assert follower.backfill(0) == []


def test_follow_delivers_entries_appended_to_the_same_file(
    seeded: tuple[Path, Clock],
    journal_remote: Path,
    follow: Callable[[JournalFollower], Following],
) -> None:
    output, clock = seeded
    follower = JournalFollower(files=[output], units=[UNIT])
    backfilled = follower.backfill(100)
    following = follow(follower)

    write_journal(journal_remote, output, [authdaemond(clock, "fork() failed", priority=2)])
    following.wait_messages("fork() failed")
    write_journal(journal_remote, output, [pipe(clock, DEFERRED.replace("5CA13", "6DB24"))])
    following.wait_messages(DEFERRED.replace("5CA13", "6DB24"))

    assert following.messages() == ["fork() failed", DEFERRED.replace("5CA13", "6DB24")]
    assert following.entries[0].priority == 2
    assert following.entries[0].cursor not in {entry.cursor for entry in backfilled}


def test_follow_picks_up_a_new_journal_file_in_the_directory(
    seeded: tuple[Path, Clock],
    journal_remote: Path,
    follow: Callable[[JournalFollower], Following],
) -> None:
    output, clock = seeded
    follower = JournalFollower(directory=output.parent, units=[UNIT])
    assert len(follower.backfill(100)) == 5
    following = follow(follower)

    write_journal(
        journal_remote, output.parent / "y.journal", [authdaemond(clock, "pipe() failed", 2)]
    )
    following.wait_messages("pipe() failed")
    assert following.messages() == ["pipe() failed"]
    # the new file arrives as INVALIDATE: the reader re-positioned by cursor and said so
    assert any(event.startswith("journal files changed") for event in following.events)


def test_follow_without_backfill_starts_after_the_last_entry(
    seeded: tuple[Path, Clock],
    journal_remote: Path,
    follow: Callable[[JournalFollower], Following],
) -> None:
    """python-systemd #146: seek_tail() alone would yield nothing (or a stale entry)."""
    output, clock = seeded
    following = follow(JournalFollower(files=[output], units=[UNIT]))
    write_journal(journal_remote, output, [authdaemond(clock, "stopping authdaemond children")])
    following.wait_messages("stopping authdaemond children")
    # A second line after it: delivery is in order, so nothing old came before either.
    write_journal(journal_remote, output, [authdaemond(clock, "started again")])
    following.wait_messages("started again")
    assert following.messages() == ["stopping authdaemond children", "started again"]


def test_follow_from_a_journal_with_no_matching_entry_yet(
    journal_remote: Path, tmp_path: Path, follow: Callable[[JournalFollower], Following]
) -> None:
    clock = Clock()
    output = tmp_path / "x.journal"
    write_journal(journal_remote, output, [other(clock, "unrelated")])
    follower = JournalFollower(files=[output], units=[UNIT])
    assert not follower.has_entries()
    assert follower.backfill(10) == []
    following = follow(follower)
    write_journal(journal_remote, output, [authdaemond(clock, "first authdaemond line")])
    following.wait_messages("first authdaemond line")
    assert following.messages() == ["first authdaemond line"]


def test_follow_returns_when_stop_is_set(
    seeded: tuple[Path, Clock], journal_remote: Path,
    follow: Callable[[JournalFollower], Following],
) -> None:
    """Idle CPU and how soon it stops: bench/follow.py measures the file follower's."""
    output, clock = seeded
    following = follow(JournalFollower(files=[output], units=[UNIT]))
    write_journal(journal_remote, output, [authdaemond(clock, "one line")])
    following.wait_messages("one line")
    following.close()  # joins the thread and fails if follow() is still running
    assert following.thread is not None and not following.thread.is_alive()


@pytest.fixture
def world_searchable_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-journal-"))
    directory.chmod(0o755)
    yield directory
    subprocess.run(["rm", "-rf", str(directory)], check=True)


def test_unreadable_journal_is_a_sentence_for_nobody_not_for_root(
    journal_remote: Path, world_searchable_dir: Path
) -> None:
    machine_dir = world_searchable_dir / BOOT_ID
    machine_dir.mkdir()
    machine_dir.chmod(0o755)
    system_journal = machine_dir / "system.journal"
    write_journal(journal_remote, system_journal, [authdaemond(Clock(), "x")])
    system_journal.chmod(0o640)

    assert journal_has_files([world_searchable_dir])
    assert journal_access_problem([world_searchable_dir]) is None  # root
    problem = run_as_nobody(lambda: journal_access_problem([world_searchable_dir]))
    assert problem is not None
    assert "uid 65534" in problem and "systemd-journal or adm" in problem
    assert str(system_journal) in problem
    # libsystemd itself just sees nothing: why the sentence matters
    seen = run_as_nobody(lambda: JournalFollower(directory=world_searchable_dir).backfill(10))
    assert seen == []


def test_no_journal_is_not_an_access_problem(tmp_path: Path) -> None:
    assert journal_access_problem([tmp_path / "missing"]) is None
    assert not journal_has_files([tmp_path / "missing", tmp_path])


# -- choosing the source (sources.py): the journal's availability decides -----------------------


def fake_discovery(journal_dirs: tuple[Path, ...], log_files: tuple[Path, ...]) -> Discovery:
    found = discover(Settings(), root=Path(tempfile.gettempdir()) / "authlib-tui-no-such-root")
    return dataclasses.replace(found, journal_dirs=journal_dirs, log_files=log_files)


@pytest.fixture
def system_like_journal(journal_remote: Path, world_searchable_dir: Path) -> Path:
    """`<dir>/<machine-id>/system.journal` holding an authdaemond entry, mode 0640."""
    machine_dir = world_searchable_dir / BOOT_ID
    machine_dir.mkdir(mode=0o755)
    machine_dir.chmod(0o755)
    write_journal(journal_remote, machine_dir / "system.journal", [authdaemond(Clock(), "x")])
    (machine_dir / "system.journal").chmod(0o640)
    return world_searchable_dir


def test_log_file_flag_wins(system_like_journal: Path, tmp_path: Path) -> None:
    flag = tmp_path / "mine.log"
    choice = choose_sources(fake_discovery((system_like_journal,), ()), Settings(), flag)
    assert (choice.primary, choice.files, choice.journal_dirs) == ("files", (flag,), ())
    assert any("--log-file" in note for note in choice.notes)


def test_readable_journal_with_entries_is_primary(
    system_like_journal: Path, tmp_path: Path
) -> None:
    maillog = tmp_path / "maillog"
    maillog.touch()
    choice = choose_sources(fake_discovery((system_like_journal,), (maillog,)), Settings())
    assert choice.primary == "journal"
    assert choice.journal_directory == system_like_journal
    assert choice.files == (maillog,)
    assert choice.units[0] == "courier-authdaemon.service"
    assert any("not read: the journal" in note for note in choice.notes)


def test_journal_without_our_entries_falls_back_to_files(
    journal_remote: Path, world_searchable_dir: Path, tmp_path: Path
) -> None:
    machine_dir = world_searchable_dir / BOOT_ID
    machine_dir.mkdir()
    write_journal(journal_remote, machine_dir / "system.journal", [other(Clock(), "sshd only")])
    maillog = tmp_path / "maillog"
    choice = choose_sources(fake_discovery((world_searchable_dir,), (maillog,)), Settings())
    assert (choice.primary, choice.files) == ("files", (maillog,))
    assert any(note.startswith("the journal has no entries for") for note in choice.notes)


def test_no_journal_and_no_files_say_so(tmp_path: Path) -> None:
    choice = choose_sources(fake_discovery((), ()), Settings())
    assert choice.primary == "files" and choice.files == ()
    assert "no journal on this machine" in choice.notes
    assert any(note.startswith("no mail log file at /var/log/") for note in choice.notes)
    empty_dir = tmp_path / "journal"
    empty_dir.mkdir()
    assert (
        "no journal on this machine"
        in choose_sources(fake_discovery((empty_dir,), ()), Settings()).notes
    )


def test_unreadable_journal_is_named_with_the_groups_to_join(system_like_journal: Path) -> None:
    discovery = fake_discovery((system_like_journal,), ())
    choice = run_as_nobody(lambda: choose_sources(discovery, Settings()))
    assert choice.primary == "files"
    assert "journal not readable: join group systemd-journal or adm" in choice.notes

"""The fix runner with the real /bin/sh: audited before and after, a timeout that leaves
nothing behind, and no run at all when the audit log cannot take the line."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOBODY_UID, run_as_nobody
from tests.waiting import wait_until
from tui.core.fixes.audit import ABOUT_TO_RUN, ENDED, read_audit
from tui.core.fixes.runner import FixesNotAllowed, FixRun, run_fix


def test_each_command_is_on_record_before_it_runs_and_after(tmp_path: Path) -> None:
    audit = tmp_path / "audit.log"
    seen_by_the_command = tmp_path / "seen"
    # The command copies the audit log as it is while the command runs.
    command = f"cp {audit} {seen_by_the_command}; echo done"
    output: list[str] = []
    runs = run_fix((command,), allowed=True, audit_log=audit, check="c", on_output=output.append)
    assert [run.ok for run in runs] == [True]
    assert output == [f"$ {command}", "done"]
    during = read_audit(seen_by_the_command)
    assert [(r["event"], r["command"], r["check"]) for r in during] == [
        (ABOUT_TO_RUN, command, "c")]
    after = read_audit(audit)
    assert [r["event"] for r in after] == [ABOUT_TO_RUN, ENDED]
    assert after[1]["exit_code"] == 0 and after[1]["command"] == command


def test_not_allowed_runs_nothing_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FixesNotAllowed):
        run_fix((f"touch {tmp_path / 'x'}",), allowed=False, audit_log=tmp_path / "a", check="c")
    assert list(tmp_path.iterdir()) == []


def test_the_first_failure_stops_the_rest_and_is_audited(tmp_path: Path) -> None:
    audit = tmp_path / "audit.log"
    later = tmp_path / "later"
    runs = run_fix(("echo oops >&2; exit 3", f"touch {later}"), allowed=True,
                   audit_log=audit, check="c")
    assert [(run.exit_code, run.output) for run in runs] == [(3, "oops\n")]
    assert not later.exists()
    assert [(r["event"], r.get("exit_code")) for r in read_audit(audit)] == [
        (ABOUT_TO_RUN, None), (ENDED, 3)]


def _alive(pid: int) -> bool:
    """A process that still runs; a zombie waiting for its parent to reap it does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_timeout_kills_the_whole_group_and_is_audited(tmp_path: Path) -> None:
    audit = tmp_path / "audit.log"
    pids = tmp_path / "pids"
    # A shell that starts a child shell, which starts a background sleep and sleeps itself;
    # every pid is written down before the sleeping starts.
    command = (f"echo $$ > {pids}; sh -c 'echo $$ >> {pids}; sleep 100 & echo $! >> {pids}; "
               f"sleep 100'")
    output: list[str] = []
    runs = run_fix((command,), allowed=True, audit_log=audit, check="c", timeout=1.0,
                   on_output=output.append)
    assert [run.exit_code for run in runs] == [None]
    assert output[-1] == "killed after 1 s"
    started = [int(line) for line in pids.read_text().split()]
    assert len(started) == 3
    wait_until(lambda: not any(_alive(pid) for pid in started), timeout=10,
               what=f"the fix's processes {started} to be gone")
    records = read_audit(audit)
    assert [(r["event"], r.get("exit_code")) for r in records] == [
        (ABOUT_TO_RUN, None), (ENDED, None)]
    assert isinstance(records[1]["seconds"], float)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory nobody may write in (tmp_path's parents are root's alone)."""
    with tempfile.TemporaryDirectory(prefix="authlib-fix-") as name:
        path = Path(name)
        path.chmod(0o777)
        yield path


def test_an_unwritable_audit_log_means_the_fix_does_not_run(shared_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("dropping to nobody needs root")
    logs = shared_dir / "logs"
    logs.mkdir(mode=0o755)
    audit = logs / "audit.log"
    audit.write_text("")
    audit.chmod(0o600)  # root's: nobody cannot append
    side_effect = shared_dir / "touched"
    command = f"touch {side_effect}"

    def attempt() -> tuple[list[FixRun], list[str]]:
        output: list[str] = []
        return run_fix((command, command), allowed=True, audit_log=audit, check="c",
                       on_output=output.append), output

    runs, output = run_as_nobody(attempt)

    assert not side_effect.exists()
    assert len(runs) == 1 and not runs[0].ok and runs[0].exit_code is None
    assert runs[0].refused == (f"Not run: cannot write the audit log {audit}: Permission "
                               "denied; a fix runs only once it is on record.")
    assert output == [runs[0].refused]  # said to the user; no `$ command` line
    assert audit.read_text() == ""
    # The same command as nobody with a log it may write: it does run (the test can fail).
    nobody_logs = shared_dir / "nobody-logs"
    nobody_logs.mkdir(mode=0o700)
    os.chown(nobody_logs, NOBODY_UID, -1)
    writable = nobody_logs / "audit.log"
    writable.touch()
    os.chown(writable, NOBODY_UID, -1)
    ran = run_as_nobody(lambda: run_fix((command,), allowed=True, audit_log=writable,
                                        check="c"))
    assert [run.ok for run in ran] == [True] and side_effect.exists()


def test_an_outcome_that_cannot_be_recorded_is_said(tmp_path: Path) -> None:
    """The command itself takes the log away (a directory where it was): the "ended" line
    fails, and the run says so instead of pretending it is on record."""
    audit = tmp_path / "audit.log"
    output: list[str] = []
    runs = run_fix((f"rm {audit} && mkdir {audit}",), allowed=True, audit_log=audit,
                   check="c", on_output=output.append)
    assert runs[0].exit_code == 0 and runs[0].refused is None
    assert runs[0].audit_problem == (f"It ran, but its outcome is not on record: cannot write "
                                     f"the audit log {audit}: Is a directory.")
    assert output[-1] == runs[0].audit_problem


# --- an audit log someone else could redirect or swap: refused, and so is the fix --------------


def _refused_fix(audit: Path, side_effect: Path) -> FixRun:
    output: list[str] = []
    runs = run_fix((f"touch {side_effect}",), allowed=True, audit_log=audit, check="c",
                   on_output=output.append)
    assert not side_effect.exists()  # the fix did not run
    assert len(runs) == 1 and runs[0].refused is not None and output == [runs[0].refused]
    return runs[0]


def test_an_audit_log_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    precious = tmp_path / "shadow"
    precious.write_text("root:x:0:0\n")
    (logs / "audit.log").symlink_to(precious)

    run = _refused_fix(logs / "audit.log", tmp_path / "touched")

    assert run.refused == (f"Not run: cannot write the audit log {logs / 'audit.log'}: "
                           f"{logs / 'audit.log'} is a symbolic link; authlib-tui never "
                           "writes through one; a fix runs only once it is on record.")
    assert precious.read_text() == "root:x:0:0\n"


def test_an_audit_log_in_a_group_writable_directory_is_refused(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    logs.chmod(0o770)

    run = _refused_fix(logs / "audit.log", tmp_path / "touched")

    assert f"{logs} is group-writable, so someone else could swap audit.log" in str(run.refused)
    assert list(logs.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown")
def test_an_audit_log_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    audit = logs / "audit.log"
    audit.write_text("")
    os.chown(audit, NOBODY_UID, -1)

    run = _refused_fix(audit, tmp_path / "touched")

    assert f"{audit} is owned by uid {NOBODY_UID}, not by root" in str(run.refused)
    assert audit.read_text() == ""


def test_a_new_audit_log_and_its_directory_are_private(tmp_path: Path) -> None:
    audit = tmp_path / "var" / "log" / "authlib-tui" / "audit.log"
    old_umask = os.umask(0)
    try:
        runs = run_fix(("true",), allowed=True, audit_log=audit, check="c")
    finally:
        os.umask(old_umask)
    assert [run.ok for run in runs] == [True]
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit.parent.stat().st_mode) == 0o700

"""The lab as a journald-only host: the checks, `check`, `report` and `where` read the journal.

`journal_lab` has no maillog: courierlogger's syslog datagrams become entries in
a real journal file written by systemd-journal-remote. Every reader must find
authdaemond's lines there, through the same source choice as the Logs pane.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.core.checks.headless import run_check
from tui.core.installation import Installation
from tui.core.log_sources.log_reader import open_sources
from tui.core.log_sources.recent_errors import RecentErrors, recent_errors
from tui.core.log_sources.sources import log_setup_of
from tui.core.logs.kind import Kind
from tui.lab import namespace
from tui.lab.lab import AUTHDAEMOND, Lab
from tui.lab.lab_dir import ensure_labs_base
from tui.lab.process import pid_alive
from tui.lab.seed import SECRETS

pytestmark = pytest.mark.lab

WAIT = 10.0
BAD_LINE = "this line has no equals sign"


@pytest.fixture
def journal_host(journal_lab: Lab) -> Iterator[Lab]:
    """The journald-only lab, healthy before and after the test."""
    if journal_lab.faults:
        journal_lab.apply(frozenset())
    yield journal_lab
    journal_lab.apply(frozenset())


def installation_of(lab: Lab) -> Installation:
    return Installation.from_flags({"config": str(lab.settings_file)})


def cli(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", *args], capture_output=True,
                          text=True, env=lab.environ(), timeout=90)


def wait_for_errors(lab: Lab, wanted: Callable[[RecentErrors], bool]) -> RecentErrors:
    """The latest errors once `wanted` holds: the sink writes the journal asynchronously."""
    deadline = time.monotonic() + WAIT
    while True:
        found = recent_errors(installation_of(lab), limit=50)
        if wanted(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def ids(found: RecentErrors) -> set[str]:
    return {error.signature.id for error in found.errors}


def test_the_lab_is_a_journald_only_host(journal_host: Lab) -> None:
    assert not journal_host.maillog.exists()
    assert journal_host.journal_file.is_file()
    installation = installation_of(journal_host)
    assert installation.discovery.log_files == ()
    assert installation.discovery.journal_dirs == (journal_host.journal_dir,)
    assert log_setup_of(installation) == "journald only (no mail log file)"
    where = cli(journal_host, "where")
    assert where.returncode == 0, where.stderr
    assert "log set-up      journald only (no mail log file)" in where.stdout


def test_latest_errors_come_from_the_journal(journal_host: Lab) -> None:
    journal_host.apply(frozenset({"db-password-wrong"}))
    assert not journal_host.client(read_timeout=5).lookup("foo@domain.com").found

    found = wait_for_errors(journal_host, lambda found: "db-password-wrong" in ids(found))
    assert found.read_from == "journal"
    assert {"db-connect-failed", "db-password-wrong"} <= ids(found)
    newest = found.errors[-1]
    assert newest.source == "journal"
    assert newest.line.tag == "authdaemond"
    assert newest.line.timestamp is not None and abs(time.time() - newest.line.timestamp) < 120

    reader = open_sources(installation_of(journal_host))
    try:
        assert reader.choice.primary == "journal"
        assert reader.setup() == "journald only (no mail log file)"
        entries = [entry for batch in reader.backfill(200, None) for entry in batch]
    finally:
        reader.close()
    assert any(entry.kind is Kind.AUTH and entry.signature is not None
               and entry.signature.id == "db-password-wrong" for entry in entries)


def test_startup_errors_check_is_ok_on_a_healthy_journal_host(journal_host: Lab) -> None:
    # Before the bad-line test below: the errors of a daemon that exited seconds before
    # these workers started are within the check's clock tolerance.
    run = run_check(installation_of(journal_host), 30)
    startup = next(result for result in run.results if result.id == "startup-errors")
    assert startup.status.name == "OK"
    assert startup.evidence == ("read: journal",)


def test_startup_errors_check_reads_the_journal(journal_host: Lab) -> None:
    """A bad authdaemonrc line: the daemon logs it and exits; the check finds it in the journal."""
    journal_host.stop_daemon()
    rc = journal_host.authdaemonrc
    rc.write_text(rc.read_text() + BAD_LINE + "\n")
    namespace.run_in_namespace(journal_host.state.holder_pid, [AUTHDAEMOND, "start"])
    found = wait_for_errors(journal_host, lambda found: "authdaemonrc-bad-line" in ids(found))
    assert "authdaemonrc-bad-line" in ids(found)

    run = run_check(installation_of(journal_host), 30)
    startup = next(result for result in run.results if result.id == "startup-errors")
    assert startup.status.name == "FAIL"
    assert "exited at start-up" in startup.finding
    assert any(line.startswith("journal: Bad line in") for line in startup.evidence)

    done = cli(journal_host, "check", "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    checks = {check["id"]: check for check in json.loads(done.stdout)["checks"]}
    assert checks["startup-errors"]["status"] == "fail"


def test_report_takes_its_log_lines_from_the_journal(journal_host: Lab, tmp_path: Path) -> None:
    journal_host.apply(frozenset({"db-password-wrong"}))
    journal_host.client(read_timeout=5).lookup("foo@domain.com")
    wait_for_errors(journal_host, lambda found: "db-password-wrong" in ids(found))
    out = tmp_path / "ticket.md"
    done = cli(journal_host, "report", "-o", str(out))
    assert done.returncode == 0, done.stderr
    report = out.read_text()
    assert "log set-up      journald only (no mail log file)" in report
    section = report.split("## Last 50 authdaemond log lines", 1)[1]
    assert "authdaemond: PGSQL_CONNECTION could not be established" in section
    for secret in SECRETS:
        assert secret not in report


def test_down_leaves_no_journal_writer_behind(journal_lab: Lab) -> None:
    """A second journald-only lab, brought up and down beside the session's."""
    second = Lab.create(log_mode="journal")
    root = second.root
    writers = [int(pid) for pid in Path(f"/proc/{second.state.sink_pid}/task/"
                                         f"{second.state.sink_pid}/children").read_text().split()]
    assert writers and all(pid_alive(pid) for pid in writers)
    second.down()
    assert not root.exists()
    assert [pid for pid in [second.state.sink_pid, *writers] if pid_alive(pid)] == []
    assert journal_lab.client().lookup("foo@domain.com").found


def test_lab_up_journal_from_the_command_line(journal_lab: Lab) -> None:
    # In the labs' base (root's, postgres traverses it), so `lab clean` finds a leftover.
    root = Path(tempfile.mkdtemp(prefix="journal-lab-", dir=ensure_labs_base()))
    up = subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "--dir", str(root), "up",
                         "--journal"], capture_output=True, text=True, timeout=120)
    try:
        assert up.returncode == 0, up.stderr
        assert "journal: " in up.stdout and "maillog" not in up.stdout
        lab = Lab.load(root)
        assert lab.journal_only and lab.journal_file.is_file()
        assert f'journal_dir = "{lab.journal_dir}"' in lab.settings_file.read_text()
    finally:
        down = subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "--dir", str(root),
                               "down"], capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    assert not root.exists()


def test_the_reload_fault_works_on_a_journal_host_and_check_says_it(journal_host: Lab) -> None:
    """`lab fault authdaemonrc-bad-line` waits for 'Bad line' in the journal (no maillog)."""
    journal_host.apply(frozenset({"authdaemonrc-bad-line"}))
    assert journal_host.daemon_pids()
    assert journal_host.client().lookup("foo@domain.com").found  # it runs on, old settings
    done = cli(journal_host, "check", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["diagnosis"] == "authdaemonrc-bad-line"
    checks = {check["id"]: check for check in document["checks"]}
    assert checks["startup-errors"]["status"] == "warn"
    assert "the next restart will fail" in checks["startup-errors"]["finding"]
    assert any(line.startswith("journal: Bad line in")
               for line in checks["startup-errors"]["evidence"])

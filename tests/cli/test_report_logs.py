"""`report` takes its log lines from where the readers look: rotated copies, the named file."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path

from tui.lab.lab import Lab


def line(moment: float, message: str) -> bytes:
    return f"{time.strftime('%b %e %H:%M:%S', time.localtime(moment))} mx authdaemond: " \
        f"{message}\n".encode()


def _report(lab: Lab, log: Path, tmp_path: Path) -> str:
    """`authlib-tui report --log-file LOG` as an admin runs it; the report's text."""
    out_file = tmp_path / "ticket.md"
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "report", "-o", str(out_file),
         "--log-file", str(log)],
        capture_output=True, text=True, env=lab.environ(), timeout=90)
    assert done.returncode == 0, done.stderr
    return out_file.read_text()


def test_report_reads_the_named_file_and_its_rotated_copies(
    healthy_lab: Lab, tmp_path: Path
) -> None:
    """Just after a rotation the live file is empty: the lines are in `maillog-….gz`."""
    log = tmp_path / "maillog"
    log.write_bytes(b"")
    with gzip.open(tmp_path / "maillog-20261130.gz", "wb") as out:
        out.write(line(time.time() - 7200, "Installing libauthpgsql.so.0")
                  + line(time.time() - 3600, "PGSQL_CONNECTION could not be established"))
    report = _report(healthy_lab, log, tmp_path)
    assert f"the log file named by --log-file or the settings: {log} (+1 rotated)" in report
    section = report.split("authdaemond log lines", 1)[1]
    assert section.index("Installing libauthpgsql.so.0") < section.index(
        "PGSQL_CONNECTION could not be established")


def test_report_counts_each_error_over_the_log_and_its_rotated_copies(
    healthy_lab: Lab, tmp_path: Path
) -> None:
    """How often, over everything kept: the live file, a plain and a compressed copy."""
    log = tmp_path / "mail.log"
    failed = "ERR: PGSQL_CONNECTION could not be established"
    log.write_bytes(line(time.time(), failed) + line(time.time(), "Installing libauthpgsql.so"))
    (tmp_path / "mail.log.1").write_bytes(line(time.time() - 3600, failed) * 3)
    with gzip.open(tmp_path / "mail.log.2.gz", "wb") as out:
        out.write(line(time.time() - 86400, failed) * 5
                  + line(time.time() - 86400, "ERR: Bad line in /etc/courier/authdaemonrc: x"))
    section = _report(healthy_lab, log, tmp_path).split(
        "## authdaemond errors in the whole log", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert f"Read: {log} (+2 rotated)" in section
    assert "- 9 × `db-connect-failed`" in section
    assert "- 1 × `authdaemonrc-bad-line`" in section
    assert "Installing" not in section  # information, not an error

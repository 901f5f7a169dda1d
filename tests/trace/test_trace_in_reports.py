"""A trace in the ticket's documents: `report --trace QUERY` and the incident note.

Both quote the text `trace` prints, fenced, so the story reads the same in a
ticket as on the terminal, and hostile text cannot close the fence or drive a
terminal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.trace.test_exact_lines import DELIVERED_LATER, PASSWORD_WRONG, write
from tui.core.checks.incident_note import IncidentNote
from tui.core.installation import Installation
from tui.core.trace.query import parse_query
from tui.core.trace.report_section import trace_section
from tui.core.trace.trace import run_trace


def settings(tmp_path: Path) -> Path:
    """A host whose log is `maillog` here, with no socket and no Postfix to ask."""
    path = tmp_path / "settings.toml"
    path.write_text(f'socket = "{tmp_path / "no-socket"}"\n'
                    f'log_files = ["{tmp_path / "maillog"}"]\n'
                    f'postfix_dir = "{tmp_path}"\n')
    return path


def report(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "report", "-o", str(tmp_path / "ticket.md"),
         "--timeout", "20", "--config", str(settings(tmp_path)), *args],
        capture_output=True, text=True, timeout=120)


def test_report_with_trace_adds_the_story(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG + DELIVERED_LATER)
    done = report(tmp_path, "--trace", "foo@domain.com", "--trace", "nobody@domain.com")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "ticket.md").read_text()
    found = text.split("## Trace of `foo@domain.com`\n", 1)[1]
    story = " ".join(line.strip() for line in found.split("```")[1].splitlines())
    assert "061B421A1AB  tester@sender.test → foo@domain.com" in story
    assert "deferred: the database password was wrong (authdaemond 20:01:57)" in story
    assert "delivered after the fix" in story
    assert "## Trace of `nobody@domain.com` (nothing found)" in text
    # The sections come after the report's own.
    assert text.index("## Checks") < text.index("## Trace of `foo@domain.com`")


def test_report_without_trace_has_no_trace_section(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG)
    done = report(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "## Trace" not in (tmp_path / "ticket.md").read_text()


def test_report_with_a_bad_trace_query_is_64_and_writes_nothing(tmp_path: Path) -> None:
    done = report(tmp_path, "--trace", "foo@domain.com\nx")
    assert done.returncode == 64
    assert done.stderr.startswith("authlib-tui: --trace: ") and done.stderr.count("\n") == 1
    assert not (tmp_path / "ticket.md").exists()


def test_the_incident_note_quotes_the_trace_before_its_timeline(tmp_path: Path) -> None:
    evil = ("Dec 01 20:01:57 sandbox postfix/pipe[3868]: 0CDF121A01E: to=<x@domain.com>, "
            "relay=vmaildrop, delay=0.01, delays=0/0/0/0.01, dsn=4.3.0, status=deferred "
            "(temporary failure. Command output: ``` \x1b[31mred )")
    write(tmp_path / "maillog", [*PASSWORD_WRONG, evil])
    installation = Installation.from_flags({"config": str(settings(tmp_path))})
    note = IncidentNote(installation)
    note.start("mail to foo@domain.com deferred")
    for query in ("foo@domain.com", "0CDF121A01E"):
        note.add_section(trace_section(run_trace(installation, parse_query(query),
                                                 ask_authdaemond=False)))
    text = note.render()
    assert text.index("## Trace of `foo@domain.com`") < text.index("## Timeline")
    assert "deferred: the database password was wrong" in text
    quoted = text.split("## Trace of `0CDF121A01E`\n", 1)[1].split("## Timeline")[0]
    assert quoted.count("```") == 2  # the log's backticks do not end the block
    assert "\x1b" not in text

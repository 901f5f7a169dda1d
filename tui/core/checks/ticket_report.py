"""`authlib-tui report`: the bundle an admin attaches to a ticket, secrets masked.

Checks with their evidence, what discovery found and why, a summary of both
config files (findings and the masked connection string, never the file), how
often each authdaemond error occurs in the whole mail log and its rotated copies
(how long and how much, which the last lines cannot say), and the last
authdaemond log lines, each sanitised like the screen.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence

from tui.core.checks.output import CheckRun, as_text
from tui.core.discovery.discover import render_where
from tui.core.installation import Installation
from tui.core.log_sources.log_reader import open_sources
from tui.core.log_sources.sources import SourceChoice, log_setup, sources_of
from tui.core.logs.kind import Kind
from tui.core.password_mask import mask_passwords
from tui.core.safe_text import safe_text

DEFAULT_LOG_LINES = 50


def fenced(text: str) -> list[str]:
    """`text` in a Markdown code block that no backticks inside can end."""
    return ["```", *text.rstrip("\n").replace("```", "'''").splitlines(), "```"]


def _config_summary(installation: Installation) -> list[str]:
    """One line per config fact; paths, module names and findings are sanitised like the screen."""
    lines: list[str] = []
    rc = installation.authdaemonrc
    if rc is not None:
        lines.append(f"- authdaemonrc `{rc.path}`: authmodulelist=`{' '.join(rc.module_list)}`, "
                     f"daemons={rc.daemons}, DEBUG_LOGIN={rc.debug_login}")
    config = installation.authpgsqlrc
    if config is not None and config.connection is not None:
        lines.append(f"- authpgsqlrc: PGSQL_CONNECTION `{config.connection.masked()}`")
    for finding in installation.config_findings():
        where = f" [{finding.where}]" if finding.where else ""
        lines.append(f"- {finding.severity.value.upper()}: {finding.message}{where}")
    return [safe_text(line, 2000) for line in lines] or ["- no config file was read"]


def _log_lines(installation: Installation, count: int) -> list[str]:
    reader = open_sources(installation)
    try:
        entries = [entry for batch in reader.backfill(count * 4, None) for entry in batch
                   if entry.kind is Kind.AUTH]
    finally:
        reader.close()
    shown = []
    for entry in entries[-count:]:
        stamp = (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.timestamp))
                 if entry.timestamp else "?")
        shown.append(safe_text(f"{stamp} {entry.tag}: {entry.message}", 1000))
    return shown or [f"(no authdaemond lines; read: {reader.describe()})"]


def _error_counts(choice: SourceChoice) -> list[str]:
    """Each authdaemond error signature's count over the log files the Logs pane reads."""
    from tui.core.logs.catalogue.registry import SIGNATURES_BY_ID
    from tui.core.logs.rotated import describe_files
    from tui.core.logs.scan import count_with_rotations

    if choice.primary == "journal" or not choice.files:
        return ["- not counted: authdaemond logs to the journal here "
                "(`journalctl -t authdaemond -p warning` lists them)"]
    lines = [f"Read: {describe_files(choice.files)}", ""]
    for path in choice.files:
        counts = count_with_rotations(path)
        if not counts:
            lines.append(f"- {path}: no authdaemond warning or error")
            continue
        lines.append(f"- {path}:")
        for signature_id, count in counts.most_common():
            signature = SIGNATURES_BY_ID.get(signature_id)
            short = signature.short or signature.meaning if signature else ""
            lines.append(f"  - {count} × `{signature_id}`: {safe_text(short, 200)}")
    return lines


def render_report(installation: Installation, run: CheckRun,
                  log_lines: int = DEFAULT_LOG_LINES,
                  sections: Sequence[Sequence[str]] = ()) -> str:
    """The report; `sections` are Markdown sections a caller adds at the end (a trace of the
    mail the ticket is about), already sanitised; passwords are masked over all of it."""
    choice = sources_of(installation)  # the set-up line and the counts read the same source
    lines = [
        f"# authlib report — {socket.gethostname()}",
        "",
        f"Written {time.strftime('%Y-%m-%d %H:%M:%S %z')} by authlib-tui; secrets are masked.",
        "",
        "## Checks",
        "",
        *fenced(as_text(run)),
        "",
        "## Discovery",
        "",
        *fenced(render_where(installation.discovery, installation.settings,
                              log_setup(choice))),
        "",
        "## Configuration",
        "",
        *_config_summary(installation),
        "",
        "## authdaemond errors in the whole log and its rotated copies",
        "",
        *_error_counts(choice),
        "",
        f"## Last {log_lines} authdaemond log lines",
        "",
        *fenced("\n".join(_log_lines(installation, log_lines))),
    ]
    for section in sections:
        lines += ["", *section]
    return mask_passwords("\n".join(lines) + "\n")

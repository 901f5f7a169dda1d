"""A trace as a Markdown section, for `report --trace` and the incident note.

The checks' renderers take it as plain lines (they sit below the trace and do
not import it); the text is the one `trace` prints, already sanitised, and the
renderers mask passwords over the whole document.
"""

from __future__ import annotations

from tui.core.checks.ticket_report import fenced
from tui.core.safe_text import safe_text
from tui.core.trace.text import trace_text
from tui.core.trace.trace import TraceReport


def trace_section(report: TraceReport) -> list[str]:
    """`## Trace of QUERY` and the trace's text, fenced."""
    query = safe_text(report.query.text, 400).replace("`", "'")
    found = "" if report.found else " (nothing found)"
    return [f"## Trace of `{query}`{found}", "", *fenced(trace_text(report))]

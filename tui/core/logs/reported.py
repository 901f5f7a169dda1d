"""Which of authdaemond's lines are reported: the strip's last error, the Overview's list.

Kept apart from the readers of recent errors so that the monitor can tell, line by
line and without importing those readers, that a followed line is one the next
health run will report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.findings import Severity
from tui.core.logs.kind import Kind

if TYPE_CHECKING:
    from tui.core.logs.catalogue.record import Signature
    from tui.core.logs.entry import LogEntry

REPORTED_SEVERITIES = frozenset({Severity.WARNING, Severity.ERROR})
# Kept too, though only INFO: where one run of the daemon ends and the next begins.
START_MARKERS = frozenset({"daemon-started"})


def is_kept(signature: Signature | None) -> bool:
    """A warning, an error or a start line: what the recent errors keep."""
    return signature is not None and (signature.severity in REPORTED_SEVERITIES
                                      or signature.id in START_MARKERS)


def is_reported_error(entry: LogEntry) -> bool:
    """A followed line the recent errors would list: one of authdaemond's warnings or errors
    (not a start line, not the masked rest of a password)."""
    signature = entry.signature
    return (entry.kind is Kind.AUTH and not entry.continued and signature is not None
            and signature.severity in REPORTED_SEVERITIES)

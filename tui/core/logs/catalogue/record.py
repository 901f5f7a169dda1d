"""One catalogue record: everything known about one log message, in one value.

A maintainer adding a message writes one of these in its family's module: how to
spot it (a regex, as text: the matcher compiles it), what it means, how bad it
is, the wizard step that deals with it, the remedy and real example lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source


@dataclass(frozen=True)
class Signature:
    """One kind of message: a stable id, how to spot it, what it means and what to do."""

    id: str
    # Anchored at the start of the message: a looked-up address is attacker-controlled and
    # appears inside debug lines, so "contains Cannot open" must not match.
    pattern: str
    severity: Severity
    meaning: str
    # The wizard step that fixes it; "" = nothing to fix.
    wizard_step: WizardStep | Literal[""] = ""
    short: str = ""  # one short line for the annotation under a log line
    # The mail is gone for good (bounced back to the sender), not just delayed: worse than
    # any other error, so a view ranks it above everything else.
    mail_lost: bool = False
    remedy: Remedy | None = None  # None: information, nothing to do
    # Real lines as they reach the log (the program's own format string, values filled in);
    # the first is the one docs/failures.md shows. Tests classify each back to this record.
    examples: tuple[str, ...] = ()
    # The syslog level the line arrives at, where it is not err ("" = err).
    logged_at: str = ""
    # The format strings in the programs' sources this record explains (file and text);
    # every record names one, and its examples are those strings filled in.
    sources: tuple[Source, ...] = ()

    @property
    def normal(self) -> bool:
        """A line of normal work (a delivery, a login, a start): nothing to fix."""
        return self.severity is Severity.INFO and not self.wizard_step and self.remedy is None

    @property
    def rank(self) -> int:
        """Severity rank, with a lost mail one above the worst error."""
        return self.severity.rank + (1 if self.mail_lost else 0)

"""courierlogger, which writes authdaemond's lines to syslog and cuts them at 511 bytes."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "orphan-fragment",
        r"(?!)",  # never matched by pattern: see matcher/orphan.py
        Severity.WARNING,
        "The tail of a line longer than 511 bytes (usually a debug `SQL query:`): courierlogger "
        "cut it and logged the rest as a separate info line; lines after it may be lost.",
        wizard_step=WizardStep.DEBUG_TRUNCATION,
        short="cut-off tail of a long debug line (courierlogger 511-byte limit)",
        sources=(
            Source(AUTHLIB, "logger.c",
                   "the tail of a line over 511 bytes, logged as its own line"),
        ),
        examples=("SING(domain) WHERE username = 'foo' AND enabled = 1",),
        remedy=Remedy(
            "A log line longer than 511 bytes was cut by courierlogger; this is its tail, and the "
            "lines after it may be lost.",
            "The `SQL query:` line just before it ends at 511 bytes.",
            "Don't trust DEBUG_LOGIN output with long queries; run the SELECT yourself "
            "(`authlib-tui check`, select-runs).",
        ),
    ),
)

ORPHAN_FRAGMENT = SIGNATURES[0]

FAMILY = Family("courierlogger", Channel.CONTEXT, SIGNATURES)

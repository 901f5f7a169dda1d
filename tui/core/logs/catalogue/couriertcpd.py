"""couriertcpd, which accepts the IMAP/POP3 connections and limits them per address."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import COURIERTCPD
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "connection-limit-per-ip",
        r"^Maximum connection limit reached for ",
        Severity.WARNING,
        "One address holds as many connections as MAXPERIP allows; couriertcpd closes the new "
        "one before any login. A scanner or a password guesser, or many mail clients behind one "
        "NAT address.",
        wizard_step=WizardStep.PASSWORD_GUESSING,
        short="too many connections from one address",
        logged_at="alert",
        sources=(Source(COURIERTCPD, "tcpd/tcpd.c",
                        "ALERT: Maximum connection limit reached for %s"),),
        examples=("Maximum connection limit reached for ::ffff:192.0.2.7",),
        remedy=Remedy(
            "couriertcpd allows MAXPERIP connections from one address (imapd's and pop3d's "
            "config files); this address reached it.",
            "`ss -tn state established '( sport = :143 or sport = :993 )'` and count the "
            "address; LOGIN FAILED lines from it mean password guessing.",
            "Guessing: fail2ban's courier filters ban the address. A real office behind one "
            "address: raise MAXPERIP in the imapd (or pop3d) config and restart it.",
        ),
    ),
)

FAMILY = Family("couriertcpd", Channel.PROGRAM, SIGNATURES)

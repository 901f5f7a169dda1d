"""Courier IMAP/POP3 (or webmail) after a login's lookup failed temporarily."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import COURIER_IMAP
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "login-tempfail",
        r"^authentication error: (?P<error>.*)",
        Severity.ERROR,
        "A Courier IMAP/POP3 login got a temporary failure from authlib and the client was "
        "told 'Temporary problem': authdaemond's module failed (database, credentials or its "
        "rc file; its line at the same moment names it) or authdaemond could not be reached.",
        wizard_step=WizardStep.TEMPORARY_FAILURE,
        short="login failed temporarily: authdaemond's lookup failed",
        logged_at="err, by imapd or pop3d (courierpop3login), not authdaemond",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C", 'perror("ERR: authentication error")'),
            Source(COURIER_IMAP, "imap/pop3login.C", 'perror("ERR: authentication error")'),
        ),
        examples=("authentication error: Input/output error",),
        remedy=Remedy(
            "A Courier IMAP/POP3 login's lookup failed temporarily: authdaemond's module could not "
            "use its database or rc file, or authdaemond was not reachable (then the error reads "
            "Connection refused or No such file or directory).",
            "The authdaemond lines of the same second in {mail_log}; `authlib-tui check` "
            "(lookup-answers).",
            "Explain authdaemond's line from the same moment and fix what it names; with none, "
            "`authlib-tui check`.",
        ),
    ),
)

FAMILY = Family("courier_login", Channel.AUTHDAEMOND, SIGNATURES)

"""authtest's own output on a terminal: the verdict, and the account it found.

authtest asks through the same client library as maildrop and imapd, so its
`Authentication FAILED:` carries the library's errno: EPERM is a plain "no",
anything else a temporary failure.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHTEST
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import LOOKUP_CONFIRM, Remedy
from tui.core.logs.catalogue.source import Source

_FAILED = Source(AUTHTEST, "authtest.c", 'perror("Authentication FAILED")')

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "authtest-rejected",
        r"^Authentication FAILED: Operation not permitted",
        Severity.INFO,
        "authdaemond answered no: the address is not an account here, or (with a password "
        "given) the password is wrong. Not a fault of authlib.",
        wizard_step=WizardStep.NOT_A_MAILBOX,
        short="authdaemond said no: unknown account or wrong password",
        sources=(_FAILED,),
        examples=("Authentication FAILED: Operation not permitted",),
        remedy=Remedy(
            "No module in authmodulelist knows the address, or the password does not match.",
            LOOKUP_CONFIRM,
            "Create the account or correct the address; for a password, reset it in the "
            "database.",
        ),
    ),
    Signature(
        "authtest-tempfail",
        r"^Authentication FAILED: ",
        Severity.ERROR,
        "The lookup failed temporarily (authdaemond unreachable, or its module could not use "
        "the database): maildrop would defer mail and imapd refuse logins the same way.",
        wizard_step=WizardStep.TEMPORARY_FAILURE,
        short="the lookup failed temporarily",
        sources=(_FAILED,),
        examples=("Authentication FAILED: Input/output error",
                  "Authentication FAILED: Connection refused"),
        remedy=Remedy(
            "authdaemond is not running or not reachable (Connection refused, No such file or "
            "directory), or its module failed (Input/output error: its ERR line names why).",
            "`authlib-tui check`; authdaemond's lines in {mail_log} at the same second.",
            "Explain authdaemond's line from the same moment and fix what it names; with none, "
            "start authdaemond (`{start}`).",
        ),
    ),
    Signature(
        "authtest-uid-missing",
        r"\(\*\*\* UID/GID initialization error\*\*\*\)",
        Severity.ERROR,
        "The account was found but its row gives no uid/gid and no system user name: "
        "maildrop cannot deliver to it.",
        wizard_step=WizardStep.SELECT_CLAUSE,
        short="the account has no uid/gid",
        sources=(Source(AUTHTEST, "authtest.c", " (*** UID/GID initialization error***)"),),
        examples=("Authenticated: joe@example.com  (*** UID/GID initialization error***)",),
        remedy=Remedy(
            "The SELECT returns no uid and gid (and no system user) for this account.",
            "`authlib-tui check` (select-runs) shows the row.",
            "Make the row's uid and gid columns numbers (the mail user's ids).",
        ),
    ),
    Signature(
        "authtest-succeeded",
        r"^(?:Authentication succeeded\.|Authenticated: \S+ +\((?:system username: |uid \d)"
        r"|Password change succeeded\.)",
        Severity.INFO,
        "authtest found the account: the lines after it are what authdaemond returned (home, "
        "maildir, quota, options), the values maildrop and imapd use.",
        short="the account was found",
        sources=(
            Source(AUTHTEST, "authtest.c", "Authentication succeeded."),
            Source(AUTHTEST, "authtest.c", "     Authenticated: %s "),
            Source(AUTHTEST, "authtest.c", "Password change succeeded."),
        ),
        examples=("Authentication succeeded.",
                  "Authenticated: joe@example.com  (uid 5000, gid 5000)",
                  "Authenticated: joe@example.com  (system username: vmail)"),
    ),
    Signature(
        "authtest-account-field",
        r"^(?:Home Directory|Maildir|Quota|Options): ",
        Severity.INFO,
        "One value of the account authtest found; `(none)` means the column is NULL (an empty "
        "value prints as nothing).",
        short="a value of the account found",
        sources=(
            Source(AUTHTEST, "authtest.c", "    Home Directory: %s"),
            Source(AUTHTEST, "authtest.c", "           Maildir: %s"),
            Source(AUTHTEST, "authtest.c", "             Quota: %s"),
            Source(AUTHTEST, "authtest.c", "           Options: %s"),
        ),
        examples=("Home Directory: /home/vmail/example.com/joe", "Maildir: (none)"),
    ),
)

FAMILY = Family("authtest", Channel.PROGRAM, SIGNATURES)

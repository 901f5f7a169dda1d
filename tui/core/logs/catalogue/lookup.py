"""What one lookup did, as DEBUG_LOGIN=1|2 makes authdaemond and its module log it.

Each explains a temporary failure or a not-found address; DEBUG_LOGIN=2 also writes
the passwords.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import BOOTSTRAP_FIX, LOOKUP_CONFIRM, SELECT_CONFIRM, Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "debug-passwords-logged",
        r"^(?:Authenticated: clearpasswd=|supplied password '|setpass SQL: |Old password="
        r"|binding to LDAP server as DN '[^']*', password ')",
        Severity.WARNING,
        "DEBUG_LOGIN=2 writes passwords into the mail log (authlib-tui masks them); anyone who "
        "can read the log can read them.",
        wizard_step=WizardStep.DEBUG_LOGIN_PASSWORDS,
        short="DEBUG_LOGIN=2: passwords in the mail log (masked here)",
        logged_at="info (Authenticated:) or debug",
        sources=(
            Source(AUTHLIB, "debug.c", "%sclearpasswd=%s, passwd=%s"),
            Source(AUTHLIB, "authpgsqllib.cpp",
                   "supplied password '%s' does not match clearpasswd '%s'"),
            Source(AUTHLIB, "authpgsqllib.cpp", "setpass SQL: %s"),
        ),
        examples=("Authenticated: clearpasswd=<null>, passwd=$6$rounds=5000$x",),
        remedy=Remedy(
            "DEBUG_LOGIN=2 in {authdaemonrc}: authdaemond logs passwords on every found lookup.",
            "`grep ^DEBUG_LOGIN {authdaemonrc}`; `authlib-tui check` (debug-login).",
            "Set DEBUG_LOGIN=0 in {authdaemonrc}, then stop and start authdaemond (`{restart}`; a "
            "HUP does not re-read it); purge the passwords from {mail_log} and its rotated copies.",
        ),
    ),
    Signature(
        "lookup-incomplete-row",
        r"^incomplete row, only \d+ fields returned",
        Severity.WARNING,
        "PGSQL_SELECT_CLAUSE returns fewer than the 6 columns authpgsql reads; the lookup is a "
        "temporary failure.",
        wizard_step=WizardStep.SELECT_CLAUSE,
        short="the SELECT returns too few columns",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp", "incomplete row, only %d fields returned"),),
        examples=("incomplete row, only 3 fields returned",),
        remedy=Remedy(
            "PGSQL_SELECT_CLAUSE returns fewer than 6 columns (username, crypt, clear, uid, gid, "
            "home, …), so the row is unusable.",
            SELECT_CONFIRM,
            "Make the SELECT return every column in authpgsql's order, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "lookup-invalid-id",
        r"^invalid value for (?:uid|gid): '",
        Severity.WARNING,
        "The row's uid or gid column is NULL or not a number; the lookup is a temporary failure "
        "(the log shows nothing else).",
        wizard_step=WizardStep.SELECT_CLAUSE,
        short="the SELECT returns a uid/gid that is not a number",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "authpgsqllib.cpp", "invalid value for uid: '%s'"),
            Source(AUTHLIB, "authpgsqllib.cpp", "invalid value for gid: '%s'"),
        ),
        examples=("invalid value for uid: ''",),
        remedy=Remedy(
            "The row's uid or gid column is NULL or not a whole number.",
            SELECT_CONFIRM,
            "Fix the row (or the clause's uid/gid expressions) so both are numbers.",
        ),
    ),
    Signature(
        "module-tempfail",
        r"^auth\w+: TEMPFAIL - no more modules will be tried",
        Severity.WARNING,
        "The module failed (database, config or SQL error; any ERR line just before names it) "
        "and authdaemond stopped there: the lookup is a temporary failure, mail is deferred.",
        wizard_step=WizardStep.TEMPORARY_FAILURE,
        short="lookup failed temporarily: mail deferred",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authdaemond.c", "%s: TEMPFAIL - no more modules will be tried"),),
        examples=("authpgsql: TEMPFAIL - no more modules will be tried",),
        remedy=Remedy(
            "The module could not answer: database down, credentials wrong, config missing or an "
            "SQL error (SQL errors are logged nowhere; only the lines before this one can tell).",
            "`authlib-tui check` runs each of these checks in turn.",
            "Explain the ERR lines just before it; with none, run `authlib-tui check` (the SELECT "
            "probe finds SQL errors).",
        ),
    ),
    Signature(
        "lookup-zero-rows",
        r"^zero rows returned",
        Severity.INFO,
        "The SELECT found no row for this address: it is not a mailbox here (or the clause "
        "looks in the wrong place).",
        wizard_step=WizardStep.NOT_A_MAILBOX,
        short="no row for this address",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp", "zero rows returned"),),
        examples=("zero rows returned",),
        remedy=Remedy(
            "No row matches the address: it is not a mailbox here, or the SELECT looks in the "
            "wrong place (domain spelled differently, disabled account).",
            LOOKUP_CONFIRM,
            "Nothing for an address that should not exist; otherwise create the mailbox or correct "
            "the SELECT.",
        ),
    ),
    Signature(
        "module-rejected",
        r"^auth\w+: REJECT - try next module",
        Severity.INFO,
        "This module does not know the address (no row, or an empty home); the next module "
        "in authmodulelist is asked.",
        wizard_step=WizardStep.NOT_A_MAILBOX,
        short="module does not know the address",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authdaemond.c", "%s: REJECT - try next module"),),
        examples=("authpgsql: REJECT - try next module",),
        remedy=Remedy(
            "The module has no usable row for the address (no row, or an empty home).",
            LOOKUP_CONFIRM,
            "As for 'zero rows returned': create the mailbox or correct its home.",
        ),
    ),
    Signature(
        "all-modules-rejected",
        r"^FAIL, all modules rejected",
        Severity.INFO,
        "No module knows the address: maildrop says 'Invalid user specified.' and the mail "
        "bounces.",
        wizard_step=WizardStep.NOT_A_MAILBOX,
        short="no module knows the address: it will bounce",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authdaemond.c", "FAIL, all modules rejected"),),
        examples=("FAIL, all modules rejected",),
        remedy=Remedy(
            "No module in authmodulelist knows the address; maildrop will bounce the mail as "
            "'Invalid user specified.'.",
            LOOKUP_CONFIRM,
            "Nothing for an address that should not exist; otherwise create the mailbox, give it "
            "a home, or add its module to authmodulelist in {authdaemonrc}.",
        ),
    ),
    Signature(
        "login-no-password",
        r"^no password available to compare",
        Severity.WARNING,
        "A login's account was found but its row has neither an encrypted nor a clear "
        "password, so every login to it fails (mail delivery, which needs no password, works).",
        wizard_step=WizardStep.LOGIN_FAILED,
        short="the account has no password: its logins fail",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "authpgsqllib.cpp", "no password available to compare"),
            Source(AUTHLIB, "authmysql.cpp", "no password available to compare for '%s'"),
            Source(AUTHLIB, "authuserdb.c", "no password available to compare"),
        ),
        examples=("no password available to compare",
                  "no password available to compare for 'joe@example.com'"),
        remedy=Remedy(
            "The crypt and clear columns the SELECT returns are both empty or NULL for this "
            "account (or PGSQL_CRYPT_PWFIELD names an empty column).",
            SELECT_CONFIRM,
            "Give the account a password in the database, or point the clause's password "
            "column at the right field.",
        ),
    ),
    Signature(
        "login-password-mismatch",
        r"^supplied password does not match (?:clearpasswd|encrypted password)",
        Severity.INFO,
        "A login gave a password that does not match the account's: a wrong password, the "
        "user's matter.",
        wizard_step=WizardStep.LOGIN_FAILED,
        short="wrong password",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp",
                        "supplied password does not match clearpasswd"),),
        examples=("supplied password does not match clearpasswd",),
        remedy=Remedy(
            "The password typed is not the account's.",
            "`authlib-tui lookup ADDRESS --password-stdin` with the password the user means.",
            "Reset the password in the database if the user lost it; many of these from one "
            "client are password guessing.",
        ),
    ),
)

FAMILY = Family("lookup", Channel.AUTHDAEMOND, SIGNATURES)

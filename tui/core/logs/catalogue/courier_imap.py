"""Courier IMAP/POP3's own login lines (imapd, pop3d, imaplogin, courierpop3login).

They ask the same authdaemond as maildrop, so a login that fails is often the first
sign of an authlib fault; a refused password, though, is the user's, not authlib's.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB, COURIER_IMAP
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import LOOKUP_CONFIRM, Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "login-failed",
        # user= and ip= are named: the login walk and the guessing count read them.
        r"^LOGIN FAILED, (?:user=(?P<user>[^,]*), ip=\[(?P<ip>[^\]]*)\]|user=|method=|ip=)",
        Severity.WARNING,
        "A client's IMAP/POP3 login was refused: authdaemond answered that the password is "
        "wrong or the account unknown. Many from one ip= are password guessing, not a fault.",
        wizard_step=WizardStep.LOGIN_FAILED,
        short="login refused: wrong password or unknown account",
        logged_at="info",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C",
                   "INFO: LOGIN FAILED, user=%s, ip=[%s], port=[%s]"),
            Source(COURIER_IMAP, "imap/pop3login.C",
                   "INFO: LOGIN FAILED, method=%s, ip=[%s], port=[%s]"),
        ),
        examples=("LOGIN FAILED, user=joe@example.com, ip=[::ffff:192.0.2.7], port=[51234]",
                  "LOGIN FAILED, method=PLAIN, ip=[::ffff:192.0.2.7], port=[51234]"),
        remedy=Remedy(
            "authdaemond found no account with that name and password: a mistyped password, "
            "an address the database does not hold, or a row without a password column. The "
            "same ip= again and again is someone guessing passwords.",
            "`authlib-tui lookup ADDRESS --password-stdin` asks authdaemond the way imapd does; "
            "`grep -c 'LOGIN FAILED.*ip=\\[ADDRESS\\]' {mail_log}` counts one address's tries.",
            "For one user: reset the password in the database. For guessing: nothing in authlib; "
            "fail2ban's courier-auth filter bans the address.",
        ),
    ),
    Signature(
        "login-home-chdir-failed",
        r"^\S+: chdir\(.*\) failed!!",
        Severity.ERROR,
        "The login was accepted but the account's home directory, as authdaemond returned it, "
        "cannot be entered: the user cannot read mail.",
        wizard_step=WizardStep.MAILBOX_HOME,
        short="the account's home directory cannot be entered",
        logged_at="warning",
        sources=(Source(AUTHLIB, "authdaemon.c", "WARN: %s: chdir(%s) failed!!"),),
        examples=("joe@example.com: chdir(/home/vmail/example.com/joe) failed!!",),
        remedy=Remedy(
            "The home column of the account's row names a directory that does not exist, or one "
            "the mail user cannot enter (a relative path is taken from where imapd runs).",
            LOOKUP_CONFIRM + " Its home= must exist and belong to {mail_user}.",
            "Create the home (`install -d -o {mail_user} -g {mail_group} HOME`) or correct the "
            "row's home column to an absolute path.",
        ),
    ),
    Signature(
        "login-maildir-missing",
        r"^chdir \S+: ",
        Severity.ERROR,
        "The login was accepted and the home entered, but the account's Maildir is not there: "
        "imapd or pop3d ends the session.",
        wizard_step=WizardStep.MAILDIR_MISSING,
        short="the account's Maildir does not exist",
        sources=(
            Source(COURIER_IMAP, "imap/imapd.C", "chdir %s: %s"),
            Source(COURIER_IMAP, "imap/pop3dserver.C", "chdir %s: %s"),
        ),
        examples=("chdir Maildir: No such file or directory",
                  "chdir ./Maildir: Permission denied"),
        remedy=Remedy(
            "The account's maildir (the row's maildir column, or ./Maildir under the home) does "
            "not exist yet or cannot be entered; maildrop creates none before the first mail.",
            LOOKUP_CONFIRM + " Look for its maildir= under its home=.",
            "Create it as the mail user: `maildirmake HOME/Maildir` run as {mail_user}.",
        ),
    ),
    Signature(
        "login-exec-failed",
        r"^exec\(\S+\) failed!!",
        Severity.ERROR,
        "After a good login the IMAP/POP3 server program could not be started: no user gets "
        "in.",
        wizard_step=WizardStep.LOGIN_FAILED,
        short="the IMAP/POP3 server program could not be started",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C", "ERR: exec(%s) failed!!"),
            Source(COURIER_IMAP, "imap/pop3login.C", "ERR: exec(%s) failed!!"),
        ),
        examples=("exec(/usr/lib/courier/imapd) failed!!",),
        remedy=Remedy(
            "imaplogin or courierpop3login could not run imapd/pop3d: the file is missing or "
            "not executable (a broken or partial upgrade).",
            "`ls -l` on the path in the line.",
            "Reinstall Courier IMAP/POP3.",
        ),
    ),
    # imapd's stderr, which couriertcpd hands to syslog: a mail file that reads short. The
    # login and authdaemond are past; the file name is the mailbox owner's, so it stays text.
    Signature(
        "imap-fetch-error",
        r"^IMAP FETCH ERROR: (?:fseek|sgetn|unexpected EOF), uid=\d+, filename=",
        Severity.ERROR,
        "imapd could not read a message file in the user's Maildir to the end (it is shorter "
        "than its headers said, or changed while read): that message cannot be fetched. Not an "
        "authlib fault; the login worked.",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="a message file in the Maildir reads short",
        sources=(Source(COURIER_IMAP, "imap/fetch.C",
                        "IMAP FETCH ERROR: %s, uid=%u, filename=%s: %s"),),
        examples=("IMAP FETCH ERROR: unexpected EOF, uid=5000, filename=/home/vmail/example.com/"
                  "joe/Maildir/cur/1733560000.M1P2.mx:2,S: BODY[]",),
        remedy=Remedy(
            "A message file was truncated (the disk filled while it was delivered, or a tool "
            "cut it) or rewritten while imapd read it.",
            "`ls -l` on the file in the line and `df -h` on its file system; a ,S=SIZE in its "
            "name gives the size it should have.",
            "Free the disk; move the damaged file out of cur/ and, if it matters, restore it "
            "from a backup.",
        ),
    ),
    Signature(
        "imap-login",
        r"^LOGIN, user=(?:(?P<user>[^,]*), ip=\[(?P<ip>[^\]]*)\])?",
        Severity.INFO,
        "A user logged in over IMAP or POP3: authdaemond accepted the password.",
        short="a login",
        logged_at="info",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C",
                   "INFO: LOGIN, user=%s, ip=[%s], port=[%s], protocol=%s%s"),
            Source(COURIER_IMAP, "imap/pop3login.C",
                   "INFO: LOGIN, user=%s, ip=[%s], port=[%s], protocol=%s%s"),
        ),
        examples=("LOGIN, user=joe@example.com, ip=[::ffff:192.0.2.7], port=[51234], "
                  "protocol=IMAP",),
    ),
    Signature(
        "imap-logout",
        r"^(?:LOGOUT|DISCONNECTED|TIMEOUT), ",
        Severity.INFO,
        "An IMAP/POP3 session ended, with the bytes it moved.",
        short="a session ended",
        logged_at="info",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C",
                   "INFO: LOGOUT, ip=[%s], port=[%s], rcvd=%lu, sent=%lu"),
            Source(COURIER_IMAP, "imap/pop3login.C", "INFO: LOGOUT, ip=[%s], port=[%s]"),
        ),
        examples=("LOGOUT, ip=[::ffff:192.0.2.7], port=[51234], rcvd=120, sent=3456",),
    ),
    Signature(
        "imap-connection",
        r"^(?:Connection|Disconnected), ip=\[",
        Severity.INFO,
        "A client connected to or left the IMAP/POP3 server (logged at debug).",
        short="a connection",
        logged_at="debug",
        sources=(
            Source(COURIER_IMAP, "imap/imaplogin.C", "DEBUG: Connection, ip=[%s], port=[%s]"),
            Source(COURIER_IMAP, "imap/pop3login.C", "DEBUG: Disconnected, ip=[%s], port=[%s]"),
        ),
        examples=("Connection, ip=[::ffff:192.0.2.7], port=[51234]",),
    ),
)

FAMILY = Family("courier_imap", Channel.PROGRAM, SIGNATURES)

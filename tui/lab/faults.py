"""The faults the lab can break itself with: each is a real failure of the real stack.

Each entry says what the admin would see, so tests, training and the demo
describe a fault the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.authdaemon.outcome import Outcome


@dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    # What a lookup of a mailbox returns with only this fault active (run as root).
    lookup_outcome: Outcome
    # Seen only once mail is delivered to foo@domain.com: the checks name it from the queue
    # or the log, not from the idle stack.
    needs_mail: bool = False
    # The status text Postfix logs for mail to foo@domain.com with only this fault active.
    delivery_text: str = ""


_DEFER = "status=deferred (temporary failure. Command output: "
_BOUNCE_UNKNOWN = "status=bounced (user unknown. Command output: "
_TEMPFAIL = "/usr/bin/maildrop: Temporary authentication failure. )"
_SENT = "status=sent (delivered via vmaildrop service)"


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault("daemon-stopped", "authdaemond stopped; its socket file is left behind (stale)",
              Outcome.CONNECT_REFUSED,
              delivery_text=_DEFER + "ERR: authdaemon: s_connect() failed: Connection refused "
              + _TEMPFAIL),
        Fault("socket-missing", "authdaemond stopped and its socket file removed",
              Outcome.CONNECT_MISSING,
              delivery_text=_DEFER + "ERR: authdaemon: s_connect() failed: No such file or "
              "directory " + _TEMPFAIL),
        Fault("socket-permission",
              "socket dir 0750 courier:courier and maildrop setgid mail only (Debian's), "
              "not setuid root: the pipe's user `mail` gets Permission denied",
              Outcome.FOUND,  # root still gets through; `nobody` gets CONNECT_DENIED
              delivery_text=_DEFER + "ERR: authdaemon: s_connect() failed: Permission denied "
              + _TEMPFAIL),
        Fault("workers-saturated",
              "daemons=2 and a 3 s SELECT (pg_sleep): concurrent lookups queue and time out",
              # found after the query's 3 s, unless the client gives up sooner
              Outcome.FOUND, delivery_text=_SENT),  # one message waits 3 s, not 30
        Fault("db-password-wrong", "authpgsqlrc has the wrong database password",
              Outcome.TEMPFAIL, delivery_text=_DEFER + _TEMPFAIL),
        Fault("db-down", "PostgreSQL is stopped", Outcome.TEMPFAIL,
              delivery_text=_DEFER + _TEMPFAIL),
        Fault("marker-missing", "authpgsqlrc lost its ##NAME: MARKER: line", Outcome.TEMPFAIL,
              delivery_text=_DEFER + _TEMPFAIL),
        Fault("old-style-keys",
              "authpgsqlrc uses PGSQL_HOST/PGSQL_USERNAME... that authlib 0.67+ no longer reads",
              Outcome.TEMPFAIL, delivery_text=_DEFER + _TEMPFAIL),
        Fault("select-permission-denied",
              "the mail role lost SELECT on uids: a silent tempfail, authdaemond logs nothing",
              Outcome.TEMPFAIL, delivery_text=_DEFER + _TEMPFAIL),
        Fault("authdaemonrc-bad-line",
              "authdaemonrc got a line without '=' and authdaemond was reloaded: it runs on "
              "with its old settings, but the next restart fails",
              Outcome.FOUND, delivery_text=_SENT),  # only a restart would stop the mail
        Fault("passwords-returned",
              "the SELECT returns crypt and cleartext passwords (non-ApisCP schemas do)",
              Outcome.FOUND, delivery_text=_SENT),
        # Faults that make authdaemond print a message the log catalogue explains; the
        # chain still works (or the checks name another cause), see LOG_FAULTS.
        Fault("module-unloadable",
              'authmodulelist="authbroken authmysql authpgsql": one module file is not a '
              "library, one is not installed; authpgsql still answers",
              Outcome.FOUND, delivery_text=_SENT),
        Fault("socket-blocked",
              "a directory stands where the socket goes: authdaemond cannot create its socket "
              "and exits at start-up",
              Outcome.CONNECT_REFUSED,
              delivery_text=_DEFER + "ERR: authdaemon: s_connect() failed: Connection refused "
              + _TEMPFAIL),
        Fault("debug-login",
              "DEBUG_LOGIN=1 and a SELECT short enough that no debug line is cut",
              Outcome.FOUND, delivery_text=_SENT),
        Fault("debug-login-passwords",
              "DEBUG_LOGIN=2 and a SELECT that returns passwords: cleartext passwords in the log",
              Outcome.FOUND, delivery_text=_SENT),
        # Delivery side: Postfix's pipe to maildrop, maildrop's own checks of the mailbox.
        Fault("maildrop-not-setuid",
              "maildrop is Debian's setgid-only binary: it cannot switch to the mailbox's uid, "
              "every delivery bounces", Outcome.FOUND,
              delivery_text='status=bounced (Command died with status 1: "/usr/bin/maildrop". '
              "Command output: setgid: Operation not permitted )"),
        Fault("maildrop-bounces-outages",
              "the vmaildrop pipe runs maildrop without -a: an authdaemond outage bounces mail "
              "instead of deferring it", Outcome.FOUND, delivery_text=_SENT),
        Fault("home-missing", "bar's home directory is gone", Outcome.FOUND, needs_mail=True,
              delivery_text=_DEFER + "/usr/bin/maildrop: Unable to change to home directory. )"),
        Fault("home-wrong-owner", "bar's home directory belongs to another uid", Outcome.FOUND,
              needs_mail=True,
              delivery_text=_DEFER + "/usr/bin/maildrop: Home directory owned by wrong user. )"),
        Fault("home-world-writable", "bar's home directory is mode 0777", Outcome.FOUND,
              needs_mail=True,
              delivery_text=_DEFER + "/usr/bin/maildrop: Invalid home directory permissions - "
              "world writable. )"),
        Fault("maildir-missing",
              "bar's Mail/ is gone: maildrop takes it for a mailbox file and cannot lock it",
              Outcome.FOUND, needs_mail=True,
              delivery_text=_DEFER + "/usr/bin/maildrop: Unable to create a dot-lock at Mail/"),
        Fault("not-a-mailbox",
              "foo@domain.com's row is disabled: not a mailbox, so its mail bounces",
              Outcome.NOT_FOUND, needs_mail=True,
              delivery_text=_BOUNCE_UNKNOWN + "Invalid user specified. )"),
    )
}

# Faults that exist for the log lines authdaemond writes, not for a diagnosis of their own.
LOG_FAULTS = frozenset({"module-unloadable", "socket-blocked", "debug-login",
                        "debug-login-passwords"})

HEALTHY = "healthy"


def validate(names: list[str]) -> frozenset[str]:
    unknown = [name for name in names if name not in FAULTS and name != HEALTHY]
    if unknown:
        known = ", ".join([HEALTHY, *FAULTS])
        raise ValueError(f"unknown fault {', '.join(unknown)}; known: {known}")
    return frozenset(name for name in names if name != HEALTHY)

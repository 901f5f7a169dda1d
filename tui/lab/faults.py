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


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault("daemon-stopped", "authdaemond stopped; its socket file is left behind (stale)",
              Outcome.CONNECT_REFUSED),
        Fault("socket-missing", "authdaemond stopped and its socket file removed",
              Outcome.CONNECT_MISSING),
        Fault("socket-permission",
              "socket dir 0750 owned by the mail user: other users get Permission denied",
              Outcome.FOUND),  # root still gets through; `nobody` gets CONNECT_DENIED
        Fault("workers-saturated",
              "daemons=2 and a 3 s SELECT (pg_sleep): concurrent lookups queue and time out",
              Outcome.FOUND),  # found after the query's 3 s, unless the client gives up sooner
        Fault("db-password-wrong", "authpgsqlrc has the wrong database password",
              Outcome.TEMPFAIL),
        Fault("db-down", "PostgreSQL is stopped", Outcome.TEMPFAIL),
        Fault("marker-missing", "authpgsqlrc lost its ##NAME: MARKER: line", Outcome.TEMPFAIL),
        Fault("old-style-keys",
              "authpgsqlrc uses PGSQL_HOST/PGSQL_USERNAME... that authlib 0.67+ no longer reads",
              Outcome.TEMPFAIL),
        Fault("select-permission-denied",
              "the mail role lost SELECT on uids: a silent tempfail, authdaemond logs nothing",
              Outcome.TEMPFAIL),
        Fault("authdaemonrc-bad-line",
              "authdaemonrc got a line without '=' and authdaemond was reloaded: it runs on "
              "with its old settings, but the next restart fails",
              Outcome.FOUND),  # mail still flows; only a restart would stop it
        Fault("passwords-returned",
              "the SELECT returns crypt and cleartext passwords (non-ApisCP schemas do)",
              Outcome.FOUND),
        # Faults that make authdaemond print a message the log catalogue explains; the
        # chain still works (or the checks name another cause), see LOG_FAULTS.
        Fault("module-unloadable",
              'authmodulelist="authbroken authmysql authpgsql": one module file is not a '
              "library, one is not installed; authpgsql still answers",
              Outcome.FOUND),
        Fault("socket-blocked",
              "a directory stands where the socket goes: authdaemond cannot create its socket "
              "and exits at start-up",
              Outcome.CONNECT_REFUSED),
        Fault("debug-login",
              "DEBUG_LOGIN=1 and a SELECT short enough that no debug line is cut",
              Outcome.FOUND),
        Fault("debug-login-passwords",
              "DEBUG_LOGIN=2 and a SELECT that returns passwords: cleartext passwords in the log",
              Outcome.FOUND),
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

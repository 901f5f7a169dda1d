"""The lab's authdaemonrc and authpgsqlrc, rendered for a set of active faults.

Faults are not edits applied one after another: the files are always
rendered from scratch for the faults in force, so `healthy` is just the empty set.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.lab.seed import (
    LAB_DB_NAME,
    LAB_DB_PASSWORD,
    LAB_DB_USER,
    LAB_WRONG_DB_PASSWORD,
    SHORT_SELECT_CLAUSE,
    select_clause,
)

HEALTHY_DAEMONS = 2  # ApisCP's courier_workers default
# The line the `authdaemonrc-bad-line` fault adds: no '=' (and no command /bin/sh could run).
BAD_AUTHDAEMONRC_LINE = "broken-by-authlib-tui-lab"
SATURATED_DAEMONS = 2  # ApisCP's default too: saturation needs only 3 concurrent lookups
SATURATED_QUERY_SECONDS = 3.0
# module-unloadable: a module file that is not a library, and one no package provides.
BROKEN_MODULE = "authbroken"
UNINSTALLED_MODULE = "authmysql"


@dataclass(frozen=True)
class DbEndpoint:
    host: str
    port: int


def render_authdaemonrc(faults: frozenset[str], workers: int | None = None) -> str:
    """`workers` (set by `lab set-workers`, like ApisCP's courier_workers) beats the fault's."""
    daemons = SATURATED_DAEMONS if "workers-saturated" in faults else HEALTHY_DAEMONS
    if workers is not None:
        daemons = workers
    modules = f"{BROKEN_MODULE} {UNINSTALLED_MODULE} authpgsql" if (
        "module-unloadable" in faults) else "authpgsql"
    debug = 2 if "debug-login-passwords" in faults else 1 if "debug-login" in faults else 0
    return (
        "##VERSION: authdaemonrc written by authlib-tui lab\n"
        "# Written by `authlib-tui lab`: Debian's authdaemond with ApisCP's settings.\n"
        f'authmodulelist="{modules}"\n'
        'authmodulelistorig="authpgsql"\n'
        f"daemons={daemons}\n"
        "authdaemonvar=/run/courier/authdaemon\n"
        f"DEBUG_LOGIN={debug}\n"
        'DEFAULTOPTIONS=""\n'
        'LOGGEROPTS=""\n'
    )


def broken_authdaemonrc(healthy: str) -> str:
    """The healthy file with a line authdaemond calls a `Bad line`."""
    return healthy + f"{BAD_AUTHDAEMONRC_LINE}\n"


def render_authpgsqlrc(db: DbEndpoint, faults: frozenset[str]) -> str:
    """ApisCP's template, changed only where a fault says so."""
    password = LAB_WRONG_DB_PASSWORD if "db-password-wrong" in faults else LAB_DB_PASSWORD
    clause = select_clause(
        with_passwords="passwords-returned" in faults,
        sleep_seconds=3.0 if "workers-saturated" in faults else 0.0,
    )
    if {"debug-login", "debug-login-passwords"} & faults:
        clause = SHORT_SELECT_CLAUSE  # returns the passwords; its debug lines are not cut
    if "old-style-keys" in faults:
        connection = (
            f"PGSQL_HOST\t\t{db.host}\n"
            f"PGSQL_PORT\t\t{db.port}\n"
            f"PGSQL_USERNAME\t\t{LAB_DB_USER}\n"
            f"PGSQL_PASSWORD\t\t{password}\n"
            f"PGSQL_DATABASE\t\t{LAB_DB_NAME}\n"
        )
    else:
        connection = (
            f"PGSQL_CONNECTION host={db.host} user={LAB_DB_USER} port={db.port} "
            f"password={password} dbname={LAB_DB_NAME}\n"
        )
    marker = "" if "marker-missing" in faults else "##NAME: MARKER:0\n"
    return (
        "##NAME: LOCATION:0\n"
        f"{connection}"
        f"PGSQL_SELECT_CLAUSE\t{clause}\n"
        "# Garbage entries\n"
        "PGSQL_USER_TABLE\tpasswd\n"
        "PGSQL_CRYPT_PWFIELD\tcrypt\n"
        "PGSQL_UID_FIELD\tuid\n"
        "PGSQL_GID_FIELD\tgid\n"
        "PGSQL_LOGIN_FIELD\tid\n"
        "PGSQL_HOME_FIELD\thome\n"
        "PGSQL_NAME_FIELD\tname\n"
        f"{marker}"
    )

"""PostgreSQL with authpgsqlrc's own credentials: the database half of a temporary failure.

authdaemond logs a failed connection but never a failed SELECT, so both are run
here: the connection (wrong password, server down, database missing: each its own
finding) and then the configured SELECT, whose SQL error is the only trace of a
lost GRANT.
"""

from __future__ import annotations

import re

from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, check
from tui.core.checks.result import Fix, Status
from tui.core.database.probe import ProbeStatus, conninfo_problem
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.platforms.platform import Platform
from tui.core.shell_words import shell_command

_PASSWORD_LINE = re.compile(r"^\s*password\s*=\s*(.*?)\s*$", re.MULTILINE)
_DENIED_TABLE = re.compile(r"permission denied for (?:table|relation) (\S+)")
_MISSING_DB = re.compile(r'database "([^"]+)" does not exist')
# PostgreSQL is not there, or not taking connections yet / any more (starting, stopping,
# or it dropped the connection while going down): the same cause and fix as down.
_NOT_ANSWERING = ("refused", "no such file", "could not connect", "timeout",
                  "the database system is shutting down", "the database system is starting up",
                  "server closed the connection unexpectedly",
                  "terminating connection due to administrator command")


def _sql_name(name: str) -> str:
    """A PostgreSQL identifier, double-quoted: a name with a quote or `;` stays one name."""
    return '"' + name.replace('"', '""') + '"'


def _grant_select(dbname: str, table: str, role: str) -> str:
    """The GRANT as one shell line; the names come from the config and PostgreSQL's error, so
    each is quoted for SQL and the whole statement and database name again for the shell."""
    grant = f"GRANT SELECT ON {_sql_name(table)} TO {_sql_name(role)}"
    return shell_command("runuser", "-u", "postgres", "--", "psql", "-d", dbname, "-c", grant)


@check(CheckId.DB_CONNECT, "PostgreSQL accepts authpgsqlrc's credentials", hop=HopId.POSTGRES,
       steps=(WizardStep.DB_DOWN, WizardStep.DB_CREDENTIALS, WizardStep.DB_CHARSET),
       decides={DiagnosisId.DB_DOWN: WizardStep.DB_DOWN,
                DiagnosisId.DB_MISSING: WizardStep.DB_DOWN,
                DiagnosisId.DB_PASSWORD_WRONG: WizardStep.DB_CREDENTIALS,
                DiagnosisId.DB_ERROR: WizardStep.DB_DOWN})
def db_connect(context: CheckContext) -> Answer:
    ping = context.db_ping
    conn = context.connection
    if ping is None or conn is None:
        return Answer(Status.SKIP, "No usable PGSQL_CONNECTION.")
    shown = conn.masked()
    if ping.status in (ProbeStatus.ROWS, ProbeStatus.NO_ROWS):
        return Answer(Status.OK,
                      f"Connected as {conn.params.get('user', '?')} "
                      f"({ping.elapsed_ms:.0f} ms).", (shown,))
    problem = conninfo_problem(conn)
    if problem is not None:  # libpq refused the string: PostgreSQL was never asked
        return Answer(Status.FAIL,
                      f"{problem}: every lookup is a temporary failure "
                      "('PGSQL_CONNECTION could not be established' in the log).",
                      (shown,), Fix("Correct PGSQL_CONNECTION in authpgsqlrc (it is "
                                    "re-read on the next lookup, no restart)."),
                      diagnosis=DiagnosisId.DB_ERROR)
    error = ping.error
    lowered = error.lower()
    evidence = (shown, f"PostgreSQL: {error}")
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        commands = context.commands.sync_db_password
        fix = (Fix("authpgsqlrc's password is not the mail role's: put the right one back.",
                   commands) if commands else
               Fix("authpgsqlrc's password is not the mail role's. Put the role's password in "
                   "PGSQL_CONNECTION (authpgsqlrc is re-read on the next lookup, no restart).",
                   diff="PGSQL_CONNECTION … password=<the mail role's password> …"))
        return Answer(
            Status.FAIL,
            "The password in authpgsqlrc is wrong: every lookup is a temporary failure "
            "('PGSQL_CONNECTION could not be established' in the log).",
            evidence, fix, diagnosis=DiagnosisId.DB_PASSWORD_WRONG)
    if (missing := _MISSING_DB.search(error)) is not None:
        return Answer(
            Status.FAIL,
            f"The database {missing.group(1)!r} named by dbname= does not exist.", evidence,
            Fix("Correct dbname= in PGSQL_CONNECTION.", diff="PGSQL_CONNECTION … dbname=<the "
                "mail database> …"), diagnosis=DiagnosisId.DB_MISSING)
    if ping.status is ProbeStatus.TIMEOUT or any(word in lowered for word in _NOT_ANSWERING):
        return Answer(
            Status.FAIL,
            "PostgreSQL does not answer at the address in PGSQL_CONNECTION: it is down or "
            "elsewhere.", evidence,
            Fix("Start PostgreSQL (and check host=/port= if it is running).",
                (context.commands.start_database,)),
            diagnosis=DiagnosisId.DB_DOWN)
    return Answer(Status.FAIL, f"PostgreSQL refused: {error}",
                  evidence, diagnosis=DiagnosisId.DB_ERROR)


@check(CheckId.APISCP_PASSWORD, "authpgsqlrc's password matches Postfix's mailboxes.cf",
       hop=HopId.POSTGRES, decides={DiagnosisId.DB_PASSWORD_WRONG: WizardStep.DB_CREDENTIALS})
def apiscp_password(context: CheckContext) -> Answer:
    """ApisCP keeps the mail role's password in mailboxes.cf; authpgsqlrc must hold the same."""
    if context.platform is not Platform.APISCP:
        return Answer(Status.SKIP, "Not ApisCP.")
    path = context.installation.settings.postfix_dir.value / "mailboxes.cf"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Answer(Status.SKIP,
                      f"Cannot read {path}: {exc.strerror}")
    match = _PASSWORD_LINE.search(text)
    conn = context.connection
    if match is None or conn is None or conn.password is None:
        return Answer(Status.SKIP,
                      "No password to compare on one side.")
    if match.group(1) == conn.password.reveal():
        return Answer(Status.OK,
                      f"Same password as {path} (not shown).")
    return Answer(
        Status.FAIL,
        f"authpgsqlrc's password differs from {path} (neither shown): the Bootstrapper "
        "writes both, so one was edited by hand.", (str(path),),
        Fix("Let the Bootstrapper write authpgsqlrc again.",
            ("upcp -sb mail/configure-courier-authlib",)),
        diagnosis=DiagnosisId.DB_PASSWORD_WRONG)


@check(CheckId.SELECT_RUNS, "authpgsql's SELECT runs", hop=HopId.POSTGRES,
       steps=(WizardStep.SELECT_CLAUSE,),
       decides={DiagnosisId.SELECT_PERMISSION_DENIED: WizardStep.SELECT_CLAUSE,
                DiagnosisId.SELECT_ERROR: WizardStep.SELECT_CLAUSE})
def select_runs(context: CheckContext) -> Answer:
    if context.db_ping is None or context.db_ping.status not in (
        ProbeStatus.ROWS, ProbeStatus.NO_ROWS
    ):
        return Answer(Status.SKIP, "No database connection.")
    result = context.db_select
    if result is None:
        return Answer(Status.SKIP, "authpgsqlrc defines no SELECT.")
    if result.status in (ProbeStatus.ROWS, ProbeStatus.NO_ROWS):
        return Answer(Status.OK,
                      f"The SELECT for {context.probe_address} runs "
                      f"({result.elapsed_ms:.0f} ms, {len(result.rows)} row(s)).")
    evidence = (f"SELECT for {context.probe_address} → {result.error}",
                "authdaemond logs nothing for this: it only answers with a temporary failure")
    if result.sqlstate == "42501":
        denied = _DENIED_TABLE.search(result.error)
        table = denied.group(1) if denied else "<table>"
        role = context.connection.params.get("user", "<role>") if context.connection else "<role>"
        dbname = context.connection.params.get("dbname", "<db>") if context.connection else "<db>"
        return Answer(
            Status.FAIL,
            f"The mail role {role} may not read {table}: every lookup fails silently.",
            evidence,
            Fix("Give the mail role SELECT back on the table.",
                (_grant_select(dbname, table, role),)),
            diagnosis=DiagnosisId.SELECT_PERMISSION_DENIED)
    return Answer(Status.FAIL,
                  f"The SELECT fails in PostgreSQL: {result.error}", evidence,
                  Fix("Compare PGSQL_SELECT_CLAUSE with the schema (schema drift?)."),
                  diagnosis=DiagnosisId.SELECT_ERROR)

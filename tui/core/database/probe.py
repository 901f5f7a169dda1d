"""Running authpgsql's own SELECT against PostgreSQL, with the mail role's credentials.

authdaemond turns every SQL error into a silent temporary failure (see
docs/authlib-behaviour.md); running the same substituted SELECT ourselves brings back PostgreSQL's
own message. Every call has a connect and a statement timeout, and no error
text leaves this module with the password in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tui.core.config.authpgsqlrc import AuthPgsqlRc, ConnInfo
from tui.core.password_mask import mask_passwords
from tui.core.safe_text import safe_text

if TYPE_CHECKING:
    import psycopg

DEFAULT_TIMEOUT = 5.0


class ProbeStatus(StrEnum):
    ROWS = "rows"
    NO_ROWS = "no-rows"
    QUERY_ERROR = "query-error"
    CONNECT_ERROR = "connect-error"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    status: ProbeStatus
    rows: Sequence[tuple[Any, ...]] = field(default_factory=tuple)
    columns: Sequence[str] = field(default_factory=tuple)
    error: str = ""  # PostgreSQL's own message, password masked
    sqlstate: str = ""
    elapsed_ms: float = 0.0


def masked_error(text: str) -> str:
    """A libpq/psycopg error on one line, any password in it masked where it stands.

    libpq does not quote the password in its errors; only a connection string or URI
    echoed back could carry one, and that is masked by keyword, never by the value
    (a short password would hide every word that contains it, and give itself away).
    """
    return " ".join(mask_passwords(text).split())


def conninfo_problem(conn: ConnInfo) -> str | None:
    """The sentence for a connection string libpq refuses before it connects, if it does.

    psycopg raises ProgrammingError for such a string (an unknown keyword, an open quote),
    not the OperationalError of a refused connection: here it is a state, said once.
    """
    if conn.errors:
        return "PGSQL_CONNECTION is not a valid connection string: " + "; ".join(conn.errors)
    unknown = conn.unknown_keywords
    if unknown:
        names = ", ".join(safe_text(keyword, 80) for keyword in unknown)
        return f"PGSQL_CONNECTION has an unknown keyword{'s' if len(unknown) > 1 else ''} {names}"
    return None


def connect(conn: ConnInfo, timeout: float = DEFAULT_TIMEOUT) -> psycopg.Connection[Any]:
    """A read-only connection as the mail role, with both timeouts set."""
    import psycopg  # ~0.17 s to import: paid at the first probe, not at start-up

    return psycopg.connect(
        conn.for_connect(),
        connect_timeout=max(1, round(timeout)),
        options=f"-c statement_timeout={int(timeout * 1000)} -c default_transaction_read_only=on",
        autocommit=True,
    )


def standard_conforming_strings(connection: psycopg.Connection[Any]) -> bool:
    """The server's standard_conforming_strings, as libpq's escaping reads it.

    The server reports it when the connection starts (after the role's and database's own
    settings are applied); libpq escapes backslashes unless it was reported as "on".
    """
    return connection.info.parameter_status("standard_conforming_strings") == "on"


# A query that embeds escaped values: built once connected, for the server's escaping rules.
SqlForServer = Callable[[bool], str]


def run_query(
    conn: ConnInfo,
    sql: str | SqlForServer,
    params: Sequence[Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ProbeResult:
    """Run one read-only query; every failure comes back as a status with PostgreSQL's text.

    `sql` may be a function of the server's standard_conforming_strings, called once the
    connection is up, for a query whose literals must be escaped the way this server reads them.
    """
    import psycopg

    started = time.monotonic()

    def elapsed() -> float:
        return (time.monotonic() - started) * 1000

    problem = conninfo_problem(conn)
    if problem is not None:
        return ProbeResult(ProbeStatus.CONNECT_ERROR, error=problem, elapsed_ms=elapsed())
    try:
        connection = connect(conn, timeout)
    except psycopg.OperationalError as exc:
        status = ProbeStatus.TIMEOUT if "timeout" in str(exc).lower() else ProbeStatus.CONNECT_ERROR
        return ProbeResult(status, error=masked_error(str(exc)), elapsed_ms=elapsed())
    except psycopg.Error as exc:  # libpq refused the string itself
        return ProbeResult(ProbeStatus.CONNECT_ERROR, error=masked_error(str(exc)),
                           elapsed_ms=elapsed())
    try:
        with connection:
            if callable(sql):
                sql = sql(standard_conforming_strings(connection))
            cursor = connection.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            columns = [column.name for column in cursor.description or ()]
    except psycopg.errors.QueryCanceled as exc:
        error = masked_error(str(exc))
        return ProbeResult(ProbeStatus.TIMEOUT, error=error, elapsed_ms=elapsed())
    except psycopg.Error as exc:
        return ProbeResult(
            ProbeStatus.QUERY_ERROR,
            error=masked_error(str(exc)),
            sqlstate=exc.sqlstate or "",
            elapsed_ms=elapsed(),
        )
    status = ProbeStatus.ROWS if rows else ProbeStatus.NO_ROWS
    return ProbeResult(status, rows, columns, elapsed_ms=elapsed())


def run_select(
    config: AuthPgsqlRc, address: str, service: str = "login", timeout: float = DEFAULT_TIMEOUT
) -> ProbeResult | None:
    """authpgsql's own SELECT for `address`, escaped for the server it runs on, as authpgsql's
    PQescapeStringConn() escapes it on the same role's connection.

    None when authpgsqlrc has no usable connection or defines no SELECT.
    """
    if config.connection is None or config.select_for(address, service) is None:
        return None

    def for_server(conforming: bool) -> str:
        sql = config.select_for(address, service, standard_conforming_strings=conforming)
        assert sql is not None  # the same file defines a SELECT, checked above
        return sql

    return run_query(config.connection, for_server, timeout=timeout)

"""Why did authlib answer FAIL or fail temporarily for this address? Ask the database.

The SELECT that authdaemond runs says only "a mailbox row or not". ApisCP's
`email_lookup` table says more: the address may be an alias (Postfix expands
it before delivery, so authlib never resolves it), a disabled mailbox, caught
by the domain's catch-all, or simply absent. When the SELECT itself fails we
show PostgreSQL's error, which authdaemond never logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.core.config.authpgsqlrc import AuthPgsqlRc
from tui.core.database.probe import DEFAULT_TIMEOUT, ProbeResult, ProbeStatus, run_query


class Reason(StrEnum):
    MAILBOX = "mailbox"
    CATCH_ALL = "catch-all"
    ALIAS = "alias"
    DISABLED = "disabled"
    ABSENT = "absent"
    DOMAIN_UNKNOWN = "domain-unknown"
    QUERY_FAILED = "query-failed"
    CONNECT_FAILED = "connect-failed"
    NO_CONFIG = "no-config"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Explanation:
    reason: Reason
    sentence: str
    alias_destination: str | None = None  # for ALIAS: the address to look up instead
    select: ProbeResult | None = None  # authpgsql's own SELECT, as we ran it


_EMAIL_ROWS = (
    'SELECT "user", type, alias_destination, enabled::int FROM email_lookup '
    'WHERE domain = %s AND ("user" = %s OR "user" = \'\') ORDER BY "user" = \'\''
)
_DOMAIN_ROW = "SELECT 1 FROM domain_lookup WHERE domain = %s"


def explain_address(
    config: AuthPgsqlRc, address: str, service: str = "login", timeout: float = DEFAULT_TIMEOUT
) -> Explanation:
    """Run authpgsql's SELECT for `address`, then read the ApisCP tables to say why."""
    if config.connection is None:
        return Explanation(Reason.NO_CONFIG, "authpgsqlrc has no usable PGSQL_CONNECTION.")
    select_sql = config.select_for(address, service)
    if select_sql is None:
        return Explanation(Reason.NO_CONFIG, "authpgsqlrc has no SELECT clause or user table.")
    select = run_query(config.connection, select_sql, timeout=timeout)
    if select.status is ProbeStatus.CONNECT_ERROR:
        return Explanation(
            Reason.CONNECT_FAILED,
            f"PostgreSQL refused the connection from authpgsqlrc's credentials: {select.error}",
            select=select,
        )
    if select.status is ProbeStatus.TIMEOUT:
        return Explanation(
            Reason.CONNECT_FAILED,
            f"PostgreSQL did not answer within {timeout:g} s: {select.error}",
            select=select,
        )
    if select.status is ProbeStatus.QUERY_ERROR:
        return Explanation(
            Reason.QUERY_FAILED,
            f"authpgsql's SELECT fails in PostgreSQL ({select.error}); authdaemond never logs "
            "this, it only answers with a temporary failure.",
            select=select,
        )
    local, _, domain = address.rpartition("@")
    if not local:
        local, domain = address, config.default_domain or ""
    table = run_query(config.connection, _EMAIL_ROWS, (domain, local), timeout=timeout)
    if table.status is not ProbeStatus.ROWS and table.status is not ProbeStatus.NO_ROWS:
        # Not an ApisCP schema (or no access to it): say what the SELECT says, no more.
        if select.status is ProbeStatus.ROWS:
            return Explanation(Reason.MAILBOX, "authpgsql's SELECT returns a row.", select=select)
        return Explanation(
            Reason.UNKNOWN, "authpgsql's SELECT returns no row for this address.", select=select
        )
    exact = [row for row in table.rows if row[0] == local]
    catch_all = [row for row in table.rows if row[0] == ""]
    if exact:
        _, kind, destination, enabled = exact[0]
        if kind == "a":
            return Explanation(
                Reason.ALIAS,
                f"authlib resolves mailboxes only; {address} is an alias of {destination} "
                "(Postfix expands it before delivery, so maildrop never asks for it).",
                alias_destination=str(destination) if destination else None,
                select=select,
            )
        if not enabled:
            return Explanation(
                Reason.DISABLED,
                f"{address} is a disabled mailbox (email_lookup.enabled = 0).",
                select=select,
            )
        return Explanation(Reason.MAILBOX, f"{address} is a mailbox.", select=select)
    if catch_all and select.status is ProbeStatus.ROWS:
        return Explanation(
            Reason.CATCH_ALL,
            f"{address} has no mailbox of its own; the catch-all of {domain} receives it.",
            select=select,
        )
    domain_rows = run_query(config.connection, _DOMAIN_ROW, (domain,), timeout=timeout)
    if domain_rows.status is ProbeStatus.NO_ROWS:
        return Explanation(
            Reason.DOMAIN_UNKNOWN,
            f"{domain} is not a domain of this server (no domain_lookup row).",
            select=select,
        )
    return Explanation(
        Reason.ABSENT,
        f"{address} is not in email_lookup: no mailbox, alias or catch-all for it.",
        select=select,
    )

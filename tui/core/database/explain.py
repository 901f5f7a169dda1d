"""Why did authlib answer FAIL or fail temporarily for this address? Ask the database.

The SELECT that authdaemond runs is judged first, the way authpgsql judges it:
fewer than six columns, or a NULL or non-numeric uid or gid (columns 4 and 5),
is a temporary failure with nothing in the log unless DEBUG_LOGIN is on; an
empty or NULL home (column 6) makes authlib answer FAIL, which maildrop turns
into an "Invalid user specified" bounce; of several rows only the first is used.
A line break inside a value ends up in the reply as a second `KEY=` line, and
the client keeps the last one; values long enough to make the reply exceed what
the client reads (8191 bytes) make it a temporary failure.

ApisCP's `email_lookup` table says more: the address may be an alias (Postfix
expands it before delivery, so authlib never resolves it), a disabled mailbox,
caught by the domain's catch-all, or simply absent. When the SELECT itself
fails we show PostgreSQL's error, which authdaemond never logs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tui.core.authdaemon.reply import CLIENT_REPLY_LIMIT
from tui.core.config.authpgsqlrc import AuthPgsqlRc
from tui.core.database.probe import (
    DEFAULT_TIMEOUT,
    ProbeResult,
    ProbeStatus,
    run_query,
    run_select,
)


class Reason(StrEnum):
    MAILBOX = "mailbox"
    CATCH_ALL = "catch-all"
    ALIAS = "alias"
    DISABLED = "disabled"
    ABSENT = "absent"
    DOMAIN_UNKNOWN = "domain-unknown"
    QUERY_FAILED = "query-failed"
    INCOMPLETE_ROW = "incomplete-row"  # fewer than 6 columns: tempfail
    BAD_ID = "bad-id"  # NULL or non-numeric uid/gid: tempfail
    NO_HOME = "no-home"  # empty or NULL home: FAIL, maildrop bounces
    LINE_BREAK = "line-break"  # a value with a line break: the reply repeats keys
    SEVERAL_ROWS = "several-rows"  # only the first row is used
    REPLY_TOO_LONG = "reply-too-long"  # maildrop reads 8191 bytes and misses the final '.'
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

# The reply lines a row becomes (key, column), in the daemon's order; NAME is sent even when
# empty, the others only when they have a value.
_REPLY_LINES = (("UID", 3), ("GID", 4), ("HOME", 5), ("ADDRESS", 0), ("NAME", 8),
                ("MAILDIR", 6), ("QUOTA", 7), ("PASSWD", 1), ("PASSWD2", 2), ("OPTIONS", 9))


def reply_size(row: Sequence[Any]) -> int:
    """About how many bytes authdaemond's reply for this row is (DEFAULTOPTIONS not counted)."""
    size = len(b".\n")
    for key, index in _REPLY_LINES:
        value = _as_text(row[index]) if index < len(row) else None
        if value or key == "NAME":
            size += len(f"{key}={value or ''}\n".encode())
    return size


# Reasons about a row authpgsql did find: a lookup that succeeded can still carry one.
ROW_NOTES = frozenset({Reason.LINE_BREAK, Reason.SEVERAL_ROWS})
# authpgsql reads uid/gid with a C++ stream into a 32-bit id: leading blanks, a sign, digits.
_STREAM_INTEGER = re.compile(r"[ \t\n\v\f\r]*[+-]?\d+")
_UINT_MAX = 2**32 - 1
# The reply's keys for the columns a row fills (what a line break inside them repeats).
_REPLY_KEYS = {0: "ADDRESS", 5: "HOME", 6: "MAILDIR", 7: "QUOTA", 8: "NAME", 9: "OPTIONS"}


def _as_text(value: Any) -> str | None:
    """A column as libpq hands it to authpgsql: text, or None for NULL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _id_problem(value: Any, column: str) -> str | None:
    text = _as_text(value)
    if text is None:
        return f"its {column} is NULL"
    if not _STREAM_INTEGER.fullmatch(text) or abs(int(text)) > _UINT_MAX:
        return f"its {column} is {text!r}, not a number"
    return None


def judge_rows(rows: Sequence[tuple[Any, ...]], address: str) -> Explanation | None:
    """What authpgsql makes of the rows its SELECT returned, when that is not plain success."""
    if not rows:
        return None
    first = rows[0]
    found = f"authpgsql's SELECT returns a row for {address}, but"
    if len(first) < 6:
        return Explanation(
            Reason.INCOMPLETE_ROW,
            f"{found} it has only {len(first)} columns and authpgsql needs at least 6: "
            "authdaemond gives up without an answer (a temporary failure; maildrop defers).",
        )
    for index, column in ((3, "uid (column 4)"), (4, "gid (column 5)")):
        problem = _id_problem(first[index], column)
        if problem is not None:
            return Explanation(
                Reason.BAD_ID,
                f"{found} {problem}: authdaemond gives up without an answer, a temporary "
                "failure it logs only with DEBUG_LOGIN, and maildrop defers the mail.",
            )
    home = _as_text(first[5])
    if not home:
        state = "NULL" if home is None else "empty"
        return Explanation(
            Reason.NO_HOME,
            f"{found} its home (column 6) is {state}: authlib answers FAIL, and maildrop "
            "bounces the mail as 'Invalid user specified' (user unknown, 5.1.1).",
        )
    broken = [
        name for index, name in _REPLY_KEYS.items()
        if index < len(first) and "\n" in (_as_text(first[index]) or "")
    ]
    if broken:
        return Explanation(
            Reason.LINE_BREAK,
            f"The row for {address} has a line break inside {', '.join(broken)}: authdaemond's "
            "reply then repeats keys, and maildrop uses the last value of each, so it may "
            "deliver somewhere the row does not seem to say.",
        )
    size = reply_size(first)
    if size > CLIENT_REPLY_LIMIT + 1:  # at +1 only the final newline is cut: still found
        return Explanation(
            Reason.REPLY_TOO_LONG,
            f"The row for {address} makes a reply of about {size} bytes; maildrop reads only "
            f"{CLIENT_REPLY_LIMIT}, never sees the closing '.', and defers the mail as a "
            "temporary failure.",
        )
    if len(rows) > 1:
        maildir = _as_text(first[6]) if len(first) > 6 else None
        which = f" (maildir {maildir})" if maildir else ""
        return Explanation(
            Reason.SEVERAL_ROWS,
            f"authpgsql's SELECT returns {len(rows)} rows for {address}; authlib uses only the "
            f"first{which} and ignores the others.",
        )
    return None


def explain_address(
    config: AuthPgsqlRc, address: str, service: str = "login", timeout: float = DEFAULT_TIMEOUT
) -> Explanation:
    """Run authpgsql's SELECT for `address`, then read the ApisCP tables to say why."""
    if config.connection is None:
        return Explanation(Reason.NO_CONFIG, "authpgsqlrc has no usable PGSQL_CONNECTION.")
    select = run_select(config, address, service, timeout=timeout)
    if select is None:
        return Explanation(Reason.NO_CONFIG, "authpgsqlrc has no SELECT clause or user table.")
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
    if select.status is ProbeStatus.ROWS:
        judged = judge_rows(select.rows, address)
        if judged is not None:
            return Explanation(judged.reason, judged.sentence, select=select)
    local, _, domain = address.rpartition("@")
    if not local:
        local, domain = address, config.default_domain or ""
    if not domain and select.status is not ProbeStatus.ROWS:
        # No domain to look for in the tables: say so, not "'' is not a domain".
        return Explanation(
            Reason.ABSENT,
            f"{address} has no @domain and authdaemonrc sets no DEFAULTDOMAIN, so authdaemond "
            "looks the name up as written, and no mailbox has it.",
            select=select,
        )
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
    if select.status is ProbeStatus.ROWS:
        # The SELECT is what authpgsql believes, whatever the ApisCP tables say.
        return Explanation(
            Reason.MAILBOX,
            f"authpgsql's SELECT returns a row for {address}, though email_lookup has none.",
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

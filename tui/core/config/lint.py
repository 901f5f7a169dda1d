"""The config linter: both files' own problems plus the ones only visible side by side."""

from __future__ import annotations

from tui.core.config.authdaemonrc import AuthdaemonRc
from tui.core.config.authpgsqlrc import AuthPgsqlRc
from tui.core.findings import Finding, Severity

# courierlogger logs at most 511 bytes of a line (see docs/authlib-behaviour.md, Logging);
# the daemon prefixes queries.
SYSLOG_LINE_LIMIT = 511
_QUERY_LOG_PREFIX = "DEBUG: SQL query: "
_TYPICAL_ADDRESS = "postmaster@example.com"


def _cross_file(authdaemonrc: AuthdaemonRc, authpgsqlrc: AuthPgsqlRc) -> list[Finding]:
    """Problems that need both files to see."""
    found: list[Finding] = []
    daemon_where = str(authdaemonrc.path) if authdaemonrc.path else "authdaemonrc"
    pgsql_where = str(authpgsqlrc.path) if authpgsqlrc.path else "authpgsqlrc"
    if authdaemonrc.module_list and not authdaemonrc.uses_authpgsql:
        found.append(
            Finding(
                "authpgsqlrc-unused",
                Severity.INFO,
                f"{pgsql_where} exists but authpgsql is not in authmodulelist, so none of its "
                "settings (PGSQL_CONNECTION, the SELECT clause) are used by lookups.",
                daemon_where,
                "Add authpgsql to authmodulelist if accounts live in PostgreSQL.",
            )
        )
    # Only measured, never run: escaped as with PostgreSQL's default standard_conforming_strings
    # (on). The typical address has no backslash, so the length is the same either way.
    query = authpgsqlrc.select_for(_TYPICAL_ADDRESS)
    if authdaemonrc.debug_login >= 1 and query is not None:
        logged = len((_QUERY_LOG_PREFIX + query).encode("utf-8", errors="surrogatepass"))
        if logged > SYSLOG_LINE_LIMIT:
            found.append(
                Finding(
                    "debug-query-truncated",
                    Severity.INFO,
                    f"With DEBUG_LOGIN={authdaemonrc.debug_login} the 'SQL query:' log line is "
                    f"about {logged} bytes; courierlogger keeps only {SYSLOG_LINE_LIMIT}, loses a "
                    "middle chunk and often the lines that follow (Authenticated/TEMPFAIL).",
                    daemon_where,
                    "Don't trust debug output for this query; run it yourself (the SELECT probe).",
                )
            )
    return found


def lint_config(
    authdaemonrc: AuthdaemonRc | None, authpgsqlrc: AuthPgsqlRc | None
) -> list[Finding]:
    """Every finding for the pair of files, most severe first (stable within a severity).

    Pass None for a file that was not found or not read; its checks are then skipped.
    """
    findings: list[Finding] = []
    if authdaemonrc is not None:
        findings.extend(authdaemonrc.problems)
    if authpgsqlrc is not None:
        findings.extend(authpgsqlrc.problems)
    if authdaemonrc is not None and authpgsqlrc is not None:
        findings.extend(_cross_file(authdaemonrc, authpgsqlrc))
    return sorted(findings, key=lambda finding: -finding.severity.rank)

"""lint_config(): both files' findings, the cross-file ones, and the ordering."""

from __future__ import annotations

from pathlib import Path

from tui.core.config.authdaemonrc import parse_authdaemonrc
from tui.core.config.authpgsqlrc import parse_authpgsqlrc
from tui.core.config.lint import lint_config
from tui.core.findings import Severity

SAMPLES = Path(__file__).parent / "samples"


def read(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_debian_pair_reports_unused_authpgsqlrc() -> None:
    daemon = parse_authdaemonrc(read("debian-authdaemonrc"), Path("/etc/courier/authdaemonrc"))
    pgsql = parse_authpgsqlrc(read("debian-authpgsqlrc"), Path("/etc/courier/authpgsqlrc"))
    findings = lint_config(daemon, pgsql)
    found_ids = [finding.id for finding in findings]
    assert "authpgsqlrc-unused" in found_ids
    unused = next(f for f in findings if f.id == "authpgsqlrc-unused")
    assert "/etc/courier/authpgsqlrc" in unused.message
    # Everything from both files is there, plus exactly one cross-file finding.
    assert len(findings) == len(daemon.problems) + len(pgsql.problems) + 1


def test_apiscp_pair_only_has_the_typo() -> None:
    daemon = parse_authdaemonrc(read("apiscp-authdaemonrc"))
    pgsql = parse_authpgsqlrc(read("apiscp-authpgsqlrc"))
    assert [finding.id for finding in lint_config(daemon, pgsql)] == ["defaultoption-typo"]


def test_debug_with_long_query_warns_about_truncated_logs() -> None:
    text = read("apiscp-authdaemonrc").replace("DEBUG_LOGIN=0", "DEBUG_LOGIN=1")
    daemon = parse_authdaemonrc(text)
    pgsql = parse_authpgsqlrc(read("apiscp-authpgsqlrc"))
    truncated = [f for f in lint_config(daemon, pgsql) if f.id == "debug-query-truncated"]
    assert len(truncated) == 1 and "511" in truncated[0].message
    # A short field-mode query fits in one syslog line.
    short = parse_authpgsqlrc(read("debian-authpgsqlrc"))
    assert "debug-query-truncated" not in [f.id for f in lint_config(daemon, short)]


def test_sorted_most_severe_first_and_stable() -> None:
    daemon = parse_authdaemonrc(
        "daemons=0\nDEBUG_LOGIN=1\nauthmodulelist=authpgsql\nauthmodulelist=authpgsql\nbad\n"
    )
    pgsql = parse_authpgsqlrc("PGSQL_DATABASE x\nPGSQL_CONNECTION host=h\n")
    findings = lint_config(daemon, pgsql)
    ranks = [finding.severity.rank for finding in findings]
    assert ranks == sorted(ranks, reverse=True)
    assert findings[0].severity is Severity.ERROR and findings[-1].severity is Severity.INFO
    # Within one severity the files' own order is kept: authdaemonrc before authpgsqlrc.
    errors = [f.id for f in findings if f.severity is Severity.ERROR]
    assert errors == ["bad-line", "marker-missing", "user-table-required", "crypt-field-required"]
    infos = [f.id for f in findings if f.severity is Severity.INFO]
    assert infos == ["debug-login-enabled", "duplicate-key", "dead-pgsql-database"]


def test_missing_files_are_skipped() -> None:
    assert lint_config(None, None) == []
    daemon = parse_authdaemonrc("daemons=5\n")
    assert [f.id for f in lint_config(daemon, None)] == ["modulelist-empty"]
    pgsql = parse_authpgsqlrc("")
    assert {f.id for f in lint_config(None, pgsql)} == {
        "marker-missing",
        "connection-missing",
        "user-table-required",
        "crypt-field-required",
    }

"""authpgsqlrc parsing: file syntax, both generations, conninfo, the SELECT, the findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config.authpgsqlrc import (
    AuthPgsqlRc,
    ConnInfo,
    count_outer_select_columns,
    expand_substitutions,
    load_authpgsqlrc,
    parse_authpgsqlrc,
)
from tui.core.config.errors import ConfigUnreadable
from tui.core.config.secret import Secret
from tui.core.findings import Finding, Severity

SAMPLES = Path(__file__).parent / "samples"
APISCP_PASSWORD = "Ap1sCPsamplePw"
OLD_PASSWORD = "0ldGenSecret42"
MARKER = "##NAME: MARKER:0\n"
FIELDS = "PGSQL_USER_TABLE\tpasswd\nPGSQL_CRYPT_PWFIELD\tcrypt\n"
GOOD_CONNECTION = "PGSQL_CONNECTION host=db user=mail password=Pw4Test dbname=mail\n"


def sample(name: str) -> AuthPgsqlRc:
    return parse_authpgsqlrc((SAMPLES / name).read_text(), Path("/etc/authlib") / name)


def ids(rc: AuthPgsqlRc) -> list[str]:
    return [problem.id for problem in rc.problems]


def only(rc: AuthPgsqlRc, finding_id: str) -> Finding:
    matches = [problem for problem in rc.problems if problem.id == finding_id]
    assert len(matches) == 1, ids(rc)
    return matches[0]


def everything_printable(rc: AuthPgsqlRc) -> str:
    """All text a UI or report could show for this file."""
    parts = [repr(rc), str(rc), repr(rc.connection), str(rc.connection)]
    parts += [*rc.settings.keys(), *rc.settings.values()]
    parts += [f"{p.message} {p.fix} {p.where}" for p in rc.problems]
    return "\n".join(parts)


# ---- conninfo --------------------------------------------------------------------------------


def test_conninfo_splits_out_the_password() -> None:
    conn = ConnInfo.parse("host=localhost user=postfix port=5432 password=s3cr3t dbname=appldb")
    assert dict(conn.params) == {
        "host": "localhost",
        "user": "postfix",
        "port": "5432",
        "dbname": "appldb",
    }
    assert conn.password == Secret("s3cr3t")
    assert (conn.host, conn.user, conn.port, conn.dbname) == (
        "localhost",
        "postfix",
        "5432",
        "appldb",
    )
    assert conn.masked() == "host=localhost user=postfix port=5432 password=(hidden) dbname=appldb"
    assert str(conn) == conn.masked()
    assert "s3cr3t" not in repr(conn) and "s3cr3t" not in f"{conn}"
    assert conn.errors == ()


def test_conninfo_quoting_and_spaces_around_equals() -> None:
    conn = ConnInfo.parse(r"host = db  password = 'it''s'  user='a \'b\' \\c' dbname=x\ y")
    # libpq: '' is not an escape inside quotes; 'it' ends the value and "'s'" starts junk.
    assert conn.errors
    conn = ConnInfo.parse(r"host = db  password = 'it\'s a \\ pw'  user='a b' dbname=x\ y")
    assert conn.errors == ()
    assert conn.password is not None and conn.password.reveal() == "it's a \\ pw"
    assert conn.user == "a b"
    assert conn.dbname == "x y"  # unquoted values honour backslash escapes too
    assert conn.masked() == "host=db password=(hidden) user='a b' dbname='x y'"


def test_for_connect_round_trips_and_is_the_only_reveal() -> None:
    conn = ConnInfo.parse(r"host=db password='p w\'\\' dbname=mail")
    real = conn.for_connect()
    assert "(hidden)" not in real
    again = ConnInfo.parse(real)
    assert again == conn
    assert again.password is not None and again.password.reveal() == "p w'\\"


def test_conninfo_repeated_keyword_keeps_the_last_value() -> None:
    conn = ConnInfo.parse("host=a host=b")
    assert conn.host == "b"
    assert conn.masked() == "host=b"


def test_conninfo_syntax_errors_never_echo_values() -> None:
    conn = ConnInfo.parse("host=db password=abc def dbname=x")
    # "abc def" unquoted: libpq would fail; "def" may be half the password, so it is dropped.
    assert conn.errors and "def" not in " ".join(conn.errors)
    assert "def" not in conn.masked() and conn.dbname == "x"
    unterminated = ConnInfo.parse("host=db password='abc")
    assert unterminated.password == Secret("abc")
    assert any("unterminated" in error for error in unterminated.errors)
    assert "abc" not in unterminated.masked()


def test_conninfo_unknown_keywords_and_misspelt_password() -> None:
    conn = ConnInfo.parse("host=db dbnmae=mail pasword=hunter2")
    assert conn.unknown_keywords == ("dbnmae", "pasword")
    assert "hunter2" not in conn.masked()
    assert conn.password is None  # libpq would not send it either


def test_conninfo_uri_masks_the_password() -> None:
    conn = ConnInfo.parse("postgresql://postfix:p%40ss@localhost:5433/appldb?sslmode=disable")
    assert conn.password == Secret("p@ss")
    assert (conn.user, conn.host, conn.port, conn.dbname) == (
        "postfix",
        "localhost",
        "5433",
        "appldb",
    )
    assert conn.params["sslmode"] == "disable"
    assert "p@ss" not in conn.masked() and "p%40ss" not in conn.masked()


# ---- samples ---------------------------------------------------------------------------------


def test_debian_sample_continuation_and_findings() -> None:
    rc = sample("debian-authpgsqlrc")
    assert rc.generation == "current" and rc.has_marker
    assert rc.connection is not None
    assert dict(rc.connection.params) == {
        "host": "pgsql.example.com",
        "port": "5400",
        "user": "admin",
    }
    assert rc.connection.password == Secret("admin")
    assert rc.settings["PGSQL_CONNECTION"] == (
        "host=pgsql.example.com port=5400 user=admin password=(hidden)"
    )
    assert rc.settings["PGSQL_DATABASE"] == "template1"
    assert rc.select_clause is None  # the examples are commented out
    assert set(ids(rc)) == {
        "connection-no-dbname",
        "connection-sample-values",
        "dead-pgsql-database",
    }
    no_dbname = only(rc, "connection-no-dbname")
    assert no_dbname.severity is Severity.WARNING
    assert "'admin'" in no_dbname.message and "dbname=template1" in no_dbname.fix
    assert only(rc, "dead-pgsql-database").severity is Severity.INFO
    assert rc.loads


def test_debian_sample_field_mode_select() -> None:
    rc = sample("debian-authpgsqlrc")
    assert rc.select_for("foo@domain.com") == (
        "SELECT id, crypt, '', uid, gid, home, '', '', name, '' FROM passwd "
        "WHERE id = 'foo@domain.com' AND (1=1)"
    )


def test_apiscp_sample_is_clean_and_substitutes() -> None:
    rc = sample("apiscp-authpgsqlrc")
    assert rc.problems == ()
    assert rc.generation == "current" and rc.has_marker and rc.loads
    assert rc.connection is not None
    assert rc.connection.masked() == (
        "host=localhost user=postfix port=5432 password=(hidden) dbname=appldb"
    )
    assert rc.connection.password == Secret(APISCP_PASSWORD)
    assert rc.select_clause is not None
    assert rc.select_clause.startswith("SELECT username, cryptpw")
    assert rc.select_clause.endswith("WHERE enabled = 1::bit;")  # trailing blanks trimmed
    assert count_outer_select_columns(rc.select_clause) == 10
    query = rc.select_for("bar@domain.com")
    assert query is not None
    assert "email_lookup.\"user\" = 'bar' AND" in query
    assert query.count("'domain.com'") == 2 and "'@domain.com'" in query
    assert "$(" not in query
    assert APISCP_PASSWORD not in everything_printable(rc)


def test_old_generation_sample() -> None:
    rc = sample("old-authpgsqlrc")
    assert rc.generation == "old"
    assert rc.connection is not None
    assert rc.connection.password == Secret(OLD_PASSWORD)
    assert rc.settings["PGSQL_PASSWORD"] == "(hidden)"
    old = only(rc, "old-style-keys")
    assert old.severity is Severity.ERROR
    assert old.fix.endswith(
        "PGSQL_CONNECTION host=db.internal.example port=5432 user=postfix "
        "password=(hidden) dbname=postfix"
    )
    assert "connection-missing" not in ids(rc)
    assert not rc.loads
    assert OLD_PASSWORD not in everything_printable(rc)
    assert rc.select_for("a@b.c") == (
        "SELECT username, password, '', '5000', '5000', '/var/vmail/', maildir, '', name, '' "
        "FROM mailbox WHERE username = 'a@b.c' AND (active='1')"
    )


# ---- file syntax -----------------------------------------------------------------------------


def test_comments_only_at_line_start_and_hash_in_value_is_literal() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "   # PGSQL_WHERE_CLAUSE commented\n"
        "PGSQL_WHERE_CLAUSE\tnote <> '#1'   \t\n" + MARKER
    )
    assert rc.settings["PGSQL_WHERE_CLAUSE"] == "note <> '#1'"


def test_continuation_rules() -> None:
    text = (
        GOOD_CONNECTION
        + FIELDS
        + "PGSQL_SELECT_CLAUSE SELECT a,   \\\n"
        + "        b, c, d, e, f \\\n"
        + "# not a comment here \\\n"
        + "\t  FROM t\n"
        + MARKER
    )
    rc = parse_authpgsqlrc(text)
    # The backslash becomes a space; blanks before it stay; the next line's indent goes.
    assert rc.select_clause == "SELECT a,    b, c, d, e, f  # not a comment here  FROM t"


def test_blank_line_ends_a_continuation() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "DEFAULT_DOMAIN x.org \\\n\nPGSQL_GID_FIELD 7\n" + MARKER
    )
    assert rc.settings["DEFAULT_DOMAIN"] == "x.org  "
    assert rc.settings["PGSQL_GID_FIELD"] == "7"


def test_marker_must_be_at_column_zero_and_not_inside_a_continuation() -> None:
    indented = parse_authpgsqlrc(GOOD_CONNECTION + FIELDS + "  " + MARKER)
    assert not indented.has_marker
    swallowed = parse_authpgsqlrc(GOOD_CONNECTION + FIELDS + "DEFAULT_DOMAIN x \\\n" + MARKER)
    assert not swallowed.has_marker
    assert "##NAME: MARKER:0" in swallowed.settings["DEFAULT_DOMAIN"]
    finding = only(swallowed, "marker-missing")
    assert finding.severity is Severity.ERROR
    assert (
        "##NAME: MARKER:0" in finding.fix
        and "upcp -sb mail/configure-courier-authlib" in finding.fix
    )
    assert not swallowed.loads


def test_first_occurrence_wins_and_says_which_line() -> None:
    rc = parse_authpgsqlrc(
        "PGSQL_CONNECTION host=a password=first dbname=d\n"
        + FIELDS
        + "PGSQL_CONNECTION host=b password=second dbname=d\n"
        + MARKER
    )
    assert rc.connection is not None and rc.connection.host == "a"
    assert rc.connection.password == Secret("first")
    assert rc.setting_lines["PGSQL_CONNECTION"] == 1
    duplicate = only(rc, "duplicate-key")
    assert duplicate.severity is Severity.WARNING
    assert "FIRST one, line 1" in duplicate.message and duplicate.where.endswith(":4")
    assert (
        "second" not in everything_printable(rc) and "first" not in rc.settings["PGSQL_CONNECTION"]
    )


def test_connection_missing() -> None:
    rc = parse_authpgsqlrc(FIELDS + MARKER)
    assert rc.generation == "unknown" and rc.connection is None
    assert only(rc, "connection-missing").severity is Severity.ERROR
    assert rc.select_for("a@b") is not None  # the query is still known, only the DB is not


def test_connection_invalid_and_unknown_option() -> None:
    rc = parse_authpgsqlrc("PGSQL_CONNECTION host=db dbnmae=mail password='x\n" + FIELDS + MARKER)
    assert only(rc, "connection-invalid").severity is Severity.ERROR
    unknown = only(rc, "connection-unknown-option")
    assert "dbnmae" in unknown.message and "dbname" in unknown.fix


def test_dead_old_keys_next_to_pgsql_connection() -> None:
    rc = parse_authpgsqlrc(GOOD_CONNECTION + "PGSQL_PASSWORD oldpass\n" + FIELDS + MARKER)
    assert rc.generation == "current"
    assert "PGSQL_PASSWORD" in only(rc, "dead-old-keys").message
    assert rc.settings["PGSQL_PASSWORD"] == "(hidden)"
    assert "oldpass" not in everything_printable(rc)


@pytest.mark.parametrize(
    ("clauses", "expected"),
    [
        ("", {"user-table-required", "crypt-field-required"}),
        ("PGSQL_SELECT_CLAUSE SELECT a,b,c,d,e,f FROM t WHERE u='$(local_part)'\n",
         {"user-table-required", "crypt-field-required"}),
        ("PGSQL_SELECT_CLAUSE SELECT a,b,c,d,e,f FROM t WHERE u='$(local_part)'\n"
         "PGSQL_ENUMERATE_CLAUSE SELECT 1\nPGSQL_CHPASS_CLAUSE UPDATE t SET p=1\n", set()),
        ("PGSQL_CLEAR_PWFIELD clear\n", {"user-table-required"}),
    ],
)  # fmt: skip
def test_field_keys_required_unless_all_clauses(clauses: str, expected: set[str]) -> None:
    rc = parse_authpgsqlrc(GOOD_CONNECTION + clauses + MARKER)
    required = {"user-table-required", "crypt-field-required"}
    assert set(ids(rc)) & required == expected
    assert rc.loads == (not expected)


def test_select_with_too_few_columns() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "PGSQL_SELECT_CLAUSE SELECT f(a, b), 'x,y' FROM t "
        "WHERE u = '$(local_part)'\n" + MARKER
    )
    finding = only(rc, "select-wrong-columns")
    assert "returns 2 column(s)" in finding.message


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("SELECT a, b, c, d, e, f FROM t", 6),
        ("select distinct a, (select x from y where z in (1, 2)), 'a,b' from t", 3),
        ('SELECT "from", b FROM t', 2),
        ("SELECT * FROM t", None),
        ("SELECT t.*, a FROM t", None),
        ("WITH x AS (SELECT 1) SELECT * FROM x", None),
        ("SELECT a -- , b\n FROM t", None),
        ("SELECT 'unterminated, b FROM t", None),
    ],
)
def test_count_outer_select_columns(sql: str, columns: int | None) -> None:
    assert count_outer_select_columns(sql) == columns


def test_unknown_substitution_expands_to_nothing_like_the_daemon() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "PGSQL_SELECT_CLAUSE SELECT a,b,c,d,e,f FROM t "
        "WHERE u='$(local_part)' AND h='$(host)'\n" + MARKER
    )
    finding = only(rc, "unknown-substitution")
    assert "$(host)" in finding.message and "$(local_part)" in finding.fix
    assert rc.select_for("x@y") == "SELECT a,b,c,d,e,f FROM t WHERE u='x' AND h=''"


def test_expand_substitutions_edge_cases() -> None:
    params = {"a": "1", "b": "$(a)"}
    assert expand_substitutions("$(a)$(b)$x$", params) == "1$(a)$x$"  # values are not re-expanded
    assert expand_substitutions("x $(a", params) == "x 1"  # unterminated: name runs to the end


def test_select_for_default_domain_and_service() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "DEFAULT_DOMAIN example.org\n"
        "PGSQL_SELECT_CLAUSE SELECT a,b,c,d,e,f FROM t WHERE u='$(local_part)' "
        "AND d='$(domain)' AND s='$(service)'\n" + MARKER
    )
    assert rc.default_domain == "example.org"
    assert rc.select_for("o'neil", "imap") == (
        "SELECT a,b,c,d,e,f FROM t WHERE u='o''neil' AND d='example.org' AND s='imap'"
    )
    assert rc.select_for("a@b@c") == (
        "SELECT a,b,c,d,e,f FROM t WHERE u='a' AND d='b@c' AND s='login'"
    )


def test_field_mode_defaults_domain_and_courier_service() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + "PGSQL_USER_TABLE users\nPGSQL_CLEAR_PWFIELD clear\n"
        "PGSQL_MAILDIR_FIELD maildir\nPGSQL_DEFAULTDELIVERY dd\nDEFAULT_DOMAIN ex.org\n" + MARKER
    )
    assert rc.problems == ()
    assert rc.select_for("bob") == (
        "SELECT id, '', clear, uid, gid, home, maildir, '', '', '' FROM users "
        "WHERE id = 'bob@ex.org' AND (1=1)"
    )
    courier = rc.select_for("bob@x", "courier")
    assert courier is not None and ", dd, " in courier


def test_stray_conninfo_line_never_shows_its_text() -> None:
    # A backslash is missing after user=mail: the password line becomes its own "setting".
    rc = parse_authpgsqlrc(
        "PGSQL_CONNECTION host=db dbname=mail \\\n  user=mail\n  password=StrayPw9\n"
        + FIELDS
        + MARKER
    )
    assert rc.connection is not None and rc.connection.password is None
    stray = only(rc, "stray-line")
    assert stray.where.endswith(":3") and "backslash" in stray.fix
    assert "StrayPw9" not in everything_printable(rc)


def test_unknown_key_suggests_the_real_name() -> None:
    rc = parse_authpgsqlrc(GOOD_CONNECTION + FIELDS + "PGSQL_DEFAULT_DOMAIN example.org\n" + MARKER)
    finding = only(rc, "unknown-key")
    assert "PGSQL_DEFAULT_DOMAIN" in finding.message and "DEFAULT_DOMAIN?" in finding.fix
    assert rc.default_domain is None


def test_select_without_local_part() -> None:
    rc = parse_authpgsqlrc(
        GOOD_CONNECTION + FIELDS + "PGSQL_SELECT_CLAUSE SELECT a,b,c,d,e,f FROM t\n" + MARKER
    )
    assert "select-no-local-part" in ids(rc)


# ---- loading ---------------------------------------------------------------------------------


def test_load_flags_world_readable(tmp_path: Path) -> None:
    path = tmp_path / "authpgsqlrc"
    path.write_text((SAMPLES / "apiscp-authpgsqlrc").read_text())
    path.chmod(0o640)
    assert load_authpgsqlrc(path).problems == ()
    path.chmod(0o644)
    finding = only(load_authpgsqlrc(path), "world-readable")
    assert finding.severity is Severity.WARNING and "chmod 640" in finding.fix


def test_load_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable, match="no such file"):
        load_authpgsqlrc(tmp_path / "authpgsqlrc")


def test_load_latin1_password_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "authpgsqlrc"
    path.write_bytes(
        b"PGSQL_CONNECTION host=db password=p\xe4ss dbname=d\n" + FIELDS.encode() + MARKER.encode()
    )
    path.chmod(0o600)
    rc = load_authpgsqlrc(path)
    assert ids(rc) == ["not-utf8"]
    assert rc.connection is not None and rc.connection.password == Secret("p\ufffdss")

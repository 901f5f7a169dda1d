"""authpgsql's SELECT, escaped the way the server it runs on reads string literals.

authpgsql escapes the login with PQescapeStringConn(), which doubles backslashes too
when the server's standard_conforming_strings is off. A role can have it off
(`ALTER ROLE … SET`), so these tests run the tool's SELECT in a scratch database of
the lab's real PostgreSQL, as a role with it off and as one with it on, for addresses
and service names with a backslash or a quote in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tui.core.config.authpgsqlrc import AuthPgsqlRc, escape_string_literal, parse_authpgsqlrc
from tui.core.database.explain import explain_address
from tui.lab.lab import Lab

SCRATCH_DB = "authlib_tui_escaping"
ROLES = {"esc_off": "off", "esc_on": "on"}  # role → its standard_conforming_strings
PASSWORD = "EscPw-31c7"
DOMAIN = "esc.example"
CLAUSE = (
    "SELECT login, NULL, NULL, uid, gid, home, maildir, NULL, NULL, NULL FROM mailboxes "
    "WHERE login = '$(local_part)@$(domain)' AND svc = '$(service)'"
)
# (login, service, uid): a login with a backslash, and the one it turns into when the
# backslash is read as an escape; a login with a quote; a mailbox only for imap.
ROWS = (
    (f"back\\slash@{DOMAIN}", "login", 2001),
    (f"backslash@{DOMAIN}", "login", 2002),
    (f"o'neil@{DOMAIN}", "login", 2003),
    (f"imaponly@{DOMAIN}", "imap", 2004),
)


@dataclass(frozen=True)
class Scratch:
    lab: Lab

    def config(self, role: str, *, field_mode: bool = False) -> AuthPgsqlRc:
        """An authpgsqlrc for `role` in the scratch database: a SELECT clause, or the fields."""
        lookup = (
            "PGSQL_USER_TABLE\tmailboxes\nPGSQL_LOGIN_FIELD\tlogin\nPGSQL_CRYPT_PWFIELD\tNULL\n"
            "PGSQL_UID_FIELD\tuid\nPGSQL_GID_FIELD\tgid\nPGSQL_HOME_FIELD\thome\n"
            "PGSQL_MAILDIR_FIELD\tmaildir\nPGSQL_WHERE_CLAUSE\tsvc = 'login'\n"
            if field_mode else f"PGSQL_SELECT_CLAUSE\t{CLAUSE}\n"
        )
        return parse_authpgsqlrc(
            "##NAME: MARKER:0\n"
            f"PGSQL_CONNECTION host=127.0.0.1 port={self.lab.pg.port} user={role} "
            f"password={PASSWORD} dbname={SCRATCH_DB}\n" + lookup
        )

    def connect(self, role: str) -> psycopg.Connection[tuple[object, ...]]:
        """A plain connection as `role`, to ask the server and libpq themselves."""
        connection = self.config(role).connection
        assert connection is not None
        return psycopg.connect(connection.for_connect())

    def uids(self, role: str, address: str, service: str = "login", *,
             field_mode: bool = False) -> list[object]:
        """The uids of the rows the tool's SELECT returns, run as `role`."""
        explanation = explain_address(self.config(role, field_mode=field_mode), address, service)
        select = explanation.select
        assert select is not None and not select.error, explanation.sentence
        return [row[3] for row in select.rows]


@pytest.fixture(scope="module")
def scratch(lab: Lab) -> Iterator[Scratch]:
    if lab.faults:
        lab.apply(frozenset())
    with lab.pg.superuser() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        for role, setting in ROLES.items():
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
            conn.execute(f"ALTER ROLE {role} SET standard_conforming_strings = {setting}")
        conn.execute(f"CREATE DATABASE {SCRATCH_DB}")
    try:
        with lab.pg.superuser(SCRATCH_DB) as conn:
            conn.execute("CREATE TABLE mailboxes (login text, svc text, uid int, gid int, "
                         "home text, maildir text)")
            for login, service, uid in ROWS:
                conn.execute("INSERT INTO mailboxes VALUES (%s, %s, %s, 1000, %s, 'Mail/')",
                             (login, service, uid, f"/home/u{uid}/"))
            conn.execute(f"GRANT SELECT ON mailboxes TO {', '.join(ROLES)}")
        made = Scratch(lab)
        for role, setting in ROLES.items():  # each role really connects with its setting
            with made.connect(role) as conn:
                assert conn.info.parameter_status("standard_conforming_strings") == setting
        yield made
    finally:
        with lab.pg.superuser() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
            for role in ROLES:
                conn.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("field_mode", [False, True], ids=["clause", "fields"])
def test_a_backslash_finds_its_own_row_whatever_the_setting(
        scratch: Scratch, role: str, field_mode: bool) -> None:
    # Read with the backslash as an escape, back\slash would be backslash: the wrong mailbox.
    assert scratch.uids(role, f"back\\slash@{DOMAIN}", field_mode=field_mode) == [2001]
    assert scratch.uids(role, f"backslash@{DOMAIN}", field_mode=field_mode) == [2002]
    assert scratch.uids(role, f"o'neil@{DOMAIN}", field_mode=field_mode) == [2003]


@pytest.mark.parametrize("field_mode", [False, True], ids=["clause", "fields"])
def test_a_backslash_before_a_quote_does_not_end_the_literal(
        scratch: Scratch, field_mode: bool) -> None:
    # With the setting off and only the quote doubled, `\'` ends up an escaped quote and the
    # next `'` closes the literal: `OR uid > 0` becomes SQL and every mailbox matches.
    address = f"x\\' OR uid > 0 --@{DOMAIN}"
    for role in ROLES:
        assert scratch.uids(role, address, field_mode=field_mode) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_a_quote_in_the_service_stays_inside_its_literal(scratch: Scratch, role: str) -> None:
    assert scratch.uids(role, f"imaponly@{DOMAIN}", "imap") == [2004]
    # Raw, this service closes the literal and adds `OR svc <> ''`: every mailbox matches.
    assert scratch.uids(role, f"imaponly@{DOMAIN}", "imap' OR svc <> '") == []
    assert scratch.uids(role, f"imaponly@{DOMAIN}", "imap\\' OR svc <> '") == []


@pytest.mark.parametrize("role", list(ROLES))
def test_the_escaping_is_libpqs_own_for_the_connection(scratch: Scratch, role: str) -> None:
    with scratch.connect(role) as conn:
        conforming = conn.info.parameter_status("standard_conforming_strings") == "on"
        libpq_escaping = psycopg.pq.Escaping(conn.pgconn)  # PQescapeStringConn()
        for value in ("plain", "o'neil", "back\\slash", "x\\' OR 1=1 --", "\\\\''\\"):
            libpq = libpq_escaping.escape_string(value.encode()).decode()
            assert escape_string_literal(value, conforming) == libpq

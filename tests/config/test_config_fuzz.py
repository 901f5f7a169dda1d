"""Property tests: the parsers never raise, never leak the password, keep the right value,
and never let an address break out of its SQL string literal."""

from __future__ import annotations

import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tui.core.config.authdaemonrc import C_SPACE, parse_authdaemonrc
from tui.core.config.authpgsqlrc import LIBPQ_KEYWORDS, ConnInfo, parse_authpgsqlrc
from tui.core.config.lint import lint_config

# Every code point, surrogates and NUL included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=400)
LINE_CHARS = st.sampled_from([*"AZaz09_=#\"'\\ \t\r\0$()@-.,", "\n", "é", "\ud800", "\u2028"])
CONFIG_LIKE = st.text(alphabet=LINE_CHARS, max_size=400)
LONG_LINE = st.builds(
    lambda key, n, tail: f"{key}{'x' * n}{tail}",
    st.sampled_from(["", "PGSQL_CONNECTION ", "LOGGEROPTS=", "daemons=", "#"]),
    st.integers(min_value=8000, max_value=20000),
    CONFIG_LIKE,
)

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", min_size=1, max_size=12)
# The marker makes each password unique in the output: no other generated text contains '~'.
PASSWORD = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\n\r\0"), min_size=4, max_size=30
).map(lambda body: f"~pw~{body}")
PARAM_KEYWORDS = st.sampled_from(["host", "port", "user", "dbname", "sslmode", "application_name"])


def quote(value: str) -> str:
    """Independent of the code under test: always single-quote, escaping \\ and '."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def conninfo_with_password(draw: st.DrawFn) -> tuple[str, str]:
    params = draw(st.dictionaries(PARAM_KEYWORDS, WORD, max_size=5))
    password = draw(PASSWORD)
    pairs = [
        f"{keyword}{draw(st.sampled_from(['=', ' = ', '= ']))}{value}"
        for keyword, value in params.items()
    ]
    pairs.insert(draw(st.integers(0, len(pairs))), f"password={quote(password)}")
    # Pairs may be spread over continuation lines, as in Debian's sample file.
    separators = [draw(st.sampled_from([" ", "  ", " \\\n\t  "])) for _ in pairs]
    text = "".join(sep + pair for sep, pair in zip(separators, pairs, strict=True))
    return text, password


@settings(max_examples=300)
@given(st.one_of(ANY_TEXT, CONFIG_LIKE, LONG_LINE))
@example("PGSQL_CONNECTION \\")
@example("x \\\n")
@example('daemons=\0\nauthmodulelist="')
@example("PGSQL_SELECT_CLAUSE SELECT '$(")
def test_parsers_never_raise(text: str) -> None:
    daemon = parse_authdaemonrc(text)
    pgsql = parse_authpgsqlrc(text)
    lint_config(daemon, pgsql)
    assert repr(daemon) and repr(pgsql)
    pgsql.select_for("user@example.com")
    pgsql.select_for(text)
    if pgsql.connection is not None:
        pgsql.connection.for_connect()
    assert all(problem.id for problem in (*daemon.problems, *pgsql.problems))


@given(st.one_of(ANY_TEXT, st.text(alphabet="hostpaw=' \\\t", max_size=60)))
@example("host=a password='b c' dbname=d")
def test_conninfo_masked_is_the_same_conninfo_minus_secrets(text: str) -> None:
    conn = ConnInfo.parse(text)
    assume(not text.lstrip(C_SPACE).startswith(("postgresql://", "postgres://")))
    again = ConnInfo.parse(conn.masked())
    known = {k: v for k, v in conn.params.items() if k in LIBPQ_KEYWORDS}
    assert {k: v for k, v in again.params.items() if k in LIBPQ_KEYWORDS} == known
    if conn.password is not None:
        assert again.password is not None and again.password.reveal() == "(hidden)"


@settings(max_examples=300)
@given(conninfo_with_password(), st.booleans())
def test_password_never_leaks(generated: tuple[str, str], duplicate: bool) -> None:
    conninfo, password = generated
    text = f"PGSQL_CONNECTION{conninfo}\nPGSQL_USER_TABLE passwd\n"
    if duplicate:  # a second, ignored PGSQL_CONNECTION line must not leak either
        text += f"PGSQL_CONNECTION host=other password={quote(password + 'x')}\n"
    text += "##NAME: MARKER:0\n"
    rc = parse_authpgsqlrc(text)
    assert rc.connection is not None and rc.connection.password is not None
    assert rc.connection.password.reveal() == password
    shown = [repr(rc), str(rc), repr(rc.connection), str(rc.connection), rc.connection.masked()]
    shown += [*rc.settings.keys(), *rc.settings.values()]
    shown += [text for p in lint_config(None, rc) for text in (p.message, p.fix, p.where)]
    assert not any(password in piece for piece in shown)
    # The only way out is for_connect(), and it round-trips.
    again = ConnInfo.parse(rc.connection.for_connect())
    assert again.password is not None and again.password.reveal() == password
    assert dict(again.params) == dict(rc.connection.params)


PGSQL_KEYS = st.sampled_from(
    ["PGSQL_USER_TABLE", "PGSQL_UID_FIELD", "PGSQL_WHERE_CLAUSE", "DEFAULT_DOMAIN", "PGSQL_OPT"]
)
PGSQL_VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\n\\\0"), max_size=20
).filter(lambda value: value.strip(C_SPACE) and "pass" not in value.lower())


@given(st.lists(st.tuples(PGSQL_KEYS, PGSQL_VALUE), min_size=1, max_size=12))
def test_authpgsqlrc_first_occurrence_wins(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"{key}\t{value}\n" for key, value in pairs) + "##NAME: MARKER:0\n"
    rc = parse_authpgsqlrc(text)
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value.strip(C_SPACE))
    for key, value in first.items():
        assert rc.settings[key] == value
    repeated = {key for key in first if [k for k, _ in pairs].count(key) > 1}
    assert {p.message.split()[0] for p in rc.problems if p.id == "duplicate-key"} == repeated


DAEMON_KEYS = st.sampled_from(["daemons", "authmodulelist", "DEBUG_LOGIN", "LOGGEROPTS", "X_Y"])
DAEMON_VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters='\n\0#"\r'), max_size=20
)


@given(st.lists(st.tuples(DAEMON_KEYS, DAEMON_VALUE, st.booleans()), min_size=1, max_size=12))
def test_authdaemonrc_last_occurrence_wins(entries: list[tuple[str, str, bool]]) -> None:
    lines = [f'{key}="{value}"' if quoted else f"{key}={value}" for key, value, quoted in entries]
    rc = parse_authdaemonrc("\n".join(lines) + "\n")
    last: dict[str, str] = {}
    for key, value, quoted in entries:
        last[key] = value if quoted else value.lstrip(C_SPACE)
    assert dict(rc.values) == last


def sql_literals(query: str) -> tuple[list[str], str]:
    """Split SQL into its '…' literals (unescaped) and the text outside them."""
    literals: list[str] = []
    outside: list[str] = []
    position = 0
    for match in re.finditer(r"'((?:[^']|'')*)'", query):
        outside.append(query[position : match.start()])
        literals.append(match.group(1).replace("''", "'"))
        position = match.end()
    outside.append(query[position:])
    return literals, "".join(outside)


ADDRESS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\0"), max_size=40)
CUSTOM_SELECT = (
    "PGSQL_SELECT_CLAUSE SELECT a, b, c, d, e, f FROM t "
    "WHERE u = '$(local_part)' AND d = '$(domain)' AND s = '$(service)'\n"
)


@settings(max_examples=300)
@given(ADDRESS)
@example("x' OR '1'='1@example.com")
@example("'; DROP TABLE uids; --@d")
@example("$(domain)'@$(local_part)")
def test_address_cannot_escape_the_string_literal(address: str) -> None:
    rc = parse_authpgsqlrc(
        "PGSQL_CONNECTION dbname=x\nDEFAULT_DOMAIN def.example\n"
        + CUSTOM_SELECT
        + "##NAME: MARKER:0\n"
    )
    query = rc.select_for(address)
    assert query is not None
    literals, outside = sql_literals(query)
    local, at, domain = address.partition("@")
    assert literals == [local, domain if at else "def.example", "login"]
    assert outside == "SELECT a, b, c, d, e, f FROM t WHERE u =  AND d =  AND s = "


@given(ADDRESS)
def test_field_mode_address_stays_one_literal(address: str) -> None:
    rc = parse_authpgsqlrc(
        "PGSQL_CONNECTION dbname=x\nPGSQL_USER_TABLE users\nPGSQL_CRYPT_PWFIELD c\n"
    )
    query = rc.select_for(address)
    assert query is not None
    literals, outside = sql_literals(query)
    assert literals == ["", "", "", "", "", address]  # clear/maildir/quota/name/options are ''
    assert outside.endswith("FROM users WHERE id =  AND (1=1)")

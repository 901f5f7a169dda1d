"""authpgsqlrc, read the way authlib's own config loader (0.67+) reads it.

Two generations exist: 0.67+ wants one libpq conninfo in PGSQL_CONNECTION; up to 0.66 the
connection was spread over PGSQL_HOST/PORT/USERNAME/PASSWORD/DATABASE/OPT. The file holds
the database password, so everything here that can be printed is masked; the password
leaves this module only through `ConnInfo.for_connect()`.
"""

from __future__ import annotations

import difflib
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from urllib.parse import parse_qsl, unquote

from tui.core.config.authdaemonrc import C_SPACE
from tui.core.config.errors import decode_config_bytes, read_config_bytes
from tui.core.config.secret import MASK, Secret
from tui.core.findings import Finding, Severity
from tui.core.shell_words import shell_command

Generation = Literal["current", "old", "unknown"]

MARKER_PREFIX = "##NAME: MARKER:"
OLD_CONNECTION_KEYS = (
    "PGSQL_HOST",
    "PGSQL_PORT",
    "PGSQL_USERNAME",
    "PGSQL_PASSWORD",
    "PGSQL_DATABASE",
    "PGSQL_OPT",
)
CLAUSE_KEYS = ("PGSQL_SELECT_CLAUSE", "PGSQL_ENUMERATE_CLAUSE", "PGSQL_CHPASS_CLAUSE")
# Field-mode settings and the defaults authpgsql uses when they are absent.
FIELD_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "PGSQL_NAME_FIELD": "''",
        "PGSQL_UID_FIELD": "uid",
        "PGSQL_GID_FIELD": "gid",
        "PGSQL_LOGIN_FIELD": "id",
        "PGSQL_HOME_FIELD": "home",
        "PGSQL_MAILDIR_FIELD": "''",
        "PGSQL_DEFAULTDELIVERY": "''",
        "PGSQL_QUOTA_FIELD": "''",
        "PGSQL_AUXOPTIONS_FIELD": "''",
        "PGSQL_WHERE_CLAUSE": "1=1",
    }
)
KNOWN_KEYS = frozenset(
    {
        "PGSQL_CONNECTION",
        "PGSQL_CHARACTER_SET",
        "DEFAULT_DOMAIN",
        "PGSQL_USER_TABLE",
        "PGSQL_CRYPT_PWFIELD",
        "PGSQL_CLEAR_PWFIELD",
        *FIELD_DEFAULTS,
        *CLAUSE_KEYS,
        *OLD_CONNECTION_KEYS,
    }
)
# The substitutions each custom clause gets; anything else expands to "" (expand_string()).
CLAUSE_SUBSTITUTIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "PGSQL_SELECT_CLAUSE": frozenset({"local_part", "domain", "service"}),
        "PGSQL_ENUMERATE_CLAUSE": frozenset({"local_part", "domain", "service"}),
        "PGSQL_CHPASS_CLAUSE": frozenset({"local_part", "domain", "newpass", "newpass_crypt"}),
    }
)
SAMPLE_HOST = "pgsql.example.com"  # upstream sample; an upgrade's sysconftool can put it back
MIN_RESULT_COLUMNS = 6  # fewer → "incomplete row, only N fields returned"
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_SUBSTITUTION = re.compile(r"\$\(([^)]*)\)?")

# ---------------------------------------------------------------------------------------------
# libpq conninfo
# ---------------------------------------------------------------------------------------------

SECRET_KEYWORDS = frozenset(
    {"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"}
)
# Keywords of a current libpq (PostgreSQL 12-18); anything else makes PQconnectdb() fail.
LIBPQ_KEYWORDS = frozenset(
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth",
        "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
        "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode",
        "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword",
        "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "min_protocol_version",
        "max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service",
        "target_session_attrs", "load_balance_hosts", "scram_client_key", "scram_server_key",
        "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope",
    }
)  # fmt: skip
_URI_PREFIXES = ("postgresql://", "postgres://")


def _is_secret_keyword(keyword: str) -> bool:
    """Known secret keywords, plus unknown ones that look like one (a typo'd `pasword=`)."""
    if keyword in SECRET_KEYWORDS:
        return True
    lowered = keyword.lower()
    looks_secret = any(part in lowered for part in ("pass", "pasw", "pwd", "word", "secret"))
    return keyword not in LIBPQ_KEYWORDS and looks_secret


def _always_quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_conninfo_value(value: str) -> str:
    """Quote a value for libpq keyword=value syntax only when it needs it."""
    if value and not any(c in C_SPACE or c in "'\\" for c in value):
        return value
    return _always_quoted(value)


@dataclass(frozen=True)
class _Word:
    """One keyword=value pair of a conninfo string, as libpq's conninfo_parse() splits it."""

    keyword: str
    value: str
    has_equals: bool
    offset: int
    quoted: bool


def _conninfo_words(text: str) -> Iterator[_Word | str]:
    """libpq's conninfo_parse() loop; yields pairs, or an error string (without any value).

    Unlike libpq it carries on after an error, so a password further on is still found
    (and masked) rather than left in unparsed text.
    """
    position, length = 0, len(text)
    while position < length:
        if text[position] in C_SPACE:
            position += 1
            continue
        start = position
        while position < length and text[position] != "=" and text[position] not in C_SPACE:
            position += 1
        keyword = text[start:position]
        while position < length and text[position] in C_SPACE:
            position += 1
        if position >= length or text[position] != "=":
            yield _Word(keyword, "", has_equals=False, offset=start, quoted=False)
            continue
        position += 1
        while position < length and text[position] in C_SPACE:
            position += 1
        value_chars: list[str] = []
        quoted = position < length and text[position] == "'"
        if not quoted:
            while position < length and text[position] not in C_SPACE:
                if text[position] == "\\":
                    position += 1
                    if position < length:
                        value_chars.append(text[position])
                        position += 1
                else:
                    value_chars.append(text[position])
                    position += 1
        else:
            position += 1
            while True:
                if position >= length:
                    named = keyword if keyword in LIBPQ_KEYWORDS else "a keyword"
                    yield f"unterminated quoted string in the value of {named}"
                    break
                char = text[position]
                if char == "\\":
                    position += 1
                    if position < length:
                        value_chars.append(text[position])
                        position += 1
                    continue
                position += 1
                if char == "'":
                    break
                value_chars.append(char)
        yield _Word(keyword, "".join(value_chars), has_equals=True, offset=start, quoted=quoted)


def _uri_pairs(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A postgresql:// URI as keyword/value pairs (libpq's conninfo_uri_parse, simplified)."""
    rest = text.strip(C_SPACE).split("://", 1)[1]
    rest, _, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    pairs: list[tuple[str, str]] = []
    if "@" in netloc:
        userinfo, _, netloc = netloc.partition("@")
        user, colon, password = userinfo.partition(":")
        if user:
            pairs.append(("user", unquote(user)))
        if colon:
            pairs.append(("password", unquote(password)))
    hosts: list[str] = []
    ports: list[str] = []
    for hostspec in netloc.split(",") if netloc else []:
        if hostspec.startswith("["):
            host, _, after = hostspec[1:].partition("]")
            port = after[1:] if after.startswith(":") else ""
        else:
            host, _, port = hostspec.partition(":")
        hosts.append(unquote(host))
        ports.append(port)
    if any(hosts):
        pairs.append(("host", ",".join(hosts)))
    if any(ports):
        pairs.append(("port", ",".join(ports)))
    if slash and path:
        pairs.append(("dbname", unquote(path)))
    for keyword, value in parse_qsl(query, keep_blank_values=True):
        if keyword == "ssl" and value == "true":
            keyword, value = "sslmode", "require"
        pairs.append((keyword, value))
    return pairs, []


def _keyword_pairs(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """keyword=value pairs and syntax errors; words that may be a split password are dropped."""
    pairs: list[tuple[str, str]] = []
    errors: list[str] = []
    after_bare_secret = False  # the previous word was an unquoted secret value
    for word in _conninfo_words(text):
        if isinstance(word, str):
            errors.append(word)
            continue
        if after_bare_secret and (word.keyword not in LIBPQ_KEYWORDS or not word.has_equals):
            errors.append(
                f"a word at offset {word.offset} follows an unquoted password value; a value "
                "with spaces must be single-quoted: password='…'"
            )
            continue
        if not word.has_equals:
            shown = f'"{word.keyword}"' if word.keyword in LIBPQ_KEYWORDS else "a word"
            errors.append(f'missing "=" after {shown} at offset {word.offset}')
            continue
        if not word.keyword:
            errors.append(f'"=" without a keyword at offset {word.offset}')
            continue
        after_bare_secret = _is_secret_keyword(word.keyword) and not word.quoted
        pairs.append((word.keyword, word.value))
    return pairs, errors


@dataclass(frozen=True)
class ConnInfo:
    """A libpq connection string, split so the password cannot leak by accident.

    `params` holds every keyword except the secret ones; `password` (and `secrets`, for
    sslpassword and friends) are `Secret`s. str()/repr() give the masked form.
    """

    params: Mapping[str, str]
    password: Secret | None = None
    secrets: Mapping[str, Secret] = field(default_factory=lambda: MappingProxyType({}))
    # Keywords in the order written (secret ones included), so masked() reads like the file.
    order: tuple[str, ...] = ()
    # Why libpq would refuse the string; never contains a value.
    errors: tuple[str, ...] = ()

    @classmethod
    def from_pairs(
        cls, pairs: list[tuple[str, str]], errors: list[str] | tuple[str, ...] = ()
    ) -> ConnInfo:
        """Build from keyword/value pairs; a repeated keyword keeps its last value, like libpq."""
        params: dict[str, str] = {}
        secrets: dict[str, Secret] = {}
        order: list[str] = []
        for keyword, value in pairs:
            if keyword not in order:
                order.append(keyword)
            if _is_secret_keyword(keyword):
                params.pop(keyword, None)
                secrets[keyword] = Secret(value)
            else:
                secrets.pop(keyword, None)
                params[keyword] = value
        password = secrets.pop("password", None)
        return cls(
            params=MappingProxyType(params),
            password=password,
            secrets=MappingProxyType(secrets),
            order=tuple(order),
            errors=tuple(errors),
        )

    @classmethod
    def parse(cls, text: str) -> ConnInfo:
        """Parse keyword=value conninfo (or a postgresql:// URI) as libpq does; never raises."""
        if text.lstrip(C_SPACE).startswith(_URI_PREFIXES):
            return cls.from_pairs(*_uri_pairs(text))
        return cls.from_pairs(*_keyword_pairs(text))

    def _render(self, *, reveal: bool) -> str:
        password_slot = ("password",) if self.password is not None else ()
        order = self.order or (*self.params, *password_slot, *self.secrets)
        parts: list[str] = []
        for keyword in order:
            secret = self.password if keyword == "password" else self.secrets.get(keyword)
            if secret is not None:
                # Always quoted when revealed, so no word after it can look like its tail.
                shown = _always_quoted(secret.reveal()) if reveal else MASK
                parts.append(f"{keyword}={shown}")
            elif keyword in self.params:
                parts.append(f"{keyword}={quote_conninfo_value(self.params[keyword])}")
        return " ".join(parts)

    def masked(self) -> str:
        """The conninfo with every secret shown as `(hidden)`: safe for screens and logs."""
        return self._render(reveal=False)

    def for_connect(self) -> str:
        """The real conninfo, password included, quoted for libpq.

        This is the ONLY place the password is revealed: pass the result straight to
        psycopg/libpq and never display, log or store it.
        """
        return self._render(reveal=True)

    @property
    def unknown_keywords(self) -> tuple[str, ...]:
        """Keywords a current libpq does not know: PQconnectdb() fails on them."""
        return tuple(k for k in self.order if k not in LIBPQ_KEYWORDS)

    @property
    def dbname(self) -> str | None:
        return self.params.get("dbname")

    @property
    def user(self) -> str | None:
        return self.params.get("user")

    @property
    def host(self) -> str | None:
        return self.params.get("host")

    @property
    def port(self) -> str | None:
        return self.params.get("port")

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"ConnInfo({self.masked()!r})"


# ---------------------------------------------------------------------------------------------
# SQL helpers: what authdaemond sends to PostgreSQL
# ---------------------------------------------------------------------------------------------


def escape_string_literal(value: str, standard_conforming_strings: bool = True) -> str:
    """The body of a '…' literal, as PQescapeStringConn() makes it for a connection.

    `'` is always doubled. With the server's standard_conforming_strings off, a backslash
    inside '…' is an escape character, so it is doubled too; with it on (the default since
    PostgreSQL 9.1) backslashes stay as they are. The C function stops at a NUL, so we do too.
    """
    value = value.split("\0", 1)[0]
    if not standard_conforming_strings:
        value = value.replace("\\", "\\\\")
    return value.replace("'", "''")


def expand_substitutions(template: str, parameters: Mapping[str, str]) -> str:
    """`$(name)` expansion exactly like authlib's expand_string().

    An unknown name expands to the empty string (the daemon does that silently; the linter
    flags it). Substituted values are never re-scanned.
    """
    out: list[str] = []
    position, length = 0, len(template)
    while position < length:
        dollar = template.find("$", position)
        if dollar < 0:
            out.append(template[position:])
            break
        out.append(template[position:dollar])
        if dollar + 1 < length and template[dollar + 1] == "(":
            close = template.find(")", dollar + 2)
            end = close if close >= 0 else length
            out.append(parameters.get(template[dollar + 2 : end], ""))
            position = end + 1
        else:
            out.append("$")
            position = dollar + 1
    return "".join(out)


def substitution_names(template: str) -> list[str]:
    """The `$(name)` names a clause uses, in order."""
    return [match.group(1) for match in _SUBSTITUTION.finditer(template)]


_STOP_WORDS = frozenset({"from", "where", "group", "order", "limit", "union", "having", "into"})


def count_outer_select_columns(sql: str) -> int | None:
    """Columns in the outermost select list, or None when unsure.

    Deliberately simple: only `SELECT a, b, … FROM …`; anything with comments, dollar or
    E'' quoting, `*`, DISTINCT ON or unbalanced quoting/parentheses gives None.
    """
    text = sql.strip(C_SPACE)
    head = re.match(r"(?i)select\b", text)
    if head is None or re.search(r"--|/\*|\$[A-Za-z_0-9]*\$|(?i:\bE')", text):
        return None
    rest = text[head.end() :]
    modifier = re.match(r"(?i)\s*(distinct|all)\b", rest)
    if modifier:
        if re.match(r"(?i)\s*on\b", rest[modifier.end() :]):
            return None
        rest = rest[modifier.end() :]
    items: list[str] = []
    depth, start, position, length = 0, 0, 0, len(rest)
    while position < length:
        char = rest[position]
        if char in "'\"":
            close = position + 1
            while True:
                close = rest.find(char, close)
                if close < 0:
                    return None
                if rest[close + 1 : close + 2] == char:
                    close += 2
                    continue
                break
            position = close + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and char == ",":
            items.append(rest[start:position])
            start = position + 1
        elif depth == 0 and char == ";":
            break
        elif depth == 0 and char.isalpha():
            previous = rest[position - 1] if position else " "
            word = re.match(r"[A-Za-z_]+", rest[position:])
            if word and not (previous.isalnum() or previous in "_$.\"'"):
                if word.group(0).lower() in _STOP_WORDS:
                    break
                position += len(word.group(0))
                continue
        position += 1
    if depth != 0:
        return None
    items.append(rest[start:position])
    stripped = [item.strip(C_SPACE) for item in items]
    if any(not item or item == "*" or item.endswith(".*") for item in stripped):
        return None
    return len(stripped)


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One NAME value setting and the physical line it starts on."""

    name: str
    value: str
    line: int


def _scan(text: str) -> tuple[list[_Entry], int | None]:
    """Settings in file order and the marker line, found the way authlib's loader finds them.

    Comments are lines whose first non-blank char is `#`; the marker must start at column 0.
    A value ending in `\\` continues: the backslash becomes a space and the next physical
    line (minus its leading blanks; `#` lines included) is appended. A blank line ends it.
    """
    lines = text.split("\n")
    entries: list[_Entry] = []
    marker_line: int | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        body = line.lstrip(C_SPACE)
        if not body or body.startswith("#"):
            if marker_line is None and line.startswith(MARKER_PREFIX):
                marker_line = number
            continue
        name_end = next((i for i, c in enumerate(body) if c in C_SPACE), len(body))
        name, segment = body[:name_end], body[name_end:]
        pieces: list[str] = []
        while True:
            piece = segment.strip(C_SPACE)
            if not piece:
                break
            continuing = piece.endswith("\\")
            pieces.append(piece[:-1] + " " if continuing else piece)
            if not continuing:
                break
            segment = lines[index] if index < len(lines) else ""
            index += 1
        entries.append(_Entry(name, "".join(pieces), number))
    return entries, marker_line


def _where(path: Path | None, line: int | None = None) -> str:
    name = str(path) if path is not None else "authpgsqlrc"
    return f"{name}:{line}" if line is not None else name


def _masked_setting(name: str, value: str, connection: ConnInfo | None) -> str:
    """What `settings` shows for one value: secrets never appear."""
    if name == "PGSQL_CONNECTION" and connection is not None:
        return connection.masked()
    if name == "PGSQL_PASSWORD":
        return MASK
    if name not in KNOWN_KEYS and ("PASS" in name or "SECRET" in name or "pass" in value.lower()):
        return MASK
    return value


@dataclass(frozen=True)
class AuthPgsqlRc:
    """authpgsqlrc as the authpgsql module sees it, with secrets masked, plus its problems."""

    path: Path | None
    # NAME → value, first occurrence wins (std::map::insert). Secrets are masked.
    settings: Mapping[str, str]
    has_marker: bool
    generation: Generation
    connection: ConnInfo | None
    select_clause: str | None
    enumerate_clause: str | None
    chpass_clause: str | None
    default_domain: str | None
    problems: tuple[Finding, ...]
    # NAME → line number of the occurrence that is used.
    setting_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def all_clauses_custom(self) -> bool:
        """All three custom clauses set: only then are the field keys optional."""
        return bool(self.select_clause and self.enumerate_clause and self.chpass_clause)

    @property
    def loads(self) -> bool:
        """Whether authpgsql would accept this file (else every lookup is a TEMPFAIL)."""
        blocking = {"marker-missing", "connection-missing", "old-style-keys"}
        blocking |= {"user-table-required", "crypt-field-required"}
        return not any(problem.id in blocking for problem in self.problems)

    def select_for(self, address: str, service: str = "login", *,
                   standard_conforming_strings: bool = True) -> str | None:
        """The SELECT authdaemond runs to look up `address` (None: the file defines none).

        The login is escaped like PQescapeStringConn() before it is split at the first `@`,
        as authpgsql does; that escaping depends on the server's standard_conforming_strings,
        which the caller passes. The default, on, is PostgreSQL's own default: it is what a
        query built without a connection at hand (to measure it, to show it) assumes. A query
        that is run is built with the value the server reported (see `run_select`).

        `service` goes through the same escaping. authpgsql itself inserts it as the client
        sent it; the clients send fixed names (login, imap, courier…), which escaping leaves
        alone, while a name typed into this tool must not rewrite the query it runs.
        """
        escaped = escape_string_literal(address, standard_conforming_strings)
        if self.select_clause:
            local_part, at, domain = escaped.partition("@")
            parameters = {
                "service": escape_string_literal(service, standard_conforming_strings),
                "local_part": local_part,
                "domain": domain if at else (self.default_domain or ""),
            }
            return expand_substitutions(self.select_clause, parameters)
        if "PGSQL_USER_TABLE" not in self.settings:
            return None
        return self._field_mode_select(address, service, standard_conforming_strings)

    def _field_mode_select(self, address: str, service: str,
                           standard_conforming_strings: bool) -> str:
        """The query authpgsql generates from the *_FIELD settings (getuserinfo())."""
        settings = self.settings

        def column(name: str) -> str:
            return settings.get(name, FIELD_DEFAULTS[name])

        login = address
        if "@" not in login and self.default_domain:
            login = f"{login}@{self.default_domain}"
        clear = settings.get("PGSQL_CLEAR_PWFIELD", "") or "''"
        crypt = settings.get("PGSQL_CRYPT_PWFIELD", "") or "''"
        mail_column = "PGSQL_DEFAULTDELIVERY" if service == "courier" else "PGSQL_MAILDIR_FIELD"
        login_field = column("PGSQL_LOGIN_FIELD")
        select_list = ", ".join(
            [
                login_field,
                crypt,
                clear,
                column("PGSQL_UID_FIELD"),
                column("PGSQL_GID_FIELD"),
                column("PGSQL_HOME_FIELD"),
                column(mail_column),
                column("PGSQL_QUOTA_FIELD"),
                column("PGSQL_NAME_FIELD"),
                column("PGSQL_AUXOPTIONS_FIELD"),
            ]
        )
        return (
            f"SELECT {select_list} FROM {settings['PGSQL_USER_TABLE']} WHERE {login_field} = "
            f"'{escape_string_literal(login, standard_conforming_strings)}' AND "
            f"({column('PGSQL_WHERE_CLAUSE')})"
        )


def _old_connection(raw: Mapping[str, str]) -> ConnInfo:
    """What PQsetdbLogin(host, port, opt, NULL, database, user, password) got (≤ 0.66).

    PQsetdbLogin ignores empty strings, so only non-empty settings become keywords.
    """
    mapping = (
        ("host", "PGSQL_HOST"),
        ("port", "PGSQL_PORT"),
        ("user", "PGSQL_USERNAME"),
        ("password", "PGSQL_PASSWORD"),
        ("dbname", "PGSQL_DATABASE"),
        ("options", "PGSQL_OPT"),
    )
    return ConnInfo.from_pairs([(kw, raw[key]) for kw, key in mapping if raw.get(key)])


class _Checker:
    """Collects the findings for one parsed file; each method is one family of checks."""

    def __init__(
        self,
        path: Path | None,
        raw: Mapping[str, str],
        lines: Mapping[str, list[int]],
        connection: ConnInfo | None,
    ) -> None:
        self.path = path
        self.raw = raw
        self.lines = lines
        self.connection = connection
        self.found: list[Finding] = []

    def add(self, id_: str, severity: Severity, message: str, line: int | None, fix: str) -> None:
        self.found.append(Finding(id_, severity, message, _where(self.path, line), fix))

    def first_line(self, name: str) -> int | None:
        found = self.lines.get(name)
        return found[0] if found else None

    def marker(self, marker_line: int | None) -> None:
        if marker_line is not None:
            return
        self.add(
            "marker-missing",
            Severity.ERROR,
            f"No '{MARKER_PREFIX}' line at column 0: authpgsql rejects the whole file "
            '("marker line not found … (probably forgot to run sysconftool after an upgrade)") '
            "and every lookup is a temporary failure.",
            None,
            "Restore a line '##NAME: MARKER:0' at column 0 (usually the last section), or "
            "re-run sysconftool; on ApisCP run `upcp -sb mail/configure-courier-authlib`.",
        )

    def connection_checks(self, generation: Generation) -> None:
        if generation == "unknown":
            self.add(
                "connection-missing",
                Severity.ERROR,
                'No PGSQL_CONNECTION setting: authpgsql logs "PGSQL_CONNECTION not found" and '
                "every lookup is a temporary failure.",
                None,
                "Add e.g. 'PGSQL_CONNECTION host=localhost port=5432 user=… password=… "
                "dbname=…'; on ApisCP run `upcp -sb mail/configure-courier-authlib`.",
            )
            return
        connection = self.connection
        assert connection is not None
        if generation == "old":
            present = [key for key in OLD_CONNECTION_KEYS if key in self.raw]
            self.add(
                "old-style-keys",
                Severity.ERROR,
                f"The file uses the old (authlib ≤ 0.66) connection keys {', '.join(present)}. "
                'authlib 0.67+ no longer reads them and logs "PGSQL_CONNECTION not found"; '
                "every lookup is a temporary failure. (The probe here uses them anyway.)",
                self.first_line(present[0]),
                f"Replace them with one line: PGSQL_CONNECTION {connection.masked()}",
            )
            return
        line = self.first_line("PGSQL_CONNECTION")
        if connection.errors:
            self.add(
                "connection-invalid",
                Severity.ERROR,
                "PGSQL_CONNECTION is not a valid libpq connection string: "
                + "; ".join(connection.errors)
                + '. authpgsql logs "PGSQL_CONNECTION could not be established".',
                line,
                "Write keyword=value pairs separated by spaces; quote values containing "
                "spaces or quotes with single quotes (password='a b').",
            )
        unknown = connection.unknown_keywords
        if unknown:
            suggestions = [
                f"{k} → {match[0]}"
                for k in unknown
                if (match := difflib.get_close_matches(k, LIBPQ_KEYWORDS, n=1))
            ]
            self.add(
                "connection-unknown-option",
                Severity.WARNING,
                f"PGSQL_CONNECTION uses {', '.join(unknown)}, unknown to current libpq: "
                '"invalid connection option", the connection fails.',
                line,
                "Fix the keyword" + (f" ({'; '.join(suggestions)})" if suggestions else "") + ".",
            )
        if not connection.order and not connection.errors:
            self.add(
                "connection-empty",
                Severity.WARNING,
                "PGSQL_CONNECTION is empty: libpq connects with its defaults (local socket, "
                "the daemon's user name as role and database).",
                line,
                "Put host=, port=, user=, password= and dbname= in PGSQL_CONNECTION.",
            )
        elif connection.dbname is None:
            user = f"'{connection.user}'" if connection.user else "the connecting user"
            database = self.raw.get("PGSQL_DATABASE")
            fix = (
                f"Add dbname={quote_conninfo_value(database)} to PGSQL_CONNECTION "
                "(PGSQL_DATABASE is no longer read)."
                if database
                else "Add dbname=<database> to PGSQL_CONNECTION."
            )
            self.add(
                "connection-no-dbname",
                Severity.WARNING,
                f"PGSQL_CONNECTION has no dbname=: libpq then uses the user name, so it opens "
                f"the database named like {user}.",
                line,
                fix,
            )
        if connection.host == SAMPLE_HOST:
            self.add(
                "connection-sample-values",
                Severity.WARNING,
                f"PGSQL_CONNECTION still points at the sample host {SAMPLE_HOST}; an authlib "
                "upgrade (sysconftool) replaces an old PGSQL_HOST block with this sample.",
                line,
                "Put the real host, port, user, password and dbname in PGSQL_CONNECTION.",
            )
        self.dead_old_keys()

    def dead_old_keys(self) -> None:
        if "PGSQL_DATABASE" in self.raw:
            self.add(
                "dead-pgsql-database",
                Severity.INFO,
                "PGSQL_DATABASE is ignored when PGSQL_CONNECTION is used (authlib 0.67+); "
                "only dbname= inside PGSQL_CONNECTION counts.",
                self.first_line("PGSQL_DATABASE"),
                "Move the database name into PGSQL_CONNECTION as dbname=… and delete the line.",
            )
        dead = [k for k in OLD_CONNECTION_KEYS if k in self.raw and k != "PGSQL_DATABASE"]
        if dead:
            self.add(
                "dead-old-keys",
                Severity.INFO,
                f"{', '.join(dead)} are ignored by authlib 0.67+; only PGSQL_CONNECTION counts "
                "(a password there may differ from the one really used).",
                self.first_line(dead[0]),
                "Delete the old keys so nobody edits the wrong line.",
            )

    def required_fields(self, all_clauses_custom: bool) -> None:
        if all_clauses_custom:
            return
        why = (
            "It is required unless PGSQL_SELECT_CLAUSE, PGSQL_ENUMERATE_CLAUSE and "
            "PGSQL_CHPASS_CLAUSE are all set, even when the custom SELECT makes it unused."
        )
        placeholder = " (any value works if PGSQL_SELECT_CLAUSE is set; ApisCP keeps such "
        placeholder += "'garbage entries' for this)"
        if "PGSQL_USER_TABLE" not in self.raw:
            self.add(
                "user-table-required",
                Severity.ERROR,
                f'PGSQL_USER_TABLE is missing: authpgsql logs "PGSQL_USER_TABLE not found" and '
                f"rejects the file. {why}",
                None,
                f"Add a line 'PGSQL_USER_TABLE passwd'{placeholder}.",
            )
        if not self.raw.get("PGSQL_CLEAR_PWFIELD") and "PGSQL_CRYPT_PWFIELD" not in self.raw:
            self.add(
                "crypt-field-required",
                Severity.ERROR,
                "PGSQL_CRYPT_PWFIELD is missing (and no PGSQL_CLEAR_PWFIELD): authpgsql logs "
                f'"PGSQL_CRYPT_PWFIELD not found" and rejects the file. {why}',
                None,
                f"Add a line 'PGSQL_CRYPT_PWFIELD crypt'{placeholder}.",
            )

    def duplicates(self, stray: set[str]) -> None:
        for name, found in self.lines.items():
            if len(found) < 2 or name in stray:
                continue
            others = ", ".join(str(n) for n in found[1:])
            self.add(
                "duplicate-key",
                Severity.WARNING,
                f"{name} is set {len(found)} times (lines {found[0]}, {others}); authpgsql uses "
                f"the FIRST one, line {found[0]}, and ignores the rest.",
                found[1],
                f"Keep the value you want on line {found[0]} and delete line(s) {others}.",
            )

    def unknown_names(self, stray: set[str]) -> None:
        for name, found in self.lines.items():
            if name in stray:
                self.add(
                    "stray-line",
                    Severity.WARNING,
                    f"Line {found[0]} does not start with a setting NAME; authpgsql files it "
                    "under its first word and never uses it.",
                    found[0],
                    "If it continues the setting above, end that line with a backslash; "
                    "otherwise comment it out with '#'.",
                )
            elif name not in KNOWN_KEYS:
                match = difflib.get_close_matches(name, KNOWN_KEYS, n=1, cutoff=0.75)
                self.add(
                    "unknown-key",
                    Severity.WARNING,
                    f"{name} (line {found[0]}) is not a setting authpgsql reads.",
                    found[0],
                    f"Did you mean {match[0]}?" if match else "Remove it or fix the name.",
                )

    def clauses(self) -> None:
        for key in CLAUSE_KEYS:
            clause = self.raw.get(key)
            if not clause:
                continue
            line = self.first_line(key)
            unknown = sorted(set(substitution_names(clause)) - CLAUSE_SUBSTITUTIONS[key])
            if unknown:
                names = ", ".join(f"$({name})" for name in unknown)
                allowed = ", ".join(f"$({name})" for name in sorted(CLAUSE_SUBSTITUTIONS[key]))
                self.add(
                    "unknown-substitution",
                    Severity.WARNING,
                    f"{key} uses {names}, which authpgsql does not know; it is replaced by an "
                    "empty string.",
                    line,
                    f"Use only {allowed}.",
                )
        select = self.raw.get("PGSQL_SELECT_CLAUSE")
        if not select:
            return
        columns = count_outer_select_columns(select)
        if columns is not None and columns < MIN_RESULT_COLUMNS:
            self.add(
                "select-wrong-columns",
                Severity.WARNING,
                f"PGSQL_SELECT_CLAUSE returns {columns} column(s); authpgsql needs at least "
                f"{MIN_RESULT_COLUMNS} (username, cryptpw, clearpw, uid, gid, home, then maildir, "
                'quota, fullname, options) and otherwise logs "incomplete row" → temporary '
                "failure.",
                self.first_line("PGSQL_SELECT_CLAUSE"),
                "Select username, cryptpw, clearpw, uid, gid, home, maildir, quota, fullname, "
                "options in that order.",
            )
        if "local_part" not in substitution_names(select):
            self.add(
                "select-no-local-part",
                Severity.WARNING,
                "PGSQL_SELECT_CLAUSE never uses $(local_part): every address of a domain gets "
                "the same answer.",
                self.first_line("PGSQL_SELECT_CLAUSE"),
                "Compare the user column with '$(local_part)' (and the domain with '$(domain)').",
            )


def parse_authpgsqlrc(text: str, path: Path | None = None) -> AuthPgsqlRc:
    """Parse authpgsqlrc text like authpgsql does; content problems become findings."""
    entries, marker_line = _scan(text)
    raw: dict[str, str] = {}
    lines: dict[str, list[int]] = {}
    for entry in entries:
        raw.setdefault(entry.name, entry.value)
        lines.setdefault(entry.name, []).append(entry.line)

    if "PGSQL_CONNECTION" in raw:
        generation: Generation = "current"
        connection: ConnInfo | None = ConnInfo.parse(raw["PGSQL_CONNECTION"])
    elif any(key in raw for key in OLD_CONNECTION_KEYS):
        generation, connection = "old", _old_connection(raw)
    else:
        generation, connection = "unknown", None

    # Names that are not NAMEs (a conninfo fragment, a pasted password) are never shown.
    stray = {name for name in raw if not _SETTING_NAME.fullmatch(name)}
    settings = {
        name: _masked_setting(name, value, connection)
        for name, value in raw.items()
        if name not in stray
    }
    select_clause = raw.get("PGSQL_SELECT_CLAUSE") or None
    enumerate_clause = raw.get("PGSQL_ENUMERATE_CLAUSE") or None
    chpass_clause = raw.get("PGSQL_CHPASS_CLAUSE") or None

    checker = _Checker(path, raw, lines, connection)
    checker.marker(marker_line)
    checker.connection_checks(generation)
    checker.required_fields(bool(select_clause and enumerate_clause and chpass_clause))
    checker.clauses()
    checker.duplicates(stray)
    checker.unknown_names(stray)

    return AuthPgsqlRc(
        path=path,
        settings=MappingProxyType(settings),
        has_marker=marker_line is not None,
        generation=generation,
        connection=connection,
        select_clause=select_clause,
        enumerate_clause=enumerate_clause,
        chpass_clause=chpass_clause,
        default_domain=raw.get("DEFAULT_DOMAIN") or None,
        problems=tuple(checker.found),
        setting_lines=MappingProxyType(
            {name: found[0] for name, found in lines.items() if name not in stray}
        ),
    )


def load_authpgsqlrc(path: Path) -> AuthPgsqlRc:
    """Read and parse authpgsqlrc; raises `ConfigUnreadable` if the bytes cannot be read.

    Also warns when the file is world-readable: it holds the database password.
    """
    data, info = read_config_bytes(path)
    text, decode_problems = decode_config_bytes(data, path)
    parsed = parse_authpgsqlrc(text, path)
    extra = list(decode_problems)
    if info.st_mode & stat.S_IROTH:
        extra.append(
            Finding(
                "world-readable",
                Severity.WARNING,
                f"{path} is readable by every local user (mode {stat.filemode(info.st_mode)}) "
                "and contains the database password.",
                str(path),
                f"{shell_command('chmod', '640', '--', str(path))} (owner root:courier on Debian, "
                "daemon:daemon on ApisCP).",
            )
        )
    if not extra:
        return parsed
    return replace(parsed, problems=(*extra, *parsed.problems))

"""Postfix's own PostgreSQL lookup tables: which `pgsql:` maps main.cf uses, and do they answer.

On ApisCP Postfix resolves domains and aliases in the same database authpgsql
reads: when that database is down or a map's query breaks, Postfix defers mail
("table lookup problem") before maildrop ever runs, so the chain's own checks see
nothing wrong. Each map is found the way Postfix finds it (`postconf -x` of the
parameters that take tables), its file is read without following a link someone
could have planted there (`read_trusted_file`), and it is tested the way Postfix
uses it: `postmap -q KEY pgsql:FILE`. The password in a map file is held as a
`Secret` and only used to strip it from postmap's output; it is never shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tui.core.config.secret import Secret
from tui.core.postfix.postconf import POSTCONF_TIMEOUT, main_cf_values
from tui.core.safe_files import read_trusted_file
from tui.core.safe_text import safe_text

POSTMAP = "postmap"
POSTMAP_TIMEOUT = 15.0  # a map on an unreachable host waits for its connect timeout
MAX_MAP_FILE_BYTES = 256 * 1024
# The main.cf parameters that take lookup tables (domains lists accept them too).
DOMAIN_PARAMETERS: tuple[str, ...] = (
    "mydestination", "virtual_mailbox_domains", "virtual_alias_domains", "relay_domains",
)
ADDRESS_PARAMETERS: tuple[str, ...] = (
    "virtual_alias_maps", "virtual_mailbox_maps", "virtual_uid_maps", "virtual_gid_maps",
    "relay_recipient_maps", "local_recipient_maps", "alias_maps", "transport_maps",
    "canonical_maps", "sender_canonical_maps", "recipient_canonical_maps",
    "smtpd_sender_login_maps", "sender_dependent_relayhost_maps",
)
MAP_PARAMETERS: tuple[str, ...] = (*DOMAIN_PARAMETERS, *ADDRESS_PARAMETERS)
# `pgsql:/path`, also behind Postfix's proxymap (`proxy:pgsql:/path`).
_PGSQL_TABLE = re.compile(r"^(?:proxy:)?pgsql:(?P<path>/\S+)$")


@dataclass(frozen=True)
class PgsqlMapFile:
    """What one map file says, without its password; `problem` when it could not be read."""

    path: Path
    hosts: str = ""
    dbname: str = ""
    user: str = ""
    query: str = ""  # the query, or one built from the old table/select_field/where_field
    password: Secret | None = None
    problem: str = ""


@dataclass(frozen=True)
class PgsqlMap:
    """One `pgsql:` table main.cf names, with the parameter that names it."""

    parameter: str
    table: str  # as main.cf writes it: `pgsql:/etc/postfix/…` or `proxy:pgsql:…`
    file: PgsqlMapFile

    @property
    def takes_domains(self) -> bool:
        """A domains list asks the table with a domain, every other parameter with an address."""
        return self.parameter in DOMAIN_PARAMETERS


class MapOutcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not-found"
    FAILED = "failed"


@dataclass(frozen=True)
class MapAnswer:
    """What `postmap -q` said; `said` holds its warnings and errors, passwords stripped."""

    outcome: MapOutcome
    key: str
    command: tuple[str, ...]
    said: tuple[str, ...] = ()


def pgsql_tables(values: dict[str, str]) -> list[tuple[str, str, Path]]:
    """(parameter, table, map file) for every `pgsql:` table in these parameters' values."""
    found: list[tuple[str, str, Path]] = []
    for parameter in MAP_PARAMETERS:
        for word in values.get(parameter, "").replace(",", " ").split():
            match = _PGSQL_TABLE.match(word)
            if match is not None:
                found.append((parameter, word, Path(match.group("path"))))
    return found


def _logical_lines(text: str) -> list[str]:
    """pgsql_table(5) lines: `#` comments dropped, a line starting with blanks continues."""
    lines: list[str] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[:1].isspace() and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw.strip())
    return lines


def parse_map_file(path: Path, text: str) -> PgsqlMapFile:
    """The hosts, database, user and query of a map file; the password only as a Secret."""
    fields: dict[str, str] = {}
    for line in _logical_lines(text):
        name, sep, value = line.partition("=")
        if sep:
            fields[name.strip().lower()] = value.strip()
    query = fields.get("query", "")
    if not query and fields.get("table"):
        query = (f"SELECT {fields.get('select_field', '?')} FROM {fields['table']} "
                 f"WHERE {fields.get('where_field', '?')} = '%s'")
    password = fields.get("password")
    return PgsqlMapFile(path, fields.get("hosts", ""), fields.get("dbname", ""),
                        fields.get("user", ""), query,
                        Secret(password) if password else None)


def read_map_file(path: Path) -> PgsqlMapFile:
    """The map file, read as a settings file is: a link or a file others can change is
    refused (Postfix runs its query as root's configuration says)."""
    try:
        data = read_trusted_file(path)
    except OSError as exc:
        return PgsqlMapFile(path, problem=safe_text(exc.strerror or str(exc), 300))
    if len(data) > MAX_MAP_FILE_BYTES:
        return PgsqlMapFile(path, problem=f"larger than {MAX_MAP_FILE_BYTES} bytes")
    return parse_map_file(path, data.decode("utf-8", errors="replace"))


def find_pgsql_maps(config_dir: Path, timeout: float = POSTCONF_TIMEOUT) -> tuple[PgsqlMap, ...]:
    """Every `pgsql:` table this Postfix's main.cf uses, each map file read (empty: none, or
    postconf could not read main.cf)."""
    values = main_cf_values(config_dir, MAP_PARAMETERS, timeout)
    if not values:
        return ()
    return tuple(PgsqlMap(parameter, table, read_map_file(path))
                 for parameter, table, path in pgsql_tables(values))


def probe_key(pgsql_map: PgsqlMap, address: str) -> str:
    """The key Postfix would ask this table with: the address, or its domain for a domains list."""
    return address.rpartition("@")[2] if pgsql_map.takes_domains else address


def postmap_argv(config_dir: Path, pgsql_map: PgsqlMap, key: str) -> tuple[str, ...]:
    return (POSTMAP, "-c", str(config_dir), "-q", key, pgsql_map.table)


def _without_password(line: str, password: Secret | None) -> str:
    if password:
        line = line.replace(password.reveal(), str(password))
    return safe_text(line, 600)


def query_map(config_dir: Path, pgsql_map: PgsqlMap, key: str,
              timeout: float = POSTMAP_TIMEOUT) -> MapAnswer:
    """`postmap -q KEY TABLE`: found (exit 0), not found (exit 1, nothing said), else failed.

    postmap exits 1 both for "no such key" and for a fatal table error; only the second
    says something (`warning: connect to pgsql server …`, `fatal: table … lookup error`).
    """
    argv = postmap_argv(config_dir, pgsql_map, key)
    try:
        completed = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                                   check=False, errors="replace")
    except FileNotFoundError:
        return MapAnswer(MapOutcome.FAILED, key, argv, ("postmap is not installed",))
    except subprocess.TimeoutExpired:
        return MapAnswer(MapOutcome.FAILED, key, argv,
                         (f"postmap did not answer within {timeout:g} s",))
    except OSError as exc:
        return MapAnswer(MapOutcome.FAILED, key, argv, (safe_text(str(exc), 300),))
    said = tuple(_without_password(line, pgsql_map.file.password)
                 for line in completed.stderr.splitlines() if line.strip())
    if completed.returncode == 0:
        return MapAnswer(MapOutcome.FOUND, key, argv, said)
    if completed.returncode == 1 and not said:
        return MapAnswer(MapOutcome.NOT_FOUND, key, argv)
    return MapAnswer(MapOutcome.FAILED, key, argv, said or (
        f"postmap exited with status {completed.returncode}",))


class RecentAnswers:
    """postmap's answers of the last `keep` seconds, for a caller that asks every few seconds.

    Each `postmap -q` connects to the database, and a failing one writes two warnings to
    the mail log: the monitor's health run (every 5 s) asks at most once a minute per map.
    A changed map file is asked again at once.
    """

    def __init__(self, keep: float = 60.0) -> None:
        self.keep = keep
        self._answers: dict[tuple[str, str, str, tuple[int, int] | None],
                            tuple[float, MapAnswer]] = {}

    def query(self, config_dir: Path, pgsql_map: PgsqlMap, key: str,
              timeout: float = POSTMAP_TIMEOUT) -> MapAnswer:
        try:
            info = os.stat(pgsql_map.file.path)
            stamp: tuple[int, int] | None = (info.st_ino, info.st_mtime_ns)
        except OSError:
            stamp = None
        slot = (str(config_dir), pgsql_map.table, key, stamp)
        now = time.monotonic()
        kept = self._answers.get(slot)
        if kept is not None and now - kept[0] < self.keep:
            return kept[1]
        answer = query_map(config_dir, pgsql_map, key, timeout)
        self._answers = {s: a for s, a in self._answers.items() if now - a[0] < self.keep}
        self._answers[slot] = (now, answer)
        return answer


def shown_settings(map_file: PgsqlMapFile) -> Sequence[str]:
    """The map file's settings as evidence lines: never its password."""
    values = {"hosts": map_file.hosts, "dbname": map_file.dbname, "user": map_file.user,
              "query": map_file.query}
    lines = [f"{name} = {safe_text(value, 600)}" for name, value in values.items() if value]
    if map_file.password:
        lines.append("password = (set, not shown)")
    return lines


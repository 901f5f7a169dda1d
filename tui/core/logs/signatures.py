"""authdaemond's log messages as data (domain.md §4.2), so a log line can be explained.

Text is matched as it appears in syslog: courierlogger strips the `ERR:`/`WARN:`
prefix and picks the priority from it. Where the daemon runs without
courierlogger the prefix stays, so it is stripped here too. Patterns are anchored
at the start of the message: a looked-up address is attacker-controlled and
appears inside debug lines, so "contains Cannot open" must not match.

Order matters: the first matching signature wins, so specific ones come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.core.findings import Severity


@dataclass(frozen=True)
class Signature:
    """One kind of authdaemond message: a stable id, how to spot it, and what it means."""

    id: str
    pattern: re.Pattern[str]
    severity: Severity
    meaning: str


def _signature(signature_id: str, pattern: str, severity: Severity, meaning: str) -> Signature:
    return Signature(signature_id, re.compile(pattern), severity, meaning)


_LIBPQ_FAILED = r"(?:connection to server .*? failed: |could not connect to server: )"
_FILE = r"(?P<file>\S+?)"

SIGNATURES: tuple[Signature, ...] = (
    # -- authpgsql: the database connection -----------------------------------------------------
    _signature(
        "db-connect-failed",
        r"^PGSQL_CONNECTION could not be established",
        Severity.ERROR,
        "authpgsql could not connect to PostgreSQL; the next line has libpq's reason. "
        "Every lookup by this worker is a temporary failure.",
    ),
    _signature(
        "db-password-wrong",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?password authentication failed for user",
        Severity.ERROR,
        "PostgreSQL rejected the password in PGSQL_CONNECTION (authpgsqlrc).",
    ),
    _signature(
        "db-down",
        rf"^{_LIBPQ_FAILED}(?:Connection refused|No such file or directory)",
        Severity.ERROR,
        "Nothing accepts connections at the PGSQL_CONNECTION host/port or socket: "
        "PostgreSQL is stopped or listens elsewhere.",
    ),
    _signature(
        "db-connection-error",
        rf"^(?:{_LIBPQ_FAILED}|FATAL:\s+)",
        Severity.ERROR,
        "libpq could not connect to PostgreSQL (see the rest of the line: database, role, "
        "pg_hba.conf or network).",
    ),
    _signature(
        "db-connect-failed-old",
        r"^Connection to server '[^']*' userid '[^']*' database '[^']*' failed",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql could not connect to PostgreSQL; libpq's reason follows.",
    ),
    _signature(
        "db-charset-failed",
        r'^Cannot set character set to "[^"]*", using',
        Severity.WARNING,
        "PGSQL_CHARACTER_SET names an encoding PostgreSQL does not accept; the default is used.",
    ),
    _signature(
        "db-connection-lost",
        r"^authpgsql: PQstatus failed, connection lost",
        Severity.WARNING,
        "The worker's PostgreSQL connection dropped; it reconnects on the next lookup.",
    ),
    # -- authpgsqlrc (the shared config file loader) --------------------------------------------
    _signature(
        "marker-missing-kept-old",
        rf"^marker line not found in {_FILE} will try again later",
        Severity.ERROR,
        "authpgsqlrc changed and lost its ##NAME: MARKER: line; workers that had loaded it keep "
        "the old settings, fresh workers fail every lookup.",
    ),
    _signature(
        "marker-missing",
        rf"^marker line not found in {_FILE}(?:\s|$)",
        Severity.ERROR,
        "authpgsqlrc has no ##NAME: MARKER: line, so authpgsql refuses it and every lookup "
        "fails (usually sysconftool was not run after an upgrade).",
    ),
    _signature(
        "pgsql-connection-missing",
        rf"^PGSQL_CONNECTION not found in {_FILE}$",
        Severity.ERROR,
        "authpgsqlrc has no PGSQL_CONNECTION; authlib 0.67+ ignores the old PGSQL_HOST/"
        "PGSQL_USERNAME/PGSQL_PASSWORD keys.",
    ),
    _signature(
        "pgsql-required-key-missing",
        rf"^PGSQL_(?:USER_TABLE|CRYPT_PWFIELD) not found in {_FILE}$",
        Severity.ERROR,
        "authpgsqlrc lacks PGSQL_USER_TABLE or PGSQL_CRYPT_PWFIELD, required unless all three "
        "custom SELECT clauses are set.",
    ),
    _signature(
        "pgsql-old-key-missing",
        r"^authpgsql: PGSQL_\w+ (?:and PGSQL_\w+ )?not set in ",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql misses a required authpgsqlrc key.",
    ),
    _signature(
        "config-file-missing",
        r"^stat\((?P<file>.+)\) failed",
        Severity.ERROR,
        "A module's config file (e.g. authpgsqlrc) does not exist at the path authlib was built "
        "with.",
    ),
    _signature(
        "config-file-unreadable",
        rf"^Cannot open {_FILE}$",
        Severity.ERROR,
        "A module's config file exists but authdaemond cannot read it (mode or owner).",
    ),
    # -- authdaemond start-up and control -------------------------------------------------------
    _signature(
        "authdaemonrc-bad-line",
        rf"^Bad line in {_FILE}: ",
        Severity.ERROR,
        "authdaemonrc has a non-blank line without '='; authdaemond exits at start-up and the "
        "left-over socket refuses connections.",
    ),
    _signature(
        "daemons-missing",
        r"^Configuration error - missing 'daemons' setting",
        Severity.WARNING,
        "authdaemonrc has no usable daemons= value; authdaemond runs a single worker.",
    ),
    _signature(
        "module-not-found",
        r"^(?:file not found$|\S+: cannot open shared object file: No such file or directory)",
        Severity.ERROR,
        "A module in authmodulelist could not be loaded (the `Installing lib…` line before "
        "names it): its package is not installed.",
    ),
    _signature(
        "module-init-missing",
        r"^Can't locate init function",
        Severity.ERROR,
        "A module library loaded but is not an authlib module of this version.",
    ),
    _signature(
        "resource-failure",
        r"^(?:fork|pipe|fcntl|malloc)\(\) failed",
        Severity.ERROR,
        "authdaemond ran out of a system resource (processes, descriptors or memory).",
    ),
    _signature(
        "children-stopping",
        r"^stopping authdaemond children",
        Severity.INFO,
        "The workers are being replaced: a restart (SIGHUP) or a worker died.",
    ),
    _signature(
        "children-restarting",
        r"^restarting authdaemond children",
        Severity.INFO,
        "A fresh set of workers is starting after authdaemonrc was re-read.",
    ),
    _signature(
        "daemon-started",
        r'^modules="(?P<modules>[^"]*)", daemons=(?P<daemons>\d+)',
        Severity.INFO,
        "authdaemond (re)started with these modules and this many workers.",
    ),
    _signature(
        "module-installing",
        r"^Installing (?P<library>lib\S+)",
        Severity.INFO,
        "authdaemond is loading a module library.",
    ),
    _signature(
        "module-installed",
        r"^Installation complete: (?P<module>\S+)",
        Severity.INFO,
        "The module loaded.",
    ),
    _signature(
        "module-uninstalling",
        r"^Uninstalling (?P<module>\S+)",
        Severity.INFO,
        "A module is being unloaded (the workers are stopping).",
    ),
)

_PRIORITY_PREFIX = re.compile(r"^(?:ERR|WARN|ALERT|CRIT|DEBUG|INFO):\s*")
# rsyslog folds repeats into `message repeated 3 times: [ <message>]`.
_REPEATED = re.compile(r"^message repeated \d+ times: \[ ?(?P<message>.*)\]$")


def message_text(message: str) -> str:
    """The message as authdaemond wrote it: no priority prefix, no rsyslog repeat wrapper."""
    text = message.strip()
    repeated = _REPEATED.match(text)
    if repeated:
        text = repeated.group("message")
    return _PRIORITY_PREFIX.sub("", text, count=1)


def classify(message: str) -> Signature | None:
    """The first signature the message (syslog text after `authdaemond: `) matches."""
    text = message_text(message)
    for signature in SIGNATURES:
        if signature.pattern.search(text):
            return signature
    return None

"""authdaemond's log messages as data, so a log line can be explained.

Text is matched as it appears in syslog: courierlogger strips the `ERR:`/`WARN:`
prefix and picks the priority from it. Where the daemon runs without
courierlogger the prefix stays, so it is stripped here too. Patterns are anchored
at the start of the message: a looked-up address is attacker-controlled and
appears inside debug lines, so "contains Cannot open" must not match.

The client side (what maildrop printed) reaches the log only inside
a Postfix pipe line's `Command output:`; `classify_entry` looks there and nowhere
else in such a line, because the recipient address in `to=<…>` is chosen by
whoever sends the mail.

Order matters: the first matching signature wins, so specific ones come first.
Each signature names the wizard step that deals with it (`wizard_step`, a stable
id; "" when nothing needs doing) and a one-line `short` meaning for annotations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass

from tui.core.findings import Severity
from tui.core.logs.delivery_line import DeliveryInfo, parse_delivery_line
from tui.core.logs.regex_parts import group_end, top_level_branches
from tui.core.password_mask import COURIERLOGGER_LINE_BYTES


@dataclass(frozen=True)
class Signature:
    """One kind of authdaemond message: a stable id, how to spot it, and what it means."""

    id: str
    pattern: re.Pattern[str]
    severity: Severity
    meaning: str
    wizard_step: str = ""  # stable id of the wizard step that fixes it; "" = nothing to fix
    short: str = ""  # one short line for the annotation under a log line
    # The mail is gone for good (bounced back to the sender), not just delayed: worse than
    # any other error, so a view ranks it above everything else.
    mail_lost: bool = False

    @property
    def rank(self) -> int:
        """Severity rank, with a lost mail one above the worst error."""
        return self.severity.rank + (1 if self.mail_lost else 0)


def _signature(
    signature_id: str,
    pattern: str,
    severity: Severity,
    meaning: str,
    *,
    step: str = "",
    short: str = "",
    mail_lost: bool = False,
) -> Signature:
    return Signature(signature_id, re.compile(pattern), severity, meaning, step, short, mail_lost)


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
        step="db-down",
        short="authpgsql cannot reach PostgreSQL (reason on the next line)",
    ),
    _signature(
        "db-password-wrong",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?password authentication failed for user",
        Severity.ERROR,
        "PostgreSQL rejected the password in PGSQL_CONNECTION (authpgsqlrc).",
        step="db-credentials",
        short="wrong database password in PGSQL_CONNECTION",
    ),
    _signature(
        "db-password-missing",
        rf"^{_LIBPQ_FAILED}?fe_sendauth: no password supplied",
        Severity.ERROR,
        "PostgreSQL asks for a password but PGSQL_CONNECTION gives none (no password=).",
        step="db-credentials",
        short="PGSQL_CONNECTION has no password",
    ),
    _signature(
        "db-role-missing",
        rf'^{_LIBPQ_FAILED}?(?:FATAL:\s+)?role "[^"]*" does not exist',
        Severity.ERROR,
        "The user= in PGSQL_CONNECTION is not a PostgreSQL role.",
        step="db-credentials",
        short="database role in PGSQL_CONNECTION does not exist",
    ),
    _signature(
        "db-missing",
        rf'^{_LIBPQ_FAILED}?(?:FATAL:\s+)?database "[^"]*" does not exist',
        Severity.ERROR,
        "The dbname= in PGSQL_CONNECTION names no database on that server.",
        step="db-down",
        short="database in PGSQL_CONNECTION does not exist",
    ),
    _signature(
        "db-hba-rejected",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?no pg_hba\.conf entry for",
        Severity.ERROR,
        "PostgreSQL's pg_hba.conf has no line that lets this role connect from this host to "
        "this database.",
        step="db-credentials",
        short="pg_hba.conf does not allow the mail role",
    ),
    _signature(
        "db-too-many-clients",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?(?:sorry, too many clients already"
        r"|remaining connection slots are reserved)",
        Severity.ERROR,
        "PostgreSQL has no free connection (max_connections reached); every authdaemond worker "
        "holds one connection of its own.",
        step="db-down",
        short="PostgreSQL is out of connections",
    ),
    _signature(
        "db-not-ready",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?the database system is (?:starting up|shutting down"
        r"|in recovery mode|not yet accepting connections)",
        Severity.WARNING,
        "PostgreSQL is starting, stopping or recovering; lookups fail until it accepts "
        "connections again.",
        step="db-down",
        short="PostgreSQL is starting or stopping",
    ),
    _signature(
        "db-host-unknown",
        rf'^{_LIBPQ_FAILED}?could not translate host name "[^"]*" to address',
        Severity.ERROR,
        "The host= in PGSQL_CONNECTION does not resolve (a typo, or DNS is down).",
        step="db-down",
        short="database host name does not resolve",
    ),
    _signature(
        "db-conninfo-invalid",
        r'^(?:invalid connection option "|missing "=" after "[^"]*" in connection info string'
        r'|unterminated quoted string in connection info string'
        r'|invalid integer value "[^"]*" for connection option ")',
        Severity.ERROR,
        "libpq cannot parse PGSQL_CONNECTION: an unknown keyword, a missing '=', an open quote "
        "or a port that is not a number.",
        step="authpgsqlrc-required-keys",
        short="PGSQL_CONNECTION is not a valid connection string",
    ),
    _signature(
        "db-down",
        rf"^{_LIBPQ_FAILED}(?:Connection refused|No such file or directory)",
        Severity.ERROR,
        "Nothing accepts connections at the PGSQL_CONNECTION host/port or socket: "
        "PostgreSQL is stopped or listens elsewhere.",
        step="db-down",
        short="PostgreSQL is not running or listens elsewhere",
    ),
    _signature(
        "db-unreachable",
        rf"^{_LIBPQ_FAILED}(?:Connection timed out|No route to host|Network is unreachable"
        r"|timeout expired)",
        Severity.ERROR,
        "The PGSQL_CONNECTION host does not answer: a firewall, a wrong address or a dead host.",
        step="db-down",
        short="database host does not answer",
    ),
    _signature(
        "db-connection-error",
        rf"^(?:{_LIBPQ_FAILED}|FATAL:\s+)",
        Severity.ERROR,
        "libpq could not connect to PostgreSQL (see the rest of the line: database, role, "
        "pg_hba.conf or network).",
        step="db-down",
        short="PostgreSQL refused the connection (database, role, pg_hba)",
    ),
    _signature(
        "db-connect-failed-old",
        r"^Connection to server '[^']*' userid '[^']*' database '[^']*' failed",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql could not connect to PostgreSQL; libpq's reason follows.",
        step="db-down",
        short="old authpgsql cannot reach PostgreSQL",
    ),
    _signature(
        "db-charset-failed",
        r'^Cannot set character set to "[^"]*", using',
        Severity.WARNING,
        "PGSQL_CHARACTER_SET names an encoding PostgreSQL does not accept; the default is used.",
        step="db-charset",
        short="PGSQL_CHARACTER_SET not accepted; default used",
    ),
    _signature(
        "db-charset-failed-old",
        r'^Cannot set Postgresql character set "[^"]*", working with',
        Severity.WARNING,
        "An old (≤ 0.66) authpgsql: PGSQL_CHARACTER_SET names an encoding PostgreSQL does not "
        "accept; the default is used.",
        step="db-charset",
        short="PGSQL_CHARACTER_SET not accepted (old authpgsql)",
    ),
    _signature(
        "db-connection-lost",
        r"^authpgsql(?:lib)?: PQstatus failed",
        Severity.WARNING,
        "The worker's PostgreSQL connection dropped; it reconnects on the next lookup.",
        step="db-down",
        short="database connection dropped; the worker reconnects",
    ),
    _signature(
        "db-query-send-failed",
        r"^PQsendQuery failed",
        Severity.WARNING,
        "authpgsql could not send its query (the connection broke); this lookup is a temporary "
        "failure.",
        step="db-down",
        short="query could not be sent: connection broken",
    ),
    _signature(
        "db-query-failed-old",
        r"^PQexec failed second time, giving up",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql: the SELECT failed twice (the reason follows: a permission, "
        "a missing table or column); every lookup is a temporary failure.",
        step="select-clause",
        short="the SELECT fails (old authpgsql)",
    ),
    _signature(
        "db-query-retry-old",
        r"^PQexec failed, reconnecting",
        Severity.INFO,
        "An old (≤ 0.66) authpgsql reconnects after a failed query and tries once more.",
        step="",
        short="query failed once; reconnecting",
    ),
    _signature(
        "select-clause-invalid-old",
        r"^authpgsql: (?:parse_select_clause failed|unknown substitution variable)",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql cannot expand PGSQL_SELECT_CLAUSE (an unknown $(variable), "
        "or DEFAULT_DOMAIN missing); every lookup fails.",
        step="select-clause",
        short="PGSQL_SELECT_CLAUSE cannot be expanded",
    ),
    # -- the other database modules (authmysql, authldap, authsqlite) --------------------------
    # Before other-module-connect-failed: the server answered, but refused authmysql's login.
    _signature(
        "other-module-login-refused",
        r"^failed to connect to mysql server \(.*?\): (?:Access denied for user "
        r"|Client does not support authentication protocol)",
        Severity.ERROR,
        "MySQL refused authmysql's login: MYSQL_USERNAME or MYSQL_PASSWORD in authmysqlrc is "
        "wrong, or carries quotes or trailing blanks (the userid= in the line is what was "
        "sent), or the server wants a password scheme this client lacks.",
        step="other-module",
        short="MySQL refused authmysql's user or password",
    ),
    _signature(
        "other-module-connect-failed",
        r"^(?:failed to connect to mysql server \(|authmysql: mysql_select_db\(|cannot connect to "
        r"LDAP server \(|sqll?ite3_open\(|ldap_\w+ failed: )",
        Severity.ERROR,
        "authmysql, authldap or authsqlite cannot reach its database or directory (the reason "
        "ends the line); its lookups are temporary failures.",
        step="other-module",
        short="authmysql/authldap/authsqlite cannot reach its backend",
    ),
    _signature(
        "other-module-config",
        r"^auth(?:mysql|ldap|ldaplib): (?:cannot parse|INVALID|\w+ (?:nor \w+ )?(?:and \w+ )?"
        r"(?:set|not set) in|MYSQL_\w+ (?:and|nor)|\w+ not set in)",
        Severity.ERROR,
        "authmysqlrc or authldaprc lacks a required setting or has an invalid one; the module "
        "cannot work.",
        step="other-module",
        short="authmysqlrc/authldaprc setting missing or invalid",
    ),
    # -- DEBUG_LOGIN=1|2: what a lookup did (each explains a tempfail or a not-found) ---------
    _signature(
        "debug-passwords-logged",
        r"^(?:Authenticated: clearpasswd=|supplied password '|setpass SQL: |Old password="
        r"|binding to LDAP server as DN '[^']*', password ')",
        Severity.WARNING,
        "DEBUG_LOGIN=2 writes passwords into the mail log (authlib-tui masks them); anyone who "
        "can read the log can read them.",
        step="debug-login-passwords",
        short="DEBUG_LOGIN=2: passwords in the mail log (masked here)",
    ),
    _signature(
        "lookup-incomplete-row",
        r"^incomplete row, only \d+ fields returned",
        Severity.WARNING,
        "PGSQL_SELECT_CLAUSE returns fewer than the 6 columns authpgsql reads; the lookup is a "
        "temporary failure.",
        step="select-clause",
        short="the SELECT returns too few columns",
    ),
    _signature(
        "lookup-invalid-id",
        r"^invalid value for (?:uid|gid): '",
        Severity.WARNING,
        "The row's uid or gid column is NULL or not a number; the lookup is a temporary failure "
        "(the log shows nothing else).",
        step="select-clause",
        short="the SELECT returns a uid/gid that is not a number",
    ),
    _signature(
        "module-tempfail",
        r"^auth\w+: TEMPFAIL - no more modules will be tried",
        Severity.WARNING,
        "The module failed (database, config or SQL error; any ERR line just before names it) "
        "and authdaemond stopped there: the lookup is a temporary failure, mail is deferred.",
        step="temporary-failure",
        short="lookup failed temporarily: mail deferred",
    ),
    _signature(
        "lookup-zero-rows",
        r"^zero rows returned",
        Severity.INFO,
        "The SELECT found no row for this address: it is not a mailbox here (or the clause "
        "looks in the wrong place).",
        step="not-a-mailbox",
        short="no row for this address",
    ),
    _signature(
        "module-rejected",
        r"^auth\w+: REJECT - try next module",
        Severity.INFO,
        "This module does not know the address (no row, or an empty home); the next module "
        "in authmodulelist is asked.",
        step="not-a-mailbox",
        short="module does not know the address",
    ),
    _signature(
        "all-modules-rejected",
        r"^FAIL, all modules rejected",
        Severity.INFO,
        "No module knows the address: maildrop says 'Invalid user specified.' and the mail "
        "bounces.",
        step="not-a-mailbox",
        short="no module knows the address: it will bounce",
    ),
    # -- Courier IMAP/POP3 (or webmail) after a login's lookup failed temporarily ---------------
    _signature(
        "login-tempfail",
        r"^authentication error: ",
        Severity.ERROR,
        "A Courier IMAP/POP3 login got a temporary failure from authlib and the client was "
        "told 'Temporary problem': authdaemond's module failed (database, credentials or its "
        "rc file; its line at the same moment names it) or authdaemond could not be reached.",
        step="temporary-failure",
        short="login failed temporarily: authdaemond's lookup failed",
    ),
    # -- authpgsqlrc (the shared config file loader) --------------------------------------------
    _signature(
        "marker-missing-kept-old",
        rf"^marker line not found in {_FILE} will try again later",
        Severity.ERROR,
        "authpgsqlrc changed and lost its ##NAME: MARKER: line; workers that had loaded it keep "
        "the old settings, fresh workers fail every lookup.",
        step="authpgsqlrc-marker",
        short="authpgsqlrc lost its MARKER line; old settings kept",
    ),
    _signature(
        "marker-missing",
        rf"^marker line not found in {_FILE}(?:\s|$)",
        Severity.ERROR,
        "authpgsqlrc has no ##NAME: MARKER: line, so authpgsql refuses it and every lookup "
        "fails (usually sysconftool was not run after an upgrade).",
        step="authpgsqlrc-marker",
        short="authpgsqlrc has no ##NAME: MARKER: line",
    ),
    _signature(
        "pgsql-connection-missing",
        rf"^PGSQL_CONNECTION not found in {_FILE}$",
        Severity.ERROR,
        "authpgsqlrc has no PGSQL_CONNECTION; authlib 0.67+ ignores the old PGSQL_HOST/"
        "PGSQL_USERNAME/PGSQL_PASSWORD keys.",
        step="authpgsqlrc-old-keys",
        short="no PGSQL_CONNECTION (old PGSQL_HOST-style file?)",
    ),
    _signature(
        "pgsql-required-key-missing",
        rf"^PGSQL_(?:USER_TABLE|CRYPT_PWFIELD) not found in {_FILE}$",
        Severity.ERROR,
        "authpgsqlrc lacks PGSQL_USER_TABLE or PGSQL_CRYPT_PWFIELD, required unless all three "
        "custom SELECT clauses are set.",
        step="authpgsqlrc-required-keys",
        short="authpgsqlrc lacks a required key",
    ),
    _signature(
        "pgsql-old-key-missing",
        r"^authpgsql: PGSQL_\w+ (?:and PGSQL_\w+ )?not set in ",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql misses a required authpgsqlrc key.",
        step="authpgsqlrc-required-keys",
        short="old authpgsql misses an authpgsqlrc key",
    ),
    _signature(
        "config-file-missing",
        r"^stat\((?P<file>.+)\) failed",
        Severity.ERROR,
        "A module's config file (e.g. authpgsqlrc) does not exist at the path authlib was built "
        "with.",
        step="config-file-access",
        short="module config file does not exist",
    ),
    _signature(
        "config-file-unreadable",
        rf"^Cannot open {_FILE}$",
        Severity.ERROR,
        "A module's config file exists but authdaemond cannot read it (mode or owner).",
        step="config-file-access",
        short="module config file unreadable by authdaemond",
    ),
    # -- authdaemond start-up and control -------------------------------------------------------
    _signature(
        "authdaemonrc-bad-line",
        rf"^Bad line in {_FILE}: ",
        Severity.ERROR,
        "authdaemonrc has a non-blank line without '='. At start-up authdaemond exits and the "
        "left-over socket refuses connections; after a reload (just after 'restarting "
        "authdaemond children') it runs on with the settings it had: the file on disk is not "
        "what runs; the next restart will fail.",
        step="authdaemonrc-bad-line",
        short="bad authdaemonrc line: exits at start-up, or the next restart will fail",
    ),
    _signature(
        "authdaemonrc-shell-error",
        r"^(?P<file>/\S*authdaemonrc): (?:line )?\d+: .*(?:not found|[Ss]yntax error)",
        Severity.ERROR,
        "The start script sources authdaemonrc with /bin/sh and a line is not valid shell; "
        "the settings after it may be lost or the daemon may not start.",
        step="authdaemonrc-bad-line",
        short="authdaemonrc is not valid shell",
    ),
    _signature(
        "authdaemonrc-unreadable",
        r"^(?P<file>/\S*authdaemonrc): (?P<reason>[A-Z][\w -]+)$",
        Severity.ERROR,
        "authdaemond cannot open authdaemonrc at the path it was built with, so it exits at "
        "start-up.",
        step="daemon-start-failed",
        short="authdaemonrc cannot be opened: the daemon exited",
    ),
    _signature(
        "socket-create-failed",
        r"^(?P<file>/\S*/socket(?:\.tmp)?): (?P<reason>[A-Z][\w -]+)$",
        Severity.ERROR,
        "authdaemond cannot create its socket (the directory is missing, read-only or full, or "
        "the path is taken), so it exits at start-up: every lookup fails.",
        step="daemon-start-failed",
        short="socket cannot be created: the daemon exited",
    ),
    _signature(
        "daemon-misinvoked",
        r"^Error: authdaemond no longer handles its own daemonizing",
        Severity.ERROR,
        "The authdaemond binary was run with arguments; it is started by its wrapper script "
        "(authdaemond start) or the service unit.",
        step="daemon-start-failed",
        short="authdaemond binary run directly",
    ),
    _signature(
        "daemons-missing",
        r"^Configuration error - missing 'daemons' setting",
        Severity.ERROR,
        "authdaemonrc has no usable daemons= value; authdaemond runs a single worker.",
        step="authdaemonrc-daemons",
        short="no daemons= setting: one worker only",
    ),
    _signature(
        "ltdl-failed",
        r"^lt_dl(?:init|setsearchpath)\(\) failed",
        Severity.ERROR,
        "libltdl, which loads the modules, failed to start: no module can be loaded and every "
        "lookup fails.",
        step="module-missing",
        short="the module loader failed: no modules",
    ),
    _signature(
        "module-not-found",
        r"^(?:file not found$"
        r"|(?:\S*/)?libauth\w*(?:\.so[.\d]*)?: cannot open shared object file: "
        r"No such file or directory)",
        Severity.ERROR,
        "A module in authmodulelist could not be loaded (the `Installing lib…` line before "
        "names it): its package is not installed, or the file is not a library this system "
        "can load (libltdl says 'file not found' for both).",
        step="module-missing",
        short="auth module not installed",
    ),
    _signature(
        "module-dependency-missing",
        r"^(?:dependency library not found$|\S+: cannot open shared object file: )",
        Severity.ERROR,
        "A module's own library (e.g. libpq) is missing or unreadable, so the module does not "
        "load and its addresses are 'Invalid user'.",
        step="module-missing",
        short="a library the module needs is missing",
    ),
    _signature(
        "module-undefined-symbol",
        r"^\S+: undefined symbol: \S+",
        Severity.ERROR,
        "A module was built against another authlib or libpq version than the one installed, "
        "so it does not load.",
        step="module-missing",
        short="module built for another authlib/libpq",
    ),
    _signature(
        "module-load-failed",
        r"^(?:can't open the module$|not a valid libtool archive$"
        r"|\S+: (?:invalid ELF header|wrong ELF class|file too short))",
        Severity.ERROR,
        "A module file exists but is not a loadable library for this system.",
        step="module-missing",
        short="module file is not a loadable library",
    ),
    _signature(
        "module-init-missing",
        r"^Can't locate init function",
        Severity.ERROR,
        "A module library loaded but is not an authlib module of this version.",
        step="module-missing",
        short="library is not an authlib module of this version",
    ),
    _signature(
        "resource-failure",
        r"^(?:fork|pipe|fcntl|malloc)\(\) failed",
        Severity.ERROR,
        "authdaemond ran out of a system resource (processes, descriptors or memory).",
        step="system-resources",
        short="out of processes, descriptors or memory",
    ),
    _signature(
        "resource-perror",
        r"^(?:(?:malloc|strdup|pipe|open): \S.*|Cannot allocate memory)$",
        Severity.ERROR,
        "authdaemond ran out of memory or descriptors while starting or answering.",
        step="system-resources",
        short="out of memory or descriptors",
    ),
    _signature(
        "children-stopping",
        r"^stopping authdaemond children",
        Severity.INFO,
        "The workers are being replaced: a restart (SIGHUP) or a worker died.",
        step="",
        short="workers stopping (restart or a worker died)",
    ),
    _signature(
        "children-restarting",
        r"^restarting authdaemond children",
        Severity.INFO,
        "A fresh set of workers is starting after authdaemonrc was re-read.",
        step="",
        short="workers restarting",
    ),
    _signature(
        "daemon-started",
        r'^modules="(?P<modules>[^"]*)", daemons=(?P<daemons>\d+)',
        Severity.INFO,
        "authdaemond (re)started with these modules and this many workers.",
        step="",
        short="authdaemond started",
    ),
    _signature(
        "module-installing",
        r"^Installing (?P<library>lib\S+)",
        Severity.INFO,
        "authdaemond is loading a module library.",
        step="",
        short="loading a module",
    ),
    _signature(
        "module-installed",
        r"^Installation complete: (?P<module>\S+)",
        Severity.INFO,
        "The module loaded.",
        step="",
        short="module loaded",
    ),
    _signature(
        "module-uninstalling",
        r"^Uninstalling (?P<module>\S+)",
        Severity.INFO,
        "A module is being unloaded (the workers are stopping).",
        step="",
        short="module unloading",
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
    if _any_signature().match(text) is None:
        return None  # most authdaemond lines are debug lines that no signature knows
    for signature in SIGNATURES:
        if signature.pattern.search(text):
            return signature
    return None


# Every warning/error pattern in one regex: one C-level search rejects an info or debug
# line, instead of trying each signature in turn from Python (the scan's hot path).
# Compiled at first use, like the other combined regexes here: ~4 ms each, which the
# app's first frame need not wait for.
@functools.cache
def _notable() -> re.Pattern[str]:
    return re.compile("|".join(
        "(?:" + re.sub(r"\(\?P<\w+>", "(?:", signature.pattern.pattern) + ")"  # names clash
        for signature in SIGNATURES if signature.severity is not Severity.INFO
    ))


def _literal_led(pattern: str) -> list[str]:
    """The same language as alternatives that start with their first character, not a group.

    `(?:a|b)?c` becomes `ac`, `bc`, `c`: the regex engine skips an alternative whose
    first literal differs at almost no cost, but must enter every leading group.
    """
    if not pattern.startswith("(?:"):
        return [pattern]
    end = group_end(pattern, 0)
    branches = top_level_branches(pattern[3:end])
    rest = pattern[end + 1:]
    if rest.startswith("?") and not rest.startswith("??"):
        expanded = [branch + rest[1:] for branch in branches] + [rest[1:]]
    elif rest[:1] in ("*", "+", "{", "?"):
        return [pattern]  # repeated: left as it is
    else:
        expanded = [branch + rest for branch in branches]
    return [alternative for item in expanded for alternative in _literal_led(item)]


def _unanchored_end(pattern: str) -> str:
    """`$` (the end of the stripped text) also before blanks or a repeat's closing `]`.

    On raw bytes the text is neither stripped nor unwrapped: this accepts a little
    more than the pattern, never less, and the decoded line is classified after.
    """
    return re.sub(r"(?<!\\)\$", r"(?=[\\s\\]]|$)", pattern)


# The same, on raw bytes at the start of a message (leading `^` dropped: the caller matches at
# the message's offset in a large block, so nothing is sliced or decoded for the many lines
# that are not warnings). Only exact for ASCII text: \w and \s differ on bytes. Each pattern
# is spread into alternatives that start with a literal, which makes rejecting a debug line
# several times cheaper (the scan tries this on every authdaemond line of a log).
@functools.cache
def notable_bytes_at() -> re.Pattern[bytes]:
    return re.compile(
        rb"[ \t]*(?:message repeated \d+ times: \[ ?)?"
        rb"(?:(?:ERR|WARN|ALERT|CRIT|DEBUG|INFO):[ \t]*)?(?:"
        + b"|".join(
            alternative.encode()
            for signature in SIGNATURES if signature.severity is not Severity.INFO
            for alternative in _literal_led(_unanchored_end(
                re.sub(r"\(\?P<\w+>", "(?:", signature.pattern.pattern).removeprefix("^")))
        )
        + b")",
        re.MULTILINE,
    )


def _from_start(pattern: str) -> str:
    """A pattern for `match` that finds what `search` with `pattern` finds."""
    unnamed = re.sub(r"\(\?P<\w+>", "(?:", pattern)  # the names would clash in one regex
    return unnamed[1:] if unnamed.startswith("^") else f"(?s:.*?){unnamed}"


# Any signature at all, as one regex: rejecting a line no signature knows is then one
# C-level match, not a search per signature from Python.
@functools.cache
def _any_signature() -> re.Pattern[str]:
    return re.compile("|".join(
        alternative for signature in SIGNATURES
        for alternative in _literal_led(_from_start(signature.pattern.pattern))
    ))


def classify_notable(message: str) -> Signature | None:
    """`classify`, for callers that only want warnings and errors: None for anything else."""
    text = message_text(message)
    if _notable().search(text) is None:
        return None
    for signature in SIGNATURES:
        if signature.pattern.search(text):
            return signature if signature.severity is not Severity.INFO else None
    return None


# -- the client side: maildrop's stderr inside a Postfix pipe line -------------------------

_S_CONNECT = r"^\s*(?:(?:ERR|CRIT): )?authdaemon: s_connect\(\) failed"
_MAILDROP = r"^\s*(?:\S*maildrop: )?"

CLIENT_SIGNATURES: tuple[Signature, ...] = (
    # Before the s_connect ones: the same connect error, but maildrop then bounced the mail.
    _signature(
        "maildrop-bounced-outage",
        rf"{_S_CONNECT}.*Invalid user specified",
        Severity.ERROR,
        "maildrop could not reach authdaemond and, not told to treat that as temporary (no -a "
        "in the transport's argv), looked the address up as a system user, found none and "
        "bounced the mail (5.1.1): an authdaemond outage is losing mail.",
        step="maildrop-tempfail-flag",
        short="authdaemond unreachable and maildrop lacks -a: mail bounced",
        mail_lost=True,
    ),
    _signature(
        "s-connect-refused",
        rf"{_S_CONNECT}: Connection refused",
        Severity.ERROR,
        "The socket file exists but nothing listens on it: authdaemond is stopped, crashed or "
        "exited at start-up on a config error (a full pool queues, it does not refuse).",
        step="daemon-not-running",
        short="authdaemond is not running (stale socket)",
    ),
    _signature(
        "s-connect-no-socket",
        rf"{_S_CONNECT}: No such file or directory",
        Severity.ERROR,
        "There is no socket file: authdaemond never started, /run was cleared, or the client "
        "was built for a different authdaemonvar.",
        step="socket-missing",
        short="no authdaemond socket file",
    ),
    _signature(
        "s-connect-denied",
        rf"{_S_CONNECT}: Permission denied",
        Severity.ERROR,
        "The delivering process may not enter the socket directory: maildrop is not setuid "
        "root, or the directory's mode or owner changed.",
        step="socket-permission",
        short="maildrop may not reach the socket",
    ),
    _signature(
        "s-connect-again",
        rf"{_S_CONNECT}: Resource temporarily unavailable",
        Severity.ERROR,
        "The listen backlog is full: every worker is busy and the queue too; more workers or a "
        "faster database are needed.",
        step="backlog-full",
        short="worker pool and backlog full",
    ),
    _signature(
        "s-connect-failed",
        _S_CONNECT,
        Severity.ERROR,
        "maildrop could not connect to authdaemond (see the reason after the colon).",
        step="daemon-not-running",
        short="maildrop could not connect to authdaemond",
    ),
    _signature(
        "s-connect-hint",
        r"^\s*(?:ERR: )?\[Hint: perhaps authdaemond is not running\?\]",
        Severity.ERROR,
        "The client's hint after a failed connect: the reason is on the s_connect() line "
        "before it.",
        step="daemon-not-running",
        short="maildrop could not connect to authdaemond",
    ),
    _signature(
        "client-socket-failed",
        r"^\s*CRIT: authdaemon: socket\(\) failed",
        Severity.ERROR,
        "The client could not even create a socket: it ran out of descriptors or memory.",
        step="system-resources",
        short="client out of sockets",
    ),
    _signature(
        "maildrop-tempfail",
        rf"{_MAILDROP}Temporary authentication failure",
        Severity.ERROR,
        "authdaemond answered with a temporary failure or not at all: database down or "
        "credentials wrong (delays ≈ 0), an SQL error (nothing in its log), or a saturated "
        "pool (delays ≈ 30 s).",
        step="temporary-failure",
        short="lookup failed temporarily (database, SQL or saturation)",
    ),
    _signature(
        "maildrop-invalid-user",
        rf"{_MAILDROP}Invalid user specified",
        Severity.ERROR,
        "authdaemond found no such mailbox, so the mail bounced (5.1.1) and is lost for the "
        "sender: the address is not a mailbox, it is disabled, its home is empty, the authpgsql "
        "module is missing, maildrop was built to treat a tempfail as unknown, or it was built "
        "without authlib and looks only for system users.",
        step="not-a-mailbox",
        short="no such mailbox: bounced, the mail is lost",
        mail_lost=True,
    ),
    _signature(
        "maildrop-no-system-user",
        r"^\s*Cannot find system user ",
        Severity.ERROR,
        "The lookup answered a system user name (USERNAME) that does not exist on this host, "
        "so maildrop cannot switch to it; mail is deferred.",
        step="delivery-identity",
        short="the looked-up system user does not exist",
    ),
    # maildrop's own checks before delivering (it prints them after switching to the mailbox);
    # before the broader texts below, which catch the rest of each family.
    _signature(
        "maildrop-setgid",
        r"^\s*setgid: Operation not permitted",
        Severity.ERROR,
        "maildrop could not switch to the mailbox's uid/gid: it is not setuid root (Debian "
        "ships it setgid mail only) and the pipe runs it as an ordinary user. Every delivery "
        "bounces (5.3.0).",
        step="maildrop-setuid",
        short="maildrop is not setuid root: every delivery bounces",
        mail_lost=True,
    ),
    _signature(
        "maildrop-home-missing",
        rf"{_MAILDROP}Unable to change to home directory",
        Severity.ERROR,
        "The mailbox's home directory (HOME in authdaemond's answer) does not exist or cannot "
        "be entered; the mail is deferred until it can.",
        step="mailbox-home",
        short="mailbox home missing or not enterable",
    ),
    _signature(
        "maildrop-home-owner",
        rf"{_MAILDROP}Home directory owned by wrong user",
        Severity.ERROR,
        "The mailbox's home directory belongs to another uid than the one authdaemond returned; "
        "maildrop refuses to deliver into it (deferred).",
        step="mailbox-home",
        short="mailbox home owned by the wrong user",
    ),
    _signature(
        "maildrop-home-writable",
        rf"{_MAILDROP}Invalid home directory permissions",
        Severity.ERROR,
        "The mailbox's home directory is world-writable; maildrop refuses to deliver into it "
        "(deferred).",
        step="mailbox-home",
        short="mailbox home is world-writable",
    ),
    _signature(
        "maildrop-dot-lock",
        # A relative path is the lookup's MAILDIR under the home; an absolute one (/var/mail)
        # is a real mailbox file, left to maildrop-mailbox-failed.
        rf"{_MAILDROP}Unable to create a dot-lock at (?!/)",
        Severity.ERROR,
        "The Maildir (MAILDIR in authdaemond's answer) is missing or unusable, so maildrop took "
        "the name for a mailbox file and could not lock it (deferred).",
        step="maildir-missing",
        short="Maildir missing: maildrop cannot lock a mailbox file",
    ),
    _signature(
        "maildrop-setid-failed",
        rf"{_MAILDROP}Cannot set my user or group id",
        Severity.ERROR,
        "maildrop could not become the mailbox's user: the looked-up user does not exist, or "
        "maildrop is not setuid root; mail is deferred.",
        step="delivery-identity",
        short="maildrop cannot become the mailbox user",
    ),
    _signature(
        "maildrop-setgid-failed",
        r"^\s*setgid: ",
        Severity.ERROR,
        "maildrop could not switch to the mailbox's group (not setuid root, or a bad gid) and "
        "exited 1, which Postfix bounces: the mail is lost.",
        step="delivery-identity",
        short="maildrop cannot switch group: bounced",
        mail_lost=True,
    ),
    _signature(
        "maildrop-home-create-failed",
        r"^\s*/\S*: (?:No such file or directory|Permission denied|Read-only file system"
        r"|No space left on device|Not a directory|File exists|Disk quota exceeded)",
        Severity.ERROR,
        "maildrop could not create the mailbox's home directory named by the lookup and exited "
        "1, which Postfix bounces: the mail is lost.",
        step="delivery-home",
        short="home directory cannot be created: bounced",
        mail_lost=True,
    ),
    _signature(
        "maildrop-home-bad",
        rf"{_MAILDROP}(?:Cannot stat\(\) home directory|Home directory is not a directory"
        r"|Invalid home directory permissions - world writable|Home directory owned by wrong user)",
        Severity.ERROR,
        "The home directory exists but maildrop refuses it (not a directory, world-writable, "
        "or owned by another user than the lookup's uid); mail is deferred.",
        step="delivery-home",
        short="home directory has the wrong type, mode or owner",
    ),
    _signature(
        "maildrop-over-quota",
        rf"{_MAILDROP}maildir over quota",
        Severity.ERROR,
        "The mailbox is over its maildir quota (the lookup's QUOTA, or maildirsize).",
        step="delivery-mailbox",
        short="mailbox over quota",
    ),
    _signature(
        "maildrop-mailbox-failed",
        rf"{_MAILDROP}(?:Unable to open mailbox|Seek error on mailbox|Unable to create a dot-lock"
        r"|Unable to write to a dot-lock|Unable to close a dot-lock|Unable to create flock file"
        r"|flock\(\) failed|rename\(\) failed|link\(\) failed)",
        Severity.ERROR,
        "maildrop cannot write the mailbox (its path from the lookup's maildir, its mode or "
        "owner, or a full disk); mail is deferred.",
        step="delivery-mailbox",
        short="mailbox cannot be written",
    ),
    _signature(
        "maildrop-maildir-error",
        r"^\s*maildrop: /\S*: [A-Z]",
        Severity.ERROR,
        "maildrop cannot open the maildir (the error follows the path); mail is deferred.",
        step="delivery-mailbox",
        short="maildir cannot be opened",
    ),
    _signature(
        "maildrop-tempfile-failed",
        rf"{_MAILDROP}Unable to create temporary file",
        Severity.ERROR,
        "maildrop cannot write its temporary copy of the message (a full or unwritable /tmp "
        "or home); mail is deferred.",
        step="system-resources",
        short="no space for maildrop's temporary file",
    ),
    _signature(
        "maildrop-timeout",
        rf"{_MAILDROP}Timeout quota exceeded",
        Severity.ERROR,
        "The delivery ran past maildrop's time limit (a slow lookup, filter or disk); mail is "
        "deferred.",
        step="temporary-failure",
        short="delivery ran out of time",
    ),
    _signature(
        "maildrop-killed",
        rf"{_MAILDROP}signal 0x[0-9A-Fa-f]{{2}}",
        Severity.ERROR,
        "maildrop was killed by a signal (0x06 abort, 0x09 kill, e.g. out of memory); mail is "
        "deferred.",
        step="system-resources",
        short="maildrop was killed by a signal",
    ),
)

# Same text as maildrop-tempfail, told apart by Postfix's `delays`: the last field is the
# time maildrop ran, and ≈30 s is libcourierauth's read timeout.
MAILDROP_TEMPFAIL_TIMEOUT = _signature(
    "maildrop-tempfail-timeout",
    rf"{_MAILDROP}Temporary authentication failure",
    Severity.ERROR,
    "The lookup gave up after about 30 s, the client's read timeout: every worker was busy "
    "(pool saturated) or the database answered too slowly.",
    step="workers-saturated",
    short="lookup timed out after ~30 s: workers saturated or database slow",
)
TIMEOUT_SECONDS = 25.0  # transmission time from which a tempfail counts as a timeout

ORPHAN_FRAGMENT = _signature(
    "orphan-fragment",
    r"(?!)",  # never matched by pattern: see looks_like_orphan_fragment()
    Severity.WARNING,
    "The tail of a line longer than 511 bytes (usually a debug `SQL query:`): courierlogger "
    "cut it and logged the rest as a separate info line; lines after it may be lost.",
    step="debug-truncation",
    short="cut-off tail of a long debug line (courierlogger 511-byte limit)",
)

ALL_SIGNATURES: tuple[Signature, ...] = (
    *SIGNATURES,
    *CLIENT_SIGNATURES,
    MAILDROP_TEMPFAIL_TIMEOUT,
    ORPHAN_FRAGMENT,
)
SIGNATURES_BY_ID: dict[str, Signature] = {signature.id: signature for signature in ALL_SIGNATURES}

AUTH_TAGS: tuple[str, ...] = ("authdaemond",)  # courierlogger's default name (LOGGEROPTS -name=)

_PRIORITY_BY_PREFIX = {"ALERT": 1, "CRIT": 2, "ERR": 3, "WARN": 4, "INFO": 6, "DEBUG": 7}
_PREFIX = re.compile(r"^\s*(?P<prefix>ERR|WARN|ALERT|CRIT|DEBUG|INFO):")
LOG_INFO = 6

# Everything authdaemond itself starts a line with besides SIGNATURES.
_KNOWN_START = re.compile(
    r"^(?:received \w+|auth\w+: |SQL query: |Authenticated: |zero rows returned|"
    r"FAIL, all modules rejected|incomplete row|invalid value for |setpass SQL|"
    r"no password available|supplied password does not match|Using character set|"
    r"PQsendQuery failed|PQexec failed|Connection to server|modules=|"
    r"/\S+: |Error: authdaemond |ACCEPT|REJECT|TEMPFAIL)"
)
# What the cut-off middle of an SQL query looks like.
_SQL_FRAGMENT = re.compile(
    r"\b(?:SELECT|FROM|WHERE|AND|OR|JOIN|LIMIT|CONCAT|COALESCE|LOWER|UPPER)\b|[()'=]"
)


def priority_from_prefix(message: str) -> int | None:
    """The priority an `ERR:`/`WARN:`/… prefix means (it stays when courierlogger is not used)."""
    match = _PREFIX.match(message)
    return _PRIORITY_BY_PREFIX[match.group("prefix")] if match else None


def looks_like_orphan_fragment(message: str, previous_message: str | None = None) -> bool:
    """Best effort: is this authdaemond info message the cut-off tail of a longer line?

    courierlogger logs the first 511 bytes of a long line, loses a middle chunk and
    logs the rest as its own info message, starting mid-word. Such a
    tail matches no known start. If the previous message was a `SQL query:` line cut at
    511 bytes that alone is enough; without that context the text must look like a
    fragment: it starts with a lowercase letter or punctuation, or reads like SQL.
    """
    text = message_text(message)
    if not text or classify(text) is not None or _KNOWN_START.match(text):
        return False
    if previous_message is not None:
        previous = message_text(previous_message)
        cut = len(previous.encode("utf-8", errors="replace")) >= COURIERLOGGER_LINE_BYTES - 16
        if previous.startswith("SQL query: ") and cut:
            return True
    first = text[0]
    if first.islower() or not (first.isalnum() or first in '"<['):
        return True
    return _SQL_FRAGMENT.search(text) is not None


def classify_command_output(command_output: str) -> Signature | None:
    """The client-side signature at the start of maildrop's stderr as Postfix logged it."""
    for signature in CLIENT_SIGNATURES:
        if signature.pattern.search(command_output):
            return signature
    return None


def is_pipe_tag(tag: str) -> bool:
    """`postfix/pipe`, or a multi-instance Postfix's `postfix-in/pipe`."""
    return tag.startswith("postfix") and tag.endswith("/pipe")


def classify_entry(
    message: str,
    tag: str,
    *,
    priority: int | None = None,
    previous_message: str | None = None,
    auth_tags: Collection[str] = AUTH_TAGS,
    delivery: DeliveryInfo | None = None,
) -> Signature | None:
    """The signature of any log entry we read: authdaemond's own, or a failed pipe delivery.

    For a pipe line only `Command output:` of a deferred/bounced delivery is looked at
    (pass `delivery` if it is already parsed). For authdaemond lines an unknown
    info-level message may be an orphan fragment (`previous_message` helps decide).
    """
    if is_pipe_tag(tag):
        info = delivery if delivery is not None else parse_delivery_line(message)
        if info is None or not info.failed or info.command_output is None:
            return None
        signature = classify_command_output(info.command_output)
        slow = (info.transmission_seconds or 0.0) >= TIMEOUT_SECONDS
        if signature is not None and signature.id == "maildrop-tempfail" and slow:
            return MAILDROP_TEMPFAIL_TIMEOUT
        return signature
    if tag not in auth_tags:
        return None
    signature = classify(message)
    if signature is not None:
        return signature
    info_level = priority in (None, LOG_INFO) and priority_from_prefix(message) in (None, LOG_INFO)
    if info_level and looks_like_orphan_fragment(message, previous_message):
        return ORPHAN_FRAGMENT
    return None

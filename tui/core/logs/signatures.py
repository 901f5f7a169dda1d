"""authdaemond's log messages as data (domain.md §4.2), so a log line can be explained.

Text is matched as it appears in syslog: courierlogger strips the `ERR:`/`WARN:`
prefix and picks the priority from it. Where the daemon runs without
courierlogger the prefix stays, so it is stripped here too. Patterns are anchored
at the start of the message: a looked-up address is attacker-controlled and
appears inside debug lines, so "contains Cannot open" must not match.

The client side (what maildrop printed, domain.md §3) reaches the log only inside
a Postfix pipe line's `Command output:`; `classify_entry` looks there and nowhere
else in such a line, because the recipient address in `to=<…>` is chosen by
whoever sends the mail.

Order matters: the first matching signature wins, so specific ones come first.
Each signature names the wizard step that deals with it (`wizard_step`, a stable
id; "" when nothing needs doing) and a one-line `short` meaning for annotations.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from tui.core.findings import Severity
from tui.core.logs.delivery_line import DeliveryInfo, parse_delivery_line


@dataclass(frozen=True)
class Signature:
    """One kind of authdaemond message: a stable id, how to spot it, and what it means."""

    id: str
    pattern: re.Pattern[str]
    severity: Severity
    meaning: str
    wizard_step: str = ""  # stable id of the wizard step that fixes it; "" = nothing to fix
    short: str = ""  # one short line for the annotation under a log line


def _signature(
    signature_id: str,
    pattern: str,
    severity: Severity,
    meaning: str,
    *,
    step: str = "",
    short: str = "",
) -> Signature:
    return Signature(signature_id, re.compile(pattern), severity, meaning, step, short)


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
        "db-down",
        rf"^{_LIBPQ_FAILED}(?:Connection refused|No such file or directory)",
        Severity.ERROR,
        "Nothing accepts connections at the PGSQL_CONNECTION host/port or socket: "
        "PostgreSQL is stopped or listens elsewhere.",
        step="db-down",
        short="PostgreSQL is not running or listens elsewhere",
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
        "db-connection-lost",
        r"^authpgsql: PQstatus failed, connection lost",
        Severity.WARNING,
        "The worker's PostgreSQL connection dropped; it reconnects on the next lookup.",
        step="db-down",
        short="database connection dropped; the worker reconnects",
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
        "authdaemonrc has a non-blank line without '='; authdaemond exits at start-up and the "
        "left-over socket refuses connections.",
        step="authdaemonrc-bad-line",
        short="bad authdaemonrc line: the daemon exited",
    ),
    _signature(
        "daemons-missing",
        r"^Configuration error - missing 'daemons' setting",
        Severity.WARNING,
        "authdaemonrc has no usable daemons= value; authdaemond runs a single worker.",
        step="authdaemonrc-daemons",
        short="no daemons= setting: one worker only",
    ),
    _signature(
        "module-not-found",
        r"^(?:file not found$|\S+: cannot open shared object file: No such file or directory)",
        Severity.ERROR,
        "A module in authmodulelist could not be loaded (the `Installing lib…` line before "
        "names it): its package is not installed.",
        step="module-missing",
        short="auth module not installed",
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
    for signature in SIGNATURES:
        if signature.pattern.search(text):
            return signature
    return None


# Every warning/error pattern in one regex: one C-level search rejects an info or debug
# line, instead of trying each signature in turn from Python (the scan's hot path).
_NOTABLE = re.compile("|".join(
    "(?:" + re.sub(r"\(\?P<\w+>", "(?:", signature.pattern.pattern) + ")"  # names clash
    for signature in SIGNATURES if signature.severity is not Severity.INFO
))


# The same, on raw bytes at the start of a message (leading `^` dropped: the caller matches at
# the message's offset in a large block, so nothing is sliced or decoded for the many lines
# that are not warnings). Only exact for ASCII text: \w and \s differ on bytes.
NOTABLE_BYTES_AT = re.compile(
    rb"[ \t]*(?:message repeated \d+ times: \[ ?)?(?:(?:ERR|WARN|ALERT|CRIT|DEBUG|INFO):[ \t]*)?(?:"
    + b"|".join(
        b"(?:" + re.sub(r"\(\?P<\w+>", "(?:", signature.pattern.pattern).removeprefix("^").encode()
        + b")"
        for signature in SIGNATURES if signature.severity is not Severity.INFO
    )
    + b")",
    re.MULTILINE,
)


def classify_notable(message: str) -> Signature | None:
    """`classify`, for callers that only want warnings and errors: None for anything else."""
    text = message_text(message)
    if _NOTABLE.search(text) is None:
        return None
    for signature in SIGNATURES:
        if signature.pattern.search(text):
            return signature if signature.severity is not Severity.INFO else None
    return None


# -- the client side: maildrop's stderr inside a Postfix pipe line (domain.md §3, §9) -----------

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
        "authdaemond found no such mailbox, so the mail bounced (5.1.1): the address is not a "
        "mailbox, it is disabled, or the authpgsql module is missing.",
        step="not-a-mailbox",
        short="no such mailbox: bounced",
    ),
    # maildrop's own checks before delivering (it prints them after switching to the mailbox).
    _signature(
        "maildrop-setgid",
        r"^\s*setgid: Operation not permitted",
        Severity.ERROR,
        "maildrop could not switch to the mailbox's uid/gid: it is not setuid root (Debian "
        "ships it setgid mail only) and the pipe runs it as an ordinary user. Every delivery "
        "bounces (5.3.0).",
        step="maildrop-setuid",
        short="maildrop is not setuid root: every delivery bounces",
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
        rf"{_MAILDROP}Unable to create a dot-lock",
        Severity.ERROR,
        "The Maildir (MAILDIR in authdaemond's answer) is missing or unusable, so maildrop took "
        "the name for a mailbox file and could not lock it (deferred).",
        step="maildir-missing",
        short="Maildir missing: maildrop cannot lock a mailbox file",
    ),
)

# Same text as maildrop-tempfail, told apart by Postfix's `delays`: the last field is the
# time maildrop ran, and ≈30 s is libcourierauth's read timeout (domain.md §0, §9 #5).
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
COURIERLOGGER_LINE_BYTES = 511

# Everything authdaemond itself starts a line with besides SIGNATURES (domain.md §4.2).
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
    logs the rest as its own info message, starting mid-word (domain.md §4.1). Such a
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

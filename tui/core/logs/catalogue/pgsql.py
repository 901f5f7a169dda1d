"""authpgsql and libpq: connecting to PostgreSQL, its character set, the query.

authpgsql writes its own lines and passes libpq's error text on as a line of its own,
so both are here; the lines of authpgsql 0.66 and older (`…-old`) too.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB, LIBPQ
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import BOOTSTRAP_FIX, SELECT_CONFIRM, Remedy
from tui.core.logs.catalogue.source import Source

# libpq's words before its reason: since PostgreSQL 14 (fe-connect.c), and before.
_LIBPQ_FAILED = r"(?:connection to server .*? failed: |could not connect to server: )"
_DB_CONFIRM = ("`authlib-tui check` (db-connect) connects with the same PGSQL_CONNECTION and "
               "prints PostgreSQL's answer.")
# The same for both authpgsql generations' wording of it.
_CHARSET_REMEDY = Remedy(
    "PGSQL_CHARACTER_SET in {authpgsqlrc} names an encoding PostgreSQL does not know.",
    "`authlib-tui check` (db-connect).",
    "Set PGSQL_CHARACTER_SET to a PostgreSQL encoding name (e.g. UTF8) or remove it, then "
    "`{restart}`.",
)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "db-connect-failed",
        r"^PGSQL_CONNECTION could not be established",
        Severity.ERROR,
        "authpgsql could not connect to PostgreSQL; the next line has libpq's reason. "
        "Every lookup by this worker is a temporary failure.",
        wizard_step=WizardStep.DB_DOWN,
        short="authpgsql cannot reach PostgreSQL (reason on the next line)",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp", "PGSQL_CONNECTION could not be established"),),
        examples=("PGSQL_CONNECTION could not be established",),
        remedy=Remedy(
            "authpgsql's connection to PostgreSQL failed; libpq's reason is the next log line.",
            _DB_CONFIRM,
            "Explain the next line too (it is libpq's reason) and apply its fix.",
        ),
    ),
    Signature(
        "db-password-wrong",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?password authentication failed for user",
        Severity.ERROR,
        "PostgreSQL rejected the password in PGSQL_CONNECTION (authpgsqlrc).",
        wizard_step=WizardStep.DB_CREDENTIALS,
        short="wrong database password in PGSQL_CONNECTION",
        sources=(
            Source(LIBPQ, "src/backend/libpq/auth.c",
                   'password authentication failed for user "%s"'),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                  'password authentication failed for user "postfix".',),
        remedy=Remedy(
            "The password= in PGSQL_CONNECTION ({authpgsqlrc}) is not the mail role's password "
            "in PostgreSQL: one side was changed without the other.",
            _DB_CONFIRM,
            "Put the role's real password in PGSQL_CONNECTION in {authpgsqlrc} (or set the role's "
            "password to match with ALTER ROLE), then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-password-missing",
        rf"^{_LIBPQ_FAILED}?fe_sendauth: no password supplied",
        Severity.ERROR,
        "PostgreSQL asks for a password but PGSQL_CONNECTION gives none (no password=).",
        wizard_step=WizardStep.DB_CREDENTIALS,
        short="PGSQL_CONNECTION has no password",
        sources=(
            # the macro PQnoPasswordSupplied; fe-auth.c prints it
            Source(LIBPQ, "src/interfaces/libpq/libpq-fe.h", "fe_sendauth: no password supplied"),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: '
                  "fe_sendauth: no password supplied.",),
        remedy=Remedy(
            "PGSQL_CONNECTION in {authpgsqlrc} has no password= and PostgreSQL requires one.",
            _DB_CONFIRM,
            "Add password=… to PGSQL_CONNECTION in {authpgsqlrc}, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-role-missing",
        rf'^{_LIBPQ_FAILED}?(?:FATAL:\s+)?role "[^"]*" does not exist',
        Severity.ERROR,
        "The user= in PGSQL_CONNECTION is not a PostgreSQL role.",
        wizard_step=WizardStep.DB_CREDENTIALS,
        short="database role in PGSQL_CONNECTION does not exist",
        sources=(Source(LIBPQ, "src/backend/utils/init/miscinit.c", 'role "%s" does not exist'),),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  role '
                  '"postfix" does not exist.',),
        remedy=Remedy(
            "The user= in PGSQL_CONNECTION ({authpgsqlrc}) names a role that PostgreSQL does not "
            "have (renamed, dropped, or a typo).",
            _DB_CONFIRM,
            "Correct user= in PGSQL_CONNECTION or create the role, then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-missing",
        rf'^{_LIBPQ_FAILED}?(?:FATAL:\s+)?database "[^"]*" does not exist',
        Severity.ERROR,
        "The dbname= in PGSQL_CONNECTION names no database on that server.",
        wizard_step=WizardStep.DB_DOWN,
        short="database in PGSQL_CONNECTION does not exist",
        sources=(
            Source(LIBPQ, "src/backend/utils/init/postinit.c", 'database "%s" does not exist'),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  database '
                  '"appldb" does not exist.',),
        remedy=Remedy(
            "The dbname= in PGSQL_CONNECTION ({authpgsqlrc}) names no database on that server.",
            _DB_CONFIRM,
            "Correct dbname= in PGSQL_CONNECTION (`psql -l` lists the databases), then "
            "`{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-hba-rejected",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?no pg_hba\.conf entry for",
        Severity.ERROR,
        "PostgreSQL's pg_hba.conf has no line that lets this role connect from this host to "
        "this database.",
        wizard_step=WizardStep.DB_CREDENTIALS,
        short="pg_hba.conf does not allow the mail role",
        sources=(
            Source(LIBPQ, "src/backend/libpq/auth.c",
                   'no pg_hba.conf entry for host "%s", user "%s", database "%s", %s'),
        ),
        examples=('connection to server at "10.0.0.5", port 5432 failed: FATAL:  no '
                  'pg_hba.conf entry for host "10.0.0.9", user "postfix", database '
                  '"appldb", no encryption.',),
        remedy=Remedy(
            "pg_hba.conf has no line for this role, database and client address, so PostgreSQL "
            "refuses before checking the password.",
            _DB_CONFIRM,
            "Add a pg_hba.conf line for the mail role and database (host … md5/scram-sha-256), "
            "then reload PostgreSQL (`systemctl reload postgresql`).",
        ),
    ),
    Signature(
        "db-too-many-clients",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?(?:sorry, too many clients already"
        r"|remaining connection slots are reserved)",
        Severity.ERROR,
        "PostgreSQL has no free connection (max_connections reached); every authdaemond worker "
        "holds one connection of its own.",
        wizard_step=WizardStep.DB_DOWN,
        short="PostgreSQL is out of connections",
        sources=(
            Source(LIBPQ, "src/backend/storage/lmgr/proc.c", "sorry, too many clients already"),
            Source(LIBPQ, "src/backend/utils/init/postinit.c",
                   "remaining connection slots are reserved for non-replication superuser "
                   "connections"),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                  "sorry, too many clients already.",
                  'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                  "remaining connection slots are reserved for non-replication superuser "
                  "connections.",),
        remedy=Remedy(
            "PostgreSQL reached max_connections; each authdaemond worker keeps its own connection.",
            "`psql -c 'select count(*) from pg_stat_activity'` against max_connections.",
            "Raise max_connections in postgresql.conf (restart PostgreSQL) or find who holds the "
            "connections; don't raise daemons= while this happens.",
        ),
    ),
    Signature(
        "db-not-ready",
        rf"^{_LIBPQ_FAILED}?(?:FATAL:\s+)?the database system is (?:starting up|shutting down"
        r"|in recovery mode|not yet accepting connections)",
        Severity.WARNING,
        "PostgreSQL is starting, stopping or recovering; lookups fail until it accepts "
        "connections again.",
        wizard_step=WizardStep.DB_DOWN,
        short="PostgreSQL is starting or stopping",
        sources=(
            # postmaster.c up to 16; src/backend/tcop/backend_startup.c since 17
            Source(LIBPQ, "src/backend/postmaster/postmaster.c",
                   "the database system is starting up"),
            Source(LIBPQ, "src/backend/postmaster/postmaster.c",
                   "the database system is shutting down"),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  the '
                  "database system is starting up.",),
        remedy=Remedy(
            "PostgreSQL is starting, stopping or in recovery; it refuses connections meanwhile.",
            "`systemctl status postgresql` and PostgreSQL's own log.",
            "Wait for PostgreSQL to finish starting; if it stays so, read its log. Mail deferred "
            "meanwhile is retried by Postfix.",
        ),
    ),
    Signature(
        "db-host-unknown",
        rf'^{_LIBPQ_FAILED}?could not translate host name "[^"]*" to address',
        Severity.ERROR,
        "The host= in PGSQL_CONNECTION does not resolve (a typo, or DNS is down).",
        wizard_step=WizardStep.DB_DOWN,
        short="database host name does not resolve",
        sources=(
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'could not translate host name "%s" to address: %s'),
        ),
        examples=('could not translate host name "db.example.invalid" to address: Name '
                  "or service not known.",),
        remedy=Remedy(
            "The host= in PGSQL_CONNECTION ({authpgsqlrc}) does not resolve.",
            "`getent hosts HOST` with the host= value.",
            "Correct host= (or use 127.0.0.1 / the socket directory), then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-conninfo-invalid",
        r'^(?:invalid connection option "|missing "=" after "[^"]*" in connection info string'
        r'|unterminated quoted string in connection info string'
        r'|invalid integer value "[^"]*" for connection option ")',
        Severity.ERROR,
        "libpq cannot parse PGSQL_CONNECTION: an unknown keyword, a missing '=', an open quote "
        "or a port that is not a number.",
        wizard_step=WizardStep.AUTHPGSQLRC_REQUIRED_KEYS,
        short="PGSQL_CONNECTION is not a valid connection string",
        sources=(
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c", 'invalid connection option "%s"'),
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'missing "=" after "%s" in connection info string'),
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   "unterminated quoted string in connection info string"),
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'invalid integer value "%s" for connection option "%s"'),
        ),
        examples=('invalid connection option "database".',),
        remedy=Remedy(
            "PGSQL_CONNECTION in {authpgsqlrc} is not a valid libpq connection string.",
            "`authlib-tui check` (config-connection) parses it like libpq does.",
            "Write PGSQL_CONNECTION as `host=… port=… user=… password=… dbname=…` (quote values "
            "with spaces in single quotes), then `{restart}`.",
            BOOTSTRAP_FIX,
        ),
    ),
    Signature(
        "db-down",
        rf"^{_LIBPQ_FAILED}(?:Connection refused|No such file or directory)",
        Severity.ERROR,
        "Nothing accepts connections at the PGSQL_CONNECTION host/port or socket: "
        "PostgreSQL is stopped or listens elsewhere.",
        wizard_step=WizardStep.DB_DOWN,
        short="PostgreSQL is not running or listens elsewhere",
        sources=(
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'connection to server at "%s" (%s), port %s failed: '),
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c", "could not connect to server: %s"),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: Connection refused..Is '
                  "the server running on that host and accepting TCP/IP connections?.",),
        remedy=Remedy(
            "PostgreSQL is not running, or listens on another host, port or socket than "
            "PGSQL_CONNECTION says.",
            _DB_CONFIRM,
            "Start PostgreSQL: `{start_database}`; if it runs, make host=/port= in "
            "PGSQL_CONNECTION match where it listens.",
        ),
    ),
    Signature(
        "db-unreachable",
        rf"^{_LIBPQ_FAILED}(?:Connection timed out|No route to host|Network is unreachable"
        r"|timeout expired)",
        Severity.ERROR,
        "The PGSQL_CONNECTION host does not answer: a firewall, a wrong address or a dead host.",
        wizard_step=WizardStep.DB_DOWN,
        short="database host does not answer",
        sources=(
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'connection to server at "%s" (%s), port %s failed: '),
        ),
        examples=('connection to server at "10.0.0.5", port 5432 failed: Connection timed '
                  "out..Is the server running on that host and accepting TCP/IP "
                  "connections?.",),
        remedy=Remedy(
            "Nothing answers at the PGSQL_CONNECTION host: a firewall, a wrong address or a host "
            "that is down.",
            _DB_CONFIRM,
            "Correct host=/port= in PGSQL_CONNECTION or open the path to PostgreSQL, then "
            "`{restart}`.",
        ),
    ),
    Signature(
        "db-connection-error",
        rf"^(?:{_LIBPQ_FAILED}|FATAL:\s+)",
        Severity.ERROR,
        "libpq could not connect to PostgreSQL (see the rest of the line: database, role, "
        "pg_hba.conf or network).",
        wizard_step=WizardStep.DB_DOWN,
        short="PostgreSQL refused the connection (database, role, pg_hba)",
        sources=(
            Source(LIBPQ, "src/interfaces/libpq/fe-connect.c",
                   'connection to server at "%s" (%s), port %s failed: '),
        ),
        examples=('connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                  "terminating connection due to administrator command.",),
        remedy=Remedy(
            "PostgreSQL or libpq refused the connection; the rest of the line says why.",
            _DB_CONFIRM,
            "Act on the reason in the line (database, role, pg_hba.conf, server state), then "
            "`{restart}`.",
        ),
    ),
    Signature(
        "db-connect-failed-old",
        r"^Connection to server '[^']*' userid '[^']*' database '[^']*' failed",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql could not connect to PostgreSQL; libpq's reason follows.",
        wizard_step=WizardStep.DB_DOWN,
        short="old authpgsql cannot reach PostgreSQL",
        sources=(
            Source(AUTHLIB, "authpgsqllib.c (0.66)",
                   "Connection to server '%s' userid '%s' database '%s' failed."),
        ),
        examples=("Connection to server 'localhost' userid 'postfix' database "
                  "'appldb' failed.",),
        remedy=Remedy(
            "An old authpgsql (≤ 0.66) could not connect; libpq's reason follows on the line.",
            _DB_CONFIRM,
            "Correct PGSQL_HOST/PGSQL_PORT/PGSQL_USERNAME/PGSQL_PASSWORD/PGSQL_DATABASE in "
            "{authpgsqlrc} from the reason, or start PostgreSQL, then `{restart}`.",
        ),
    ),
    Signature(
        "db-charset-failed",
        r'^Cannot set character set to "[^"]*", using',
        Severity.WARNING,
        "PGSQL_CHARACTER_SET names an encoding PostgreSQL does not accept; the default is used.",
        wizard_step=WizardStep.DB_CHARSET,
        short="PGSQL_CHARACTER_SET not accepted; default used",
        sources=(
            Source(AUTHLIB, "authpgsqllib.cpp", 'Cannot set character set to "%s", using "%s"'),
        ),
        examples=('Cannot set character set to "LATIN9X", using "UTF8"',),
        remedy=_CHARSET_REMEDY,
    ),
    Signature(
        "db-charset-failed-old",
        r'^Cannot set Postgresql character set "[^"]*", working with',
        Severity.WARNING,
        "An old (≤ 0.66) authpgsql: PGSQL_CHARACTER_SET names an encoding PostgreSQL does not "
        "accept; the default is used.",
        wizard_step=WizardStep.DB_CHARSET,
        short="PGSQL_CHARACTER_SET not accepted (old authpgsql)",
        sources=(
            Source(AUTHLIB, "authpgsqllib.c (0.66)",
                   'Cannot set Postgresql character set "%s", working with "%s"'),
        ),
        examples=('Cannot set Postgresql character set "LATIN9X", working with '
                  '"UTF8"',),
        remedy=_CHARSET_REMEDY,
    ),
    Signature(
        "db-connection-lost",
        r"^authpgsql(?:lib)?: PQstatus failed",
        Severity.WARNING,
        "The worker's PostgreSQL connection dropped; it reconnects on the next lookup.",
        wizard_step=WizardStep.DB_DOWN,
        short="database connection dropped; the worker reconnects",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "authpgsqllib.cpp", "authpgsql: PQstatus failed, connection lost"),
            Source(AUTHLIB, "authpgsqllib.c (0.66)",
                   "authpgsqllib: PQstatus failed, connection lost"),
        ),
        examples=("authpgsql: PQstatus failed, connection lost",),
        remedy=Remedy(
            "PostgreSQL closed the worker's connection (a restart, an idle timeout or a killed "
            "backend); the first lookup after it may fail.",
            "PostgreSQL's log at the same time.",
            "Nothing if it is rare (the worker reconnects); if it repeats, find what ends the "
            "connections (idle_session_timeout, a pooler, restarts).",
        ),
    ),
    Signature(
        "db-query-send-failed",
        r"^PQsendQuery failed",
        Severity.WARNING,
        "authpgsql could not send its query (the connection broke); this lookup is a temporary "
        "failure.",
        wizard_step=WizardStep.DB_DOWN,
        short="query could not be sent: connection broken",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp", "PQsendQuery failed: %s"),),
        examples=("PQsendQuery failed: server closed the connection unexpectedly.",),
        remedy=Remedy(
            "The worker's connection broke between the health check and the query.",
            "PostgreSQL's log at the same time.",
            "Nothing if it is rare; if it repeats, find what ends the connections.",
        ),
    ),
    Signature(
        "db-query-failed-old",
        r"^PQexec failed second time, giving up",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql: the SELECT failed twice (the reason follows: a permission, "
        "a missing table or column); every lookup is a temporary failure.",
        wizard_step=WizardStep.SELECT_CLAUSE,
        short="the SELECT fails (old authpgsql)",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "authpgsqllib.c (0.66)", "PQexec failed second time, giving up: %s"),
        ),
        examples=("PQexec failed second time, giving up: ERROR:  permission denied "
                  "for table uids.",),
        remedy=Remedy(
            "The SELECT itself fails: no SELECT permission, a missing table or column.",
            SELECT_CONFIRM,
            "Correct the query or GRANT SELECT on its tables to the mail role, then `{restart}`.",
        ),
    ),
    Signature(
        "db-query-retry-old",
        r"^PQexec failed, reconnecting",
        Severity.INFO,
        "An old (≤ 0.66) authpgsql reconnects after a failed query and tries once more.",
        short="query failed once; reconnecting",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.c (0.66)", "PQexec failed, reconnecting: %s"),),
        examples=("PQexec failed, reconnecting: server closed the connection "
                  "unexpectedly.",),
        remedy=Remedy(
            "A query failed once; old authpgsql reconnects and retries.",
            "The next line says whether the retry worked.",
            "Nothing unless it is followed by 'PQexec failed second time'.",
        ),
    ),
    Signature(
        "select-clause-invalid-old",
        r"^authpgsql: (?:parse_select_clause failed|unknown substitution variable)",
        Severity.ERROR,
        "An old (≤ 0.66) authpgsql cannot expand PGSQL_SELECT_CLAUSE (an unknown $(variable), "
        "or DEFAULT_DOMAIN missing); every lookup fails.",
        wizard_step=WizardStep.SELECT_CLAUSE,
        short="PGSQL_SELECT_CLAUSE cannot be expanded",
        sources=(
            Source(AUTHLIB, "authpgsqllib.c (0.66)", "authpgsql: unknown substitution variable %s"),
            Source(AUTHLIB, "authpgsqllib.c (0.66)",
                   "authpgsql: parse_select_clause failed (DEFAULT_DOMAIN not defined?)"),
        ),
        examples=("authpgsql: unknown substitution variable $(user)",),
        remedy=Remedy(
            "PGSQL_SELECT_CLAUSE uses a $(variable) old authpgsql does not know, or $(domain) "
            "without DEFAULT_DOMAIN for bare user names.",
            SELECT_CONFIRM,
            "Use only $(local_part), $(domain), $(service) in PGSQL_SELECT_CLAUSE, then "
            "`{restart}`.",
        ),
    ),
)

FAMILY = Family("pgsql", Channel.AUTHDAEMOND, SIGNATURES)

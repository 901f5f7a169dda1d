"""For each log signature: the cause behind it, how to confirm it, and the fix on this platform.

The signatures say what a line means; this says what to do about it, in the
commands and paths of the platform discovery found (ApisCP, Debian, RHEL, …).
Texts are templates filled from `PlatformFacts`, so `authlib-tui explain`, the
generated docs/failures.md and a test that every problem has a remedy share them.
On ApisCP the Bootstrapper owns authdaemonrc and authpgsqlrc, so a hand edit is
never the fix there: `apiscp_fix` replaces `fix`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core.discovery.discover import Discovery
from tui.core.platforms.layouts import DEBIAN, LAYOUTS_BY_NAME, RHEL_APISCP, UPSTREAM_LOCAL, Layout
from tui.core.platforms.platform import PLATFORM_LABELS, Platform, commands_for

APISCP_BOOTSTRAP = "upcp -sb mail/configure-courier-authlib"

# The layout whose paths a platform's fixes use when nothing is installed here.
_LAYOUT_OF_PLATFORM: dict[Platform, Layout] = {
    Platform.APISCP: RHEL_APISCP,
    Platform.RHEL: RHEL_APISCP,
    Platform.DEBIAN: DEBIAN,
    Platform.OPENSUSE: LAYOUTS_BY_NAME["opensuse"],
    Platform.UPSTREAM: UPSTREAM_LOCAL,
    Platform.LAB: DEBIAN,
}
_PGSQL_PACKAGE: dict[Platform, str] = {
    Platform.DEBIAN: "courier-authlib-postgresql",
    Platform.LAB: "courier-authlib-postgresql",
    Platform.RHEL: "courier-authlib-pgsql",
    Platform.APISCP: "courier-authlib-pgsql",
    Platform.OPENSUSE: "courier-authlib-pgsql",
    Platform.UPSTREAM: "authlib built with authpgsql (configure --with-authpgsql)",
}


@dataclass(frozen=True)
class PlatformFacts:
    """The paths and commands a fix is written in; `assumed` says why, when nothing was found."""

    platform: Platform
    label: str
    authdaemonrc: str
    authpgsqlrc: str
    socket: str
    socket_dir: str
    module_dir: str
    pgsql_package: str
    start: str
    restart: str
    start_database: str
    mail_log: str
    mail_user: str
    mail_group: str
    reason: str  # why this platform: what discovery saw, or what was assumed
    assumed: bool  # no authlib installation was found: the paths are the platform's defaults

    @classmethod
    def from_discovery(cls, discovery: Discovery) -> PlatformFacts:
        platform = discovery.platform.value
        found = discovery.layout.value
        layout = found if found is not None else _LAYOUT_OF_PLATFORM[platform]
        conf_dir = discovery.conf_dir.value or layout.conf_dir
        authdaemonrc = discovery.authdaemonrc or conf_dir / "authdaemonrc"
        socket = discovery.socket.value or layout.socket
        commands = commands_for(platform, discovery.authdaemonrc, discovery.unit.value or (
            layout.units[0] if found is None and layout.units else None))
        logs = discovery.log_files or layout.log_files
        assumed = found is None and discovery.authdaemonrc is None
        reason = discovery.platform.source
        if assumed:
            reason = (f"no authlib installation found here ({reason}); fixes assume "
                      f"{PLATFORM_LABELS[platform]} defaults")
        return cls(
            platform=platform,
            label=PLATFORM_LABELS[platform],
            authdaemonrc=str(authdaemonrc),
            authpgsqlrc=str(discovery.authpgsqlrc or conf_dir / "authpgsqlrc"),
            socket=str(socket),
            socket_dir=str(Path(socket).parent),
            module_dir=str(layout.module_dirs[0]),
            pgsql_package=_PGSQL_PACKAGE[platform],
            start=commands.start,
            restart=commands.restart,
            start_database=commands.start_database,
            mail_log=str(logs[0]) if logs else "the mail log",
            mail_user=layout.mail_user,
            mail_group=layout.mail_group,
            reason=reason,
            assumed=assumed,
        )

    @classmethod
    def generic(cls) -> PlatformFacts:
        """Placeholders instead of paths: the catalogue written for every platform at once."""
        return cls(
            platform=Platform.UPSTREAM, label="any platform", authdaemonrc="authdaemonrc",
            authpgsqlrc="authpgsqlrc", socket="<authdaemonvar>/socket",
            socket_dir="<authdaemonvar>", module_dir="<pkglibdir>",
            pgsql_package="the authpgsql module package (Debian: courier-authlib-postgresql, "
            "RHEL/ApisCP: courier-authlib-pgsql)",
            start="systemctl start <unit>", restart="systemctl restart <unit>",
            start_database="systemctl start postgresql", mail_log="the mail log",
            mail_user="the mail user", mail_group="the mail group",
            reason="written for every platform", assumed=False,
        )

    def fill(self, template: str) -> str:
        return template.format(**{name: getattr(self, name) for name in _FIELDS})


_FIELDS = ("label", "authdaemonrc", "authpgsqlrc", "socket", "socket_dir", "module_dir",
           "pgsql_package", "start", "restart", "start_database", "mail_log", "mail_user",
           "mail_group")


@dataclass(frozen=True)
class Remedy:
    """Why it happens, how to see that it is so, and what to do (templates on PlatformFacts)."""

    cause: str
    confirm: str
    fix: str
    apiscp_fix: str = ""  # replaces `fix` on ApisCP, where the Bootstrapper owns the files

    def fix_for(self, facts: PlatformFacts) -> str:
        apiscp = self.apiscp_fix and facts.platform is Platform.APISCP
        return facts.fill(self.apiscp_fix if apiscp else self.fix)


_BOOTSTRAP_FIX = (f"The Bootstrapper writes authpgsqlrc on ApisCP; write it again: "
                  f"`{APISCP_BOOTSTRAP}`.")
_DB_CONFIRM = ("`authlib-tui check` (db-connect) connects with the same PGSQL_CONNECTION and "
               "prints PostgreSQL's answer.")
_DAEMON_START_CONFIRM = ("Start it by hand in the foreground and read what it prints: "
                         "`{start}`, then `authlib-tui check` (startup-errors).")
_MODULE_CONFIRM = "`ls -l {module_dir}/libauthpgsql.so*` and `ldd {module_dir}/libauthpgsql.so`."
_SELECT_CONFIRM = ("`authlib-tui check` (select-runs) runs PGSQL_SELECT_CLAUSE for a mailbox and "
                   "shows the row it returns.")
_HOME_CONFIRM = ("`authlib-tui lookup ADDRESS` shows the HOME, UID and GID the lookup answers; "
                 "`ls -ld` that home.")
_LOOKUP_CONFIRM = "`authlib-tui lookup ADDRESS` asks authdaemond the way maildrop does."

REMEDIES: dict[str, Remedy] = {
    # -- PostgreSQL ----------------------------------------------------------------------------
    "db-connect-failed": Remedy(
        "authpgsql's connection to PostgreSQL failed; libpq's reason is the next log line.",
        _DB_CONFIRM,
        "Explain the next line too (it is libpq's reason) and apply its fix."),
    "db-password-wrong": Remedy(
        "The password= in PGSQL_CONNECTION ({authpgsqlrc}) is not the mail role's password "
        "in PostgreSQL: one side was changed without the other.",
        _DB_CONFIRM,
        "Put the role's real password in PGSQL_CONNECTION in {authpgsqlrc} (or set the role's "
        "password to match with ALTER ROLE), then `{restart}`.",
        _BOOTSTRAP_FIX),
    "db-password-missing": Remedy(
        "PGSQL_CONNECTION in {authpgsqlrc} has no password= and PostgreSQL requires one.",
        _DB_CONFIRM,
        "Add password=… to PGSQL_CONNECTION in {authpgsqlrc}, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "db-role-missing": Remedy(
        "The user= in PGSQL_CONNECTION ({authpgsqlrc}) names a role that PostgreSQL does not "
        "have (renamed, dropped, or a typo).",
        _DB_CONFIRM,
        "Correct user= in PGSQL_CONNECTION or create the role, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "db-missing": Remedy(
        "The dbname= in PGSQL_CONNECTION ({authpgsqlrc}) names no database on that server.",
        _DB_CONFIRM,
        "Correct dbname= in PGSQL_CONNECTION (`psql -l` lists the databases), then "
        "`{restart}`.",
        _BOOTSTRAP_FIX),
    "db-hba-rejected": Remedy(
        "pg_hba.conf has no line for this role, database and client address, so PostgreSQL "
        "refuses before checking the password.",
        _DB_CONFIRM,
        "Add a pg_hba.conf line for the mail role and database (host … md5/scram-sha-256), "
        "then reload PostgreSQL (`systemctl reload postgresql`)."),
    "db-too-many-clients": Remedy(
        "PostgreSQL reached max_connections; each authdaemond worker keeps its own connection.",
        "`psql -c 'select count(*) from pg_stat_activity'` against max_connections.",
        "Raise max_connections in postgresql.conf (restart PostgreSQL) or find who holds the "
        "connections; don't raise daemons= while this happens."),
    "db-not-ready": Remedy(
        "PostgreSQL is starting, stopping or in recovery; it refuses connections meanwhile.",
        "`systemctl status postgresql` and PostgreSQL's own log.",
        "Wait for PostgreSQL to finish starting; if it stays so, read its log. Mail deferred "
        "meanwhile is retried by Postfix."),
    "db-host-unknown": Remedy(
        "The host= in PGSQL_CONNECTION ({authpgsqlrc}) does not resolve.",
        "`getent hosts HOST` with the host= value.",
        "Correct host= (or use 127.0.0.1 / the socket directory), then `{restart}`.",
        _BOOTSTRAP_FIX),
    "db-conninfo-invalid": Remedy(
        "PGSQL_CONNECTION in {authpgsqlrc} is not a valid libpq connection string.",
        "`authlib-tui check` (config-connection) parses it like libpq does.",
        "Write PGSQL_CONNECTION as `host=… port=… user=… password=… dbname=…` (quote values "
        "with spaces in single quotes), then `{restart}`.",
        _BOOTSTRAP_FIX),
    "db-down": Remedy(
        "PostgreSQL is not running, or listens on another host, port or socket than "
        "PGSQL_CONNECTION says.",
        _DB_CONFIRM,
        "Start PostgreSQL: `{start_database}`; if it runs, make host=/port= in "
        "PGSQL_CONNECTION match where it listens."),
    "db-unreachable": Remedy(
        "Nothing answers at the PGSQL_CONNECTION host: a firewall, a wrong address or a host "
        "that is down.",
        _DB_CONFIRM,
        "Correct host=/port= in PGSQL_CONNECTION or open the path to PostgreSQL, then "
        "`{restart}`."),
    "db-connection-error": Remedy(
        "PostgreSQL or libpq refused the connection; the rest of the line says why.",
        _DB_CONFIRM,
        "Act on the reason in the line (database, role, pg_hba.conf, server state), then "
        "`{restart}`."),
    "db-connect-failed-old": Remedy(
        "An old authpgsql (≤ 0.66) could not connect; libpq's reason follows on the line.",
        _DB_CONFIRM,
        "Correct PGSQL_HOST/PGSQL_PORT/PGSQL_USERNAME/PGSQL_PASSWORD/PGSQL_DATABASE in "
        "{authpgsqlrc} from the reason, or start PostgreSQL, then `{restart}`."),
    "db-charset-failed": Remedy(
        "PGSQL_CHARACTER_SET in {authpgsqlrc} names an encoding PostgreSQL does not know.",
        "`authlib-tui check` (db-connect).",
        "Set PGSQL_CHARACTER_SET to a PostgreSQL encoding name (e.g. UTF8) or remove it, then "
        "`{restart}`."),
    "db-charset-failed-old": Remedy(
        "PGSQL_CHARACTER_SET in {authpgsqlrc} names an encoding PostgreSQL does not know.",
        "`authlib-tui check` (db-connect).",
        "Set PGSQL_CHARACTER_SET to a PostgreSQL encoding name (e.g. UTF8) or remove it, then "
        "`{restart}`."),
    "db-connection-lost": Remedy(
        "PostgreSQL closed the worker's connection (a restart, an idle timeout or a killed "
        "backend); the first lookup after it may fail.",
        "PostgreSQL's log at the same time.",
        "Nothing if it is rare (the worker reconnects); if it repeats, find what ends the "
        "connections (idle_session_timeout, a pooler, restarts)."),
    "db-query-send-failed": Remedy(
        "The worker's connection broke between the health check and the query.",
        "PostgreSQL's log at the same time.",
        "Nothing if it is rare; if it repeats, find what ends the connections."),
    "db-query-failed-old": Remedy(
        "The SELECT itself fails: no SELECT permission, a missing table or column.",
        _SELECT_CONFIRM,
        "Correct the query or GRANT SELECT on its tables to the mail role, then `{restart}`."),
    "db-query-retry-old": Remedy(
        "A query failed once; old authpgsql reconnects and retries.",
        "The next line says whether the retry worked.",
        "Nothing unless it is followed by 'PQexec failed second time'."),
    "select-clause-invalid-old": Remedy(
        "PGSQL_SELECT_CLAUSE uses a $(variable) old authpgsql does not know, or $(domain) "
        "without DEFAULT_DOMAIN for bare user names.",
        _SELECT_CONFIRM,
        "Use only $(local_part), $(domain), $(service) in PGSQL_SELECT_CLAUSE, then "
        "`{restart}`."),
    # -- the other database modules ------------------------------------------------------------
    "other-module-login-refused": Remedy(
        "MySQL rejected the user or password authmysql sent. authmysqlrc values are taken "
        "as written: quotes become part of the value, and older authlib keeps trailing blanks "
        "(`userid=mail ` or `userid='mail'` in the line shows it). 'Client does not support "
        "authentication protocol' means the account's password scheme is newer than the "
        "MySQL client library authmysql uses.",
        "`grep -nE '^MYSQL_(USERNAME|PASSWORD)' authmysqlrc | cat -A` (next to {authdaemonrc}) "
        "shows quotes and trailing blanks; try the same user and password with `mysql -u`.",
        "Write the values bare (no quotes, nothing after them), correct the password or the "
        "user's GRANT for this host, or give the account a password scheme the client "
        "supports; then `{restart}`. If accounts live only in PostgreSQL, remove authmysql "
        "from authmodulelist."),
    "other-module-connect-failed": Remedy(
        "A module other than authpgsql cannot reach its server: wrong host, credentials or "
        "database in its rc file, or the server is down.",
        "The module's own rc file next to {authdaemonrc} (authmysqlrc, authldaprc) and the "
        "server's log.",
        "Correct the module's rc file or start its server, then `{restart}`; if accounts live "
        "only in PostgreSQL, remove the module from authmodulelist."),
    "other-module-config": Remedy(
        "The module's rc file (authmysqlrc, authldaprc) misses a required key or has an "
        "invalid value.",
        "`grep -v '^#' ` the module's rc file next to {authdaemonrc}.",
        "Add or correct the key the line names, then `{restart}`; if the module is not used, "
        "remove it from authmodulelist."),
    # -- DEBUG_LOGIN lines ---------------------------------------------------------------------
    "debug-passwords-logged": Remedy(
        "DEBUG_LOGIN=2 in {authdaemonrc}: authdaemond logs passwords on every found lookup.",
        "`grep ^DEBUG_LOGIN {authdaemonrc}`; `authlib-tui check` (debug-login).",
        "Set DEBUG_LOGIN=0 in {authdaemonrc}, then stop and start authdaemond (`{restart}`; a "
        "HUP does not re-read it); purge the passwords from {mail_log} and its rotated copies."),
    "lookup-incomplete-row": Remedy(
        "PGSQL_SELECT_CLAUSE returns fewer than 6 columns (username, crypt, clear, uid, gid, "
        "home, …), so the row is unusable.",
        _SELECT_CONFIRM,
        "Make the SELECT return every column in authpgsql's order, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "lookup-invalid-id": Remedy(
        "The row's uid or gid column is NULL or not a whole number.",
        _SELECT_CONFIRM,
        "Fix the row (or the clause's uid/gid expressions) so both are numbers."),
    "module-tempfail": Remedy(
        "The module could not answer: database down, credentials wrong, config missing or an "
        "SQL error (SQL errors are logged nowhere; only the lines before this one can tell).",
        "`authlib-tui check` runs each of these checks in turn.",
        "Explain the ERR lines just before it; with none, run `authlib-tui check` (the SELECT "
        "probe finds SQL errors)."),
    "lookup-zero-rows": Remedy(
        "No row matches the address: it is not a mailbox here, or the SELECT looks in the wrong "
        "place (domain spelled differently, disabled account).",
        _LOOKUP_CONFIRM,
        "Nothing for an address that should not exist; otherwise create the mailbox or correct "
        "the SELECT."),
    "module-rejected": Remedy(
        "The module has no usable row for the address (no row, or an empty home).",
        _LOOKUP_CONFIRM,
        "As for 'zero rows returned': create the mailbox or correct its home."),
    "all-modules-rejected": Remedy(
        "No module in authmodulelist knows the address; maildrop will bounce the mail as "
        "'Invalid user specified.'.",
        _LOOKUP_CONFIRM,
        "Nothing for an address that should not exist; otherwise create the mailbox, give it "
        "a home, or add its module to authmodulelist in {authdaemonrc}."),
    # -- authpgsqlrc ---------------------------------------------------------------------------
    "marker-missing-kept-old": Remedy(
        "{authpgsqlrc} was changed and lost its `##NAME: MARKER:` line; running workers keep "
        "the old settings, new ones fail.",
        "`grep -n '^##NAME: MARKER:' {authpgsqlrc}`",
        "Put `##NAME: MARKER:0` back in {authpgsqlrc} (usually after the last setting), then "
        "`{restart}`.",
        _BOOTSTRAP_FIX),
    "marker-missing": Remedy(
        "{authpgsqlrc} has no `##NAME: MARKER:` line (sysconftool was not run after an "
        "upgrade, or the file was written by hand).",
        "`grep -n '^##NAME: MARKER:' {authpgsqlrc}`",
        "Add `##NAME: MARKER:0` to {authpgsqlrc}, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "pgsql-connection-missing": Remedy(
        "{authpgsqlrc} has no PGSQL_CONNECTION; authlib 0.67+ ignores the old PGSQL_HOST/"
        "PGSQL_USERNAME/PGSQL_PASSWORD keys.",
        "`authlib-tui check` (config-old-keys).",
        "Replace the old keys with one `PGSQL_CONNECTION host=… port=… user=… password=… "
        "dbname=…` line in {authpgsqlrc}, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "pgsql-required-key-missing": Remedy(
        "{authpgsqlrc} lacks PGSQL_USER_TABLE or PGSQL_CRYPT_PWFIELD, which are needed unless "
        "all three custom SELECT clauses are set.",
        "`authlib-tui check` (config-connection).",
        "Add the key (or the custom clauses) to {authpgsqlrc}, then `{restart}`.",
        _BOOTSTRAP_FIX),
    "pgsql-old-key-missing": Remedy(
        "An old authpgsql misses a key it requires in {authpgsqlrc}.",
        "`grep ^PGSQL_ {authpgsqlrc}`",
        "Add the key named in the line to {authpgsqlrc}, then `{restart}`."),
    "config-file-missing": Remedy(
        "The module's config file is not where authlib was built to look (a package split, or "
        "the file was moved).",
        "`ls -l` the path in the line.",
        "Restore the file at that path (the package's example is authpgsqlrc.dist), then "
        "`{restart}`.",
        _BOOTSTRAP_FIX),
    "config-file-unreadable": Remedy(
        "authdaemond cannot read the module's config file: its mode or owner changed.",
        "`ls -l` the path in the line; authdaemond reads it as root or {mail_user}.",
        "`chown root:{mail_group}` and `chmod 0640` the file, then `{restart}`."),
    # -- authdaemond start-up ------------------------------------------------------------------
    "authdaemonrc-bad-line": Remedy(
        "{authdaemonrc} has a non-blank line without '=' (often a pasted value on its own "
        "line); authdaemond exits at start-up, and after a reload keeps running on the old "
        "settings until its next restart, which fails.",
        "`grep -vnE '^[[:space:]]*(#|$)|=' {authdaemonrc}` lists such lines; `authlib-tui "
        "check` (daemon-listening) says whether the daemon still runs.",
        "Remove or comment out the line, then `{start}` if it stopped (a running daemon needs "
        "nothing: the next restart reads the corrected file)."),
    "authdaemonrc-shell-error": Remedy(
        "The start script sources {authdaemonrc} with /bin/sh; a line is not valid shell (a "
        "stray word, an unbalanced quote).",
        "`sh -n {authdaemonrc}`",
        "Correct the line the message names, then `{restart}`."),
    "authdaemonrc-unreadable": Remedy(
        "authdaemond cannot open {authdaemonrc} (missing, or not readable), so it exits.",
        _DAEMON_START_CONFIRM,
        "Restore {authdaemonrc} (mode 0660 or 0640, owner {mail_user}), then `{start}`."),
    "socket-create-failed": Remedy(
        "authdaemond cannot create {socket}: the directory {socket_dir} is missing, read-only, "
        "full, or not writable by root; so it exits and every lookup fails.",
        "`ls -ld {socket_dir}` and `touch {socket_dir}/probe && rm {socket_dir}/probe` as root.",
        "Recreate {socket_dir} (owner {mail_user}:{mail_group}, mode 0750), make its file "
        "system writable, then `{start}`."),
    "daemon-misinvoked": Remedy(
        "The authdaemond program was run directly with arguments; only its wrapper daemonizes.",
        _DAEMON_START_CONFIRM,
        "Start it the platform's way: `{start}`."),
    "daemons-missing": Remedy(
        "{authdaemonrc} has no daemons= (or it is 0 or not a number); authdaemond runs a single "
        "worker, so lookups queue behind each other.",
        "`grep ^daemons= {authdaemonrc}`; `authlib-tui check` (pool-saturation).",
        "Set daemons=5 (or what the load needs) in {authdaemonrc}, then `{restart}`.",
        "Set the worker count: `cpcmd scope:set cp.bootstrapper courier_workers 5`, then "
        f"`{APISCP_BOOTSTRAP}`."),
    "ltdl-failed": Remedy(
        "libltdl could not start or find the module directory; the installation is damaged.",
        _MODULE_CONFIRM,
        "Reinstall courier-authlib (and libltdl), then `{restart}`."),
    "module-not-found": Remedy(
        "authmodulelist in {authdaemonrc} names a module whose library is not installed "
        "(authpgsql: {pgsql_package}), or whose file is damaged or built for another system.",
        _MODULE_CONFIRM,
        "Install (or reinstall) {pgsql_package}, or remove the module from authmodulelist, "
        "then `{restart}`."),
    "module-dependency-missing": Remedy(
        "A library the module links against (usually libpq) is missing or unreadable.",
        _MODULE_CONFIRM + " (`not found` names the missing library)",
        "Install the missing library (libpq5 / postgresql-libs), then `{restart}`."),
    "module-undefined-symbol": Remedy(
        "The module was built against a different authlib or libpq than the installed one "
        "(a partial upgrade, or a module from another build).",
        _MODULE_CONFIRM,
        "Install the module package that matches the installed courier-authlib ({pgsql_package})"
        ", then `{restart}`."),
    "module-load-failed": Remedy(
        "The module file is damaged or for another architecture.",
        _MODULE_CONFIRM,
        "Reinstall {pgsql_package}, then `{restart}`."),
    "module-init-missing": Remedy(
        "The library loaded but is not an authlib module of this version.",
        _MODULE_CONFIRM,
        "Install the module package matching courier-authlib, then `{restart}`."),
    "resource-failure": Remedy(
        "authdaemond ran out of processes, file descriptors or memory.",
        "`free -m`, `ulimit -a` for the service, and the kernel log (`dmesg`).",
        "Free memory or raise the service's limits (LimitNOFILE/LimitNPROC), then `{restart}`."),
    "resource-perror": Remedy(
        "authdaemond ran out of memory or file descriptors.",
        "`free -m`, `ulimit -a` for the service, and the kernel log (`dmesg`).",
        "Free memory or raise the service's limits, then `{restart}`."),
    # -- the client side (maildrop's output in Postfix's pipe line) ----------------------------
    "s-connect-refused": Remedy(
        "The socket file {socket} exists but no authdaemond listens on it: it stopped, "
        "crashed, or exited at start-up on a config error.",
        "`authlib-tui check` (daemon-listening); `{start}` prints a start-up error if any.",
        "`{start}`; if it exits again, explain its start-up lines in {mail_log}."),
    "s-connect-no-socket": Remedy(
        "There is no socket file {socket}: authdaemond is not running (at boot /run is empty), "
        "or maildrop was built for another socket directory.",
        "`ls -l {socket}`; `authlib-tui check` (socket-present).",
        "`{start}`; if the socket appears elsewhere, maildrop was built for another "
        "authdaemonvar."),
    "s-connect-denied": Remedy(
        "The delivering user may not enter {socket_dir}: maildrop lost its setuid bit, or the "
        "directory's mode or owner changed.",
        "`ls -ld {socket_dir}` and `ls -l $(command -v maildrop)` (expect -rwsr-xr-x root).",
        "Restore `chmod 4755 $(command -v maildrop)` or the directory's owner "
        "{mail_user}:{mail_group} mode 0750. Do not open the directory to everyone: whoever "
        "connects can read every account's password."),
    "s-connect-again": Remedy(
        "Every worker is busy and the listen queue is full.",
        "`authlib-tui check` (pool-saturation).",
        "Raise daemons= in {authdaemonrc} and find the slow query, then `{restart}`.",
        "`cpcmd scope:set cp.bootstrapper courier_workers N`, then "
        f"`{APISCP_BOOTSTRAP}`; and find the slow query."),
    "s-connect-failed": Remedy(
        "maildrop could not connect to authdaemond; the reason follows the colon.",
        "`authlib-tui check` (daemon-listening).",
        "Explain the reason (Connection refused, No such file, Permission denied…); most "
        "often `{start}`."),
    "s-connect-hint": Remedy(
        "The connect to authdaemond failed; the reason is on the s_connect() line before it.",
        "`authlib-tui check` (daemon-listening).",
        "Explain the s_connect() line; most often `{start}`."),
    "client-socket-failed": Remedy(
        "The delivering process could not create a socket (out of descriptors or memory).",
        "`ulimit -n` for Postfix's pipe; the kernel log.",
        "Raise the limits or free memory; Postfix retries deferred mail."),
    "login-tempfail": Remedy(
        "A Courier IMAP/POP3 login's lookup failed temporarily: authdaemond's module could not "
        "use its database or rc file, or authdaemond was not reachable (then the error reads "
        "Connection refused or No such file or directory).",
        "The authdaemond lines of the same second in {mail_log}; `authlib-tui check` "
        "(lookup-answers).",
        "Explain authdaemond's line from the same moment and fix what it names; with none, "
        "`authlib-tui check`."),
    "maildrop-tempfail": Remedy(
        "authdaemond answered with a temporary failure or not at all: the database or its "
        "credentials (delays ≈ 0), an SQL error, or saturated workers (≈ 30 s).",
        "`authlib-tui check` (lookup-answers) and the authdaemond lines at that time.",
        "Explain authdaemond's lines from the same moment; with none, `authlib-tui check`."),
    "maildrop-tempfail-timeout": Remedy(
        "The lookup took the client's 30 s read timeout: every worker was busy, or the "
        "database answered too slowly.",
        "`authlib-tui check` (pool-saturation, lookup-speed).",
        "Raise daemons= in {authdaemonrc} and make the SELECT fast, then `{restart}`.",
        "`cpcmd scope:set cp.bootstrapper courier_workers N`, then "
        f"`{APISCP_BOOTSTRAP}`; and make the SELECT fast."),
    "maildrop-bounced-outage": Remedy(
        "authdaemond was unreachable and maildrop runs without -a, so the outage made it bounce "
        "the mail as an unknown user: mail is being lost, not deferred.",
        "`postconf -M` / master.cf: the maildrop pipe's argv lacks -a; `authlib-tui check` "
        "(maildrop-tempfail-flag, daemon-listening).",
        "Start authdaemond ({start}), add -a to maildrop's argv in master.cf and `postfix "
        "reload`, so the next outage defers; ask the senders to send again."),
    "maildrop-invalid-user": Remedy(
        "authdaemond answered 'no such user' (or maildrop was built to treat a failure that "
        "way): the address is not a mailbox, is disabled, has an empty home, or authpgsql is "
        "not loaded. A maildrop built without authlib never asks authdaemond and knows only "
        "system users. The sender got a bounce.",
        _LOOKUP_CONFIRM + " `authlib-tui check` (authpgsql-module); `maildrop -v` lists "
        "'Courier Authentication Library extension enabled.' when it asks authdaemond.",
        "If the address should exist: create or enable the mailbox, give it a home, or install "
        "and list authpgsql ({pgsql_package}); install a maildrop built with authlib if `-v` "
        "lacks it; ask the sender to send again."),
    "maildrop-no-system-user": Remedy(
        "The lookup returned a system user name (USERNAME column) that /etc/passwd lacks.",
        "`getent passwd NAME` for the name in the line.",
        "Create the user, or make the SELECT return uid/gid numbers instead of a user name."),
    "maildrop-setid-failed": Remedy(
        "maildrop cannot switch to the mailbox's uid/gid: it is not setuid root, or the "
        "looked-up user does not exist.",
        "`ls -l $(command -v maildrop)` (expect -rwsr-xr-x root); " + _HOME_CONFIRM,
        "`chmod 4755 $(command -v maildrop)` (owner root), or correct the uid/gid the SELECT "
        "returns."),
    "maildrop-setgid-failed": Remedy(
        "maildrop cannot switch to the mailbox's group (not setuid root, or a bad gid); it "
        "exits 1 and Postfix bounces.",
        "`ls -l $(command -v maildrop)`; " + _HOME_CONFIRM,
        "Restore maildrop's setuid bit or correct the gid; ask the sender to send again."),
    "maildrop-home-create-failed": Remedy(
        "maildrop could not create the home directory the lookup named; it exits 1 and Postfix "
        "bounces.",
        _HOME_CONFIRM,
        "Create the home (owned by the mailbox's uid/gid) or correct the SELECT's home; ask the "
        "sender to send again."),
    "maildrop-home-missing": Remedy(
        "The home directory the lookup answered does not exist or the mailbox's user cannot "
        "enter it.",
        _HOME_CONFIRM,
        "Create the home with the mailbox's uid/gid, or correct the SELECT's home; then retry "
        "the waiting mail (`postqueue -f`)."),
    "maildrop-home-owner": Remedy(
        "The home directory belongs to another uid than the one the lookup answers.",
        _HOME_CONFIRM,
        "`chown UID:GID` the home so it matches the lookup; then retry the waiting mail."),
    "maildrop-home-writable": Remedy(
        "The home directory is world-writable, which maildrop refuses.",
        _HOME_CONFIRM,
        "`chmod o-w` the home; then retry the waiting mail."),
    "maildrop-dot-lock": Remedy(
        "The Maildir the lookup names is missing, so maildrop took the name for a mailbox file "
        "and could not lock it.",
        _HOME_CONFIRM + " `ls -ld HOME/MAILDIR`.",
        "Create the Maildir (`maildirmake`, or cur/ new/ tmp/ owned by the mailbox's uid) or "
        "correct the SELECT's maildir; then retry the waiting mail."),
    "maildrop-setgid": Remedy(
        "maildrop is not setuid root (Debian ships it setgid mail only), so it cannot become "
        "the mailbox's user; every delivery exits 1 and Postfix bounces.",
        "`ls -l $(command -v maildrop)`: the owner's x must be an s.",
        "`chown root:mail` and `chmod 4755` maildrop (ApisCP's packages do); ask the senders of "
        "the bounced mail to send again."),
    "maildrop-home-bad": Remedy(
        "maildrop refuses the home: not a directory, world-writable, or owned by another uid "
        "than the lookup's.",
        _HOME_CONFIRM,
        "`chown UID:GID` and `chmod o-w` the home so it matches the lookup."),
    "maildrop-over-quota": Remedy(
        "The mailbox is full: its maildir quota is used up.",
        "The maildirsize file in the mailbox; the lookup's QUOTA.",
        "Free space in the mailbox or raise its quota."),
    "maildrop-mailbox-failed": Remedy(
        "maildrop cannot write the mailbox: wrong maildir path from the lookup, wrong owner or "
        "mode, a stale lock, or a full disk.",
        _HOME_CONFIRM + " `df -h` for the disk.",
        "Correct the mailbox's owner/mode or path, or free disk space."),
    "maildrop-maildir-error": Remedy(
        "maildrop cannot open the maildir named in the line (the error follows it).",
        "`ls -ld` the path in the line.",
        "Create the maildir (maildirmake) or correct its owner."),
    "maildrop-tempfile-failed": Remedy(
        "maildrop cannot write its temporary copy (disk full or /tmp not writable).",
        "`df -h /tmp` and the home's file system.",
        "Free disk space."),
    "maildrop-timeout": Remedy(
        "The delivery took longer than maildrop's time limit: a slow lookup, filter or disk.",
        "`authlib-tui check` (lookup-speed); the mailbox's .mailfilter.",
        "Make the slow part fast (the SELECT, the filter); Postfix retries deferred mail."),
    "maildrop-killed": Remedy(
        "maildrop was killed: 0x06 an abort (a crash), 0x09 SIGKILL (often the OOM killer), "
        "0x0F a stop of the service.",
        "The kernel log (`dmesg`, `journalctl -k`) at that time.",
        "Find what killed it (memory, limits); Postfix retries deferred mail."),
    "orphan-fragment": Remedy(
        "A log line longer than 511 bytes was cut by courierlogger; this is its tail, and the "
        "lines after it may be lost.",
        "The `SQL query:` line just before it ends at 511 bytes.",
        "Don't trust DEBUG_LOGIN output with long queries; run the SELECT yourself "
        "(`authlib-tui check`, select-runs)."),
}


def remedy_for(signature_id: str) -> Remedy | None:
    return REMEDIES.get(signature_id)

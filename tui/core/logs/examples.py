"""One real line per log signature, as it reaches the mail log.

Each is the program's own format string with realistic values filled in (the
`ERR:`/`DEBUG:` prefix already stripped by courierlogger; a client message as
Postfix appends it after `Command output:`). docs/failures.md shows them so a
reader can find a message by its text, and the tests feed each one back through
the classifier: an example that stops matching its signature fails the build.
"""

from __future__ import annotations

_PIPE = ("5CA13C0F12: to=<user@example.com>, relay=vmaildrop, delay=0.09, "
         "delays=0.06/0.01/0/0.02, dsn=4.3.0, status=deferred (temporary failure. "
         "Command output: {output})")

# signature id -> a line authdaemond wrote (text after `authdaemond: `)
SERVER_EXAMPLES: dict[str, str] = {
    "db-connect-failed": "PGSQL_CONNECTION could not be established",
    "db-password-wrong": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                         'password authentication failed for user "postfix".',
    "db-password-missing": 'connection to server at "127.0.0.1", port 5432 failed: '
                           "fe_sendauth: no password supplied.",
    "db-role-missing": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  role '
                       '"postfix" does not exist.',
    "db-missing": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database '
                  '"appldb" does not exist.',
    "db-hba-rejected": 'connection to server at "10.0.0.5", port 5432 failed: FATAL:  no '
                       'pg_hba.conf entry for host "10.0.0.9", user "postfix", database '
                       '"appldb", no encryption.',
    "db-too-many-clients": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                           "sorry, too many clients already.",
    "db-not-ready": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  the '
                    "database system is starting up.",
    "db-host-unknown": 'could not translate host name "db.example.invalid" to address: Name '
                       "or service not known.",
    "db-conninfo-invalid": 'invalid connection option "database".',
    "db-down": 'connection to server at "127.0.0.1", port 5432 failed: Connection refused..Is '
               "the server running on that host and accepting TCP/IP connections?.",
    "db-unreachable": 'connection to server at "10.0.0.5", port 5432 failed: Connection timed '
                      "out..Is the server running on that host and accepting TCP/IP "
                      "connections?.",
    "db-connection-error": 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                           "terminating connection due to administrator command.",
    "db-connect-failed-old": "Connection to server 'localhost' userid 'postfix' database "
                             "'appldb' failed.",
    "db-charset-failed": 'Cannot set character set to "LATIN9X", using "UTF8"',
    "db-charset-failed-old": 'Cannot set Postgresql character set "LATIN9X", working with '
                             '"UTF8"',
    "db-connection-lost": "authpgsql: PQstatus failed, connection lost",
    "db-query-send-failed": "PQsendQuery failed: server closed the connection unexpectedly.",
    "db-query-failed-old": "PQexec failed second time, giving up: ERROR:  permission denied "
                           "for table uids.",
    "db-query-retry-old": "PQexec failed, reconnecting: server closed the connection "
                          "unexpectedly.",
    "select-clause-invalid-old": "authpgsql: unknown substitution variable $(user)",
    "other-module-login-refused": "failed to connect to mysql server (server=localhost, "
                                  "userid=courier): Access denied for user "
                                  "'courier'@'localhost' (using password: YES)",
    "other-module-connect-failed": "failed to connect to mysql server (server=db.example.com, "
                                   "userid=courier): Unknown MySQL server host "
                                   "'db.example.com' (-2)",
    "other-module-config": "authmysql: MYSQL_USERNAME not set in /etc/courier/authmysqlrc.",
    "debug-passwords-logged": "Authenticated: clearpasswd=<null>, passwd=$6$rounds=5000$x",
    "login-tempfail": "authentication error: Input/output error",
    "lookup-incomplete-row": "incomplete row, only 3 fields returned",
    "lookup-invalid-id": "invalid value for uid: ''",
    "module-tempfail": "authpgsql: TEMPFAIL - no more modules will be tried",
    "lookup-zero-rows": "zero rows returned",
    "module-rejected": "authpgsql: REJECT - try next module",
    "all-modules-rejected": "FAIL, all modules rejected",
    "marker-missing-kept-old": "marker line not found in /etc/courier/authpgsqlrc will try "
                               "again later",
    "marker-missing": "marker line not found in /etc/courier/authpgsqlrc (probably forgot to "
                      "run sysconftool after an upgrade)",
    "pgsql-connection-missing": "PGSQL_CONNECTION not found in /etc/courier/authpgsqlrc",
    "pgsql-required-key-missing": "PGSQL_USER_TABLE not found in /etc/courier/authpgsqlrc",
    "pgsql-old-key-missing": "authpgsql: PGSQL_USERNAME not set in /etc/authlib/authpgsqlrc.",
    "config-file-missing": "stat(/etc/courier/authpgsqlrc) failed",
    "config-file-unreadable": "Cannot open /etc/courier/authpgsqlrc",
    "authdaemonrc-bad-line": "Bad line in /etc/courier/authdaemonrc: daemons 5",
    "authdaemonrc-shell-error": "/etc/courier/authdaemonrc: 12: garbage: not found",
    "authdaemonrc-unreadable": "/etc/courier/authdaemonrc: No such file or directory",
    "socket-create-failed": "/run/courier/authdaemon/socket: Read-only file system",
    "daemon-misinvoked": "Error: authdaemond no longer handles its own daemonizing.",
    "daemons-missing": "Configuration error - missing 'daemons' setting, using 1",
    "ltdl-failed": "lt_dlsetsearchpath() failed: not enough memory",
    "module-not-found": "file not found",
    "module-dependency-missing": "libpq.so.5: cannot open shared object file: No such file or "
                                 "directory",
    "module-undefined-symbol": "/usr/lib/courier-authlib/libauthpgsql.so: undefined symbol: "
                               "PQsslAttribute",
    "module-load-failed": "/usr/lib/courier-authlib/libauthpgsql.so: invalid ELF header",
    "module-init-missing": "Can't locate init function courier_authfoo_init.",
    "resource-failure": "fork() failed",
    "resource-perror": "malloc: Cannot allocate memory",
    "children-stopping": "stopping authdaemond children",
    "children-restarting": "restarting authdaemond children",
    "daemon-started": 'modules="authpgsql", daemons=5',
    "module-installing": "Installing libauthpgsql.so",
    "module-installed": "Installation complete: authpgsql",
    "module-uninstalling": "Uninstalling authpgsql",
}

# The syslog level authdaemond's line arrives at, where it is not err (an `ERR:` prefix).
# A line with no prefix (perror, libltdl's text after `INFO:`) is logged as info by
# courierlogger even when the daemon exits after it; DEBUG_LOGIN's lines are debug.
LOGGED_AT: dict[str, str] = {
    **dict.fromkeys(("db-connection-lost", "db-query-send-failed", "db-query-failed-old",
                     "db-query-retry-old", "lookup-incomplete-row", "lookup-invalid-id",
                     "module-tempfail", "lookup-zero-rows", "module-rejected",
                     "all-modules-rejected"), "debug"),
    "debug-passwords-logged": "info (Authenticated:) or debug",
    **dict.fromkeys(("authdaemonrc-unreadable", "socket-create-failed", "module-not-found",
                     "module-dependency-missing", "module-undefined-symbol", "module-load-failed",
                     "resource-perror", "children-stopping", "children-restarting",
                     "daemon-started", "module-installing", "module-installed",
                     "module-uninstalling"), "info"),
    "login-tempfail": "err, by imapd or pop3d (courierpop3login), not authdaemond",
    "authdaemonrc-shell-error": "the init system's log (the start script's stderr)",
    "daemon-misinvoked": "the terminal or the init system's log",
    "resource-failure": "crit",
}


# signature id -> maildrop's stderr as Postfix logs it after `Command output:`
CLIENT_EXAMPLES: dict[str, str] = {
    "maildrop-bounced-outage": "ERR: authdaemon: s_connect() failed: Connection refused Invalid "
                               "user specified. ",
    "s-connect-refused": "ERR: authdaemon: s_connect() failed: Connection refused "
                         "/usr/bin/maildrop: Temporary authentication failure. ",
    "s-connect-no-socket": "ERR: authdaemon: s_connect() failed: No such file or directory "
                           "/usr/bin/maildrop: Temporary authentication failure. ",
    "s-connect-denied": "ERR: authdaemon: s_connect() failed: Permission denied "
                        "/usr/bin/maildrop: Temporary authentication failure. ",
    "s-connect-again": "ERR: authdaemon: s_connect() failed: Resource temporarily unavailable "
                       "/usr/bin/maildrop: Temporary authentication failure. ",
    "s-connect-failed": "ERR: authdaemon: s_connect() failed: Connection timed out ERR: "
                        "[Hint: perhaps authdaemond is not running?] /usr/bin/maildrop: "
                        "Temporary authentication failure. ",
    "s-connect-hint": "ERR: [Hint: perhaps authdaemond is not running?] ",
    "client-socket-failed": "CRIT: authdaemon: socket() failed: Too many open files ",
    "maildrop-tempfail": "/usr/bin/maildrop: Temporary authentication failure. ",
    "maildrop-invalid-user": "Invalid user specified. ",
    "maildrop-no-system-user": "Cannot find system user vmail /usr/bin/maildrop: Cannot set my "
                               "user or group id. ",
    "maildrop-setid-failed": "/usr/bin/maildrop: Cannot set my user or group id. ",
    "maildrop-setgid": "setgid: Operation not permitted ",
    "maildrop-setgid-failed": "setgid: Invalid argument ",
    "maildrop-home-create-failed": "/home/virtual/site1/home/user: Permission denied ",
    "maildrop-home-missing": "/usr/bin/maildrop: Unable to change to home directory. ",
    "maildrop-home-owner": "/usr/bin/maildrop: Home directory owned by wrong user. ",
    "maildrop-home-writable": "/usr/bin/maildrop: Invalid home directory permissions - world "
                              "writable. ",
    "maildrop-home-bad": "/usr/bin/maildrop: Home directory is not a directory. ",
    "maildrop-dot-lock": "/usr/bin/maildrop: Unable to create a dot-lock at Mail/",
    "maildrop-over-quota": "maildrop: maildir over quota. ",
    "maildrop-mailbox-failed": "/usr/bin/maildrop: Unable to open mailbox. ",
    "maildrop-maildir-error": "maildrop: /home/user/Mail/: Permission denied ",
    "maildrop-tempfile-failed": "/usr/bin/maildrop: Unable to create temporary file. ",
    "maildrop-timeout": "maildrop: Timeout quota exceeded. ",
    "maildrop-killed": "maildrop: signal 0x09 ",
}


def pipe_line(command_output: str, *, delays: str = "0.06/0.01/0/0.02",
              status: str = "deferred") -> str:
    """A Postfix pipe(8) message (after `postfix/pipe[pid]: `) carrying this output."""
    line = _PIPE.format(output=command_output).replace("delays=0.06/0.01/0/0.02",
                                                       f"delays={delays}")
    if status == "bounced":
        line = line.replace("dsn=4.3.0, status=deferred (temporary failure.",
                            "dsn=5.1.1, status=bounced (user unknown.")
    return line


# The 30 s tempfail is told apart by Postfix's delays, not by maildrop's text.
TIMEOUT_EXAMPLE = pipe_line("/usr/bin/maildrop: Temporary authentication failure. ",
                            delays="0.1/0/0/30")

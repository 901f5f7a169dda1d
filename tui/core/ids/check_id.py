"""The id of every check: what `check` prints per result and a recording keys its results by."""

from __future__ import annotations

from enum import StrEnum


class CheckId(StrEnum):
    """One member per check. Within one hop, the x-ray lists its checks in this order."""

    # The Postfix hop
    POSTFIX_TRANSPORT = "postfix-transport"
    MAIL_DEFERRED = "mail-deferred"
    MAIL_BOUNCED = "mail-bounced"
    POSTFIX_PGSQL_MAPS = "postfix-pgsql-maps"
    # The maildrop hop
    MAILDROP_SETUID = "maildrop-setuid"
    MAILDROP_TEMPFAIL_FLAG = "maildrop-tempfail-flag"
    SOCKET_ACCESS = "socket-access"
    # The socket hop
    SOCKET_PRESENT = "socket-present"
    SOCKET_IS_SOCKET = "socket-is-socket"
    DAEMON_LISTENING = "daemon-listening"
    # The worker pool hop
    DAEMON_PROCESSES = "daemon-processes"
    STARTUP_ERRORS = "startup-errors"
    AUTHDAEMONRC_VALID = "authdaemonrc-valid"
    POOL_SATURATION = "pool-saturation"
    LOOKUP_SPEED = "lookup-speed"
    # The authpgsql config hop
    AUTHPGSQLRC_READABLE = "authpgsqlrc-readable"
    CONFIG_MARKER = "config-marker"
    CONFIG_OLD_KEYS = "config-old-keys"
    CONFIG_CONNECTION = "config-connection"
    AUTHPGSQL_MODULE = "authpgsql-module"
    # The PostgreSQL hop
    DB_CONNECT = "db-connect"
    APISCP_PASSWORD = "apiscp-password"
    SELECT_RUNS = "select-runs"
    # On no hop: the symptom itself, a log-hygiene warning, and the one-address walk.
    LOOKUP_ANSWERS = "lookup-answers"
    DEBUG_LOGIN = "debug-login"
    ADDRESS_LOOKUP = "address-lookup"
    ADDRESS_DATABASE = "address-database"
    # The login side (Courier IMAP/POP3): one user's login, and many from one address.
    LOGIN_ANSWER = "login-answer"
    LOGIN_GUESSING = "login-guessing"

"""The id of each cause a check can name: what `check` prints as its diagnosis.

The authlib ones are the lab's fault names, so a test can break the lab and
expect its name back.
"""

from __future__ import annotations

from enum import StrEnum


class DiagnosisId(StrEnum):
    # authlib: the socket, the daemon, its config, PostgreSQL, the pool
    SOCKET_MISSING = "socket-missing"
    DAEMON_STOPPED = "daemon-stopped"
    SOCKET_PERMISSION = "socket-permission"
    CONFIG_MISSING = "config-missing"
    CONFIG_UNREADABLE = "config-unreadable"
    MARKER_MISSING = "marker-missing"
    OLD_STYLE_KEYS = "old-style-keys"
    CONNECTION_MISSING = "connection-missing"
    MODULE_MISSING = "module-missing"
    DB_DOWN = "db-down"
    DB_MISSING = "db-missing"
    DB_PASSWORD_WRONG = "db-password-wrong"
    DB_ERROR = "db-error"
    SELECT_PERMISSION_DENIED = "select-permission-denied"
    SELECT_ERROR = "select-error"
    WORKERS_SATURATED = "workers-saturated"
    AUTHDAEMONRC_BAD_LINE = "authdaemonrc-bad-line"
    # Postfix's own PostgreSQL lookup tables (pgsql: maps in main.cf)
    POSTFIX_PGSQL_MAP = "postfix-pgsql-map"
    # delivery: maildrop, the mailbox, the address
    MAILDROP_BOUNCES_OUTAGES = "maildrop-bounces-outages"
    MAILDROP_NOT_SETUID = "maildrop-not-setuid"
    HOME_SYMLINK = "home-symlink"
    HOME_OUTSIDE_MAIL_ROOT = "home-outside-mail-root"
    HOME_MISSING = "home-missing"
    HOME_WRONG_OWNER = "home-wrong-owner"
    HOME_WORLD_WRITABLE = "home-world-writable"
    MAILDIR_MISSING = "maildir-missing"
    NOT_A_MAILBOX = "not-a-mailbox"
    ADDRESS_ROW_INVALID = "address-row-invalid"
    MAIL_BOUNCED = "mail-bounced"
    # the login side: a wrong password, and password guessing from one address
    LOGIN_PASSWORD_WRONG = "login-password-wrong"
    PASSWORD_GUESSING = "password-guessing"

"""The id of each wizard step: what a log signature's `step=` names and the wizard opens at."""

from __future__ import annotations

from enum import StrEnum


class WizardStep(StrEnum):
    # The socket and the daemon
    SOCKET_MISSING = "socket-missing"
    DAEMON_NOT_RUNNING = "daemon-not-running"
    SOCKET_PERMISSION = "socket-permission"
    DAEMON_START_FAILED = "daemon-start-failed"
    AUTHDAEMONRC_BAD_LINE = "authdaemonrc-bad-line"
    # The worker pool
    BACKLOG_FULL = "backlog-full"
    WORKERS_SATURATED = "workers-saturated"
    AUTHDAEMONRC_DAEMONS = "authdaemonrc-daemons"
    TEMPORARY_FAILURE = "temporary-failure"
    # authpgsql's config and modules
    CONFIG_FILE_ACCESS = "config-file-access"
    AUTHPGSQLRC_MARKER = "authpgsqlrc-marker"
    AUTHPGSQLRC_OLD_KEYS = "authpgsqlrc-old-keys"
    AUTHPGSQLRC_REQUIRED_KEYS = "authpgsqlrc-required-keys"
    MODULE_MISSING = "module-missing"
    OTHER_MODULE = "other-module"
    DEBUG_LOGIN_PASSWORDS = "debug-login-passwords"
    DEBUG_TRUNCATION = "debug-truncation"
    # PostgreSQL
    DB_DOWN = "db-down"
    DB_CREDENTIALS = "db-credentials"
    DB_CHARSET = "db-charset"
    SELECT_CLAUSE = "select-clause"
    # Delivery: maildrop, the mailbox, the address
    MAILDROP_TEMPFAIL_FLAG = "maildrop-tempfail-flag"
    MAILDROP_SETUID = "maildrop-setuid"
    MAILBOX_HOME = "mailbox-home"
    MAILDIR_MISSING = "maildir-missing"
    MAIL_DEFERRED = "mail-deferred"
    MAIL_BOUNCED = "mail-bounced"
    NOT_A_MAILBOX = "not-a-mailbox"
    DELIVERY_IDENTITY = "delivery-identity"
    DELIVERY_HOME = "delivery-home"
    DELIVERY_MAILBOX = "delivery-mailbox"
    # The host itself
    SYSTEM_RESOURCES = "system-resources"
    # The login side and Postfix's own maps
    LOGIN_FAILED = "login-failed"
    PASSWORD_GUESSING = "password-guessing"
    POSTFIX_PGSQL_MAP = "postfix-pgsql-map"

    @classmethod
    def named(cls, text: str) -> WizardStep | None:
        """The step a log signature's `step=` (plain text) names; None for "" or an unknown one."""
        try:
            return cls(text)
        except ValueError:
            return None

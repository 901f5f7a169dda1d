"""The other database modules in authdaemond: authmysql, authldap, authsqlite."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    # Before other-module-connect-failed: the server answered, but refused authmysql's login.
    Signature(
        "other-module-login-refused",
        r"^failed to connect to mysql server \(.*?\): (?:Access denied for user "
        r"|Client does not support authentication protocol)",
        Severity.ERROR,
        "MySQL refused authmysql's login: MYSQL_USERNAME or MYSQL_PASSWORD in authmysqlrc is "
        "wrong, or carries quotes or trailing blanks (the userid= in the line is what was "
        "sent), or the server wants a password scheme this client lacks.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="MySQL refused authmysql's user or password",
        sources=(
            Source(AUTHLIB, "authmysqllib.cpp",
                   "failed to connect to mysql server (server=%s, userid=%s): %s"),
        ),
        examples=("failed to connect to mysql server (server=localhost, "
                  "userid=courier): Access denied for user "
                  "'courier'@'localhost' (using password: YES)",),
        remedy=Remedy(
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
            "from authmodulelist.",
        ),
    ),
    Signature(
        "other-module-connect-failed",
        r"^(?:failed to connect to mysql server \(|authmysql: mysql_select_db\(|cannot connect to "
        r"LDAP server \(|sqll?ite3_open\(|ldap_\w+ failed: )",
        Severity.ERROR,
        "authmysql, authldap or authsqlite cannot reach its database or directory (the reason "
        "ends the line); its lookups are temporary failures.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="authmysql/authldap/authsqlite cannot reach its backend",
        sources=(
            Source(AUTHLIB, "authmysqllib.cpp",
                   "failed to connect to mysql server (server=%s, userid=%s): %s"),
            Source(AUTHLIB, "authmysqllib.cpp", "authmysql: mysql_select_db(%s) error: %s"),
            Source(AUTHLIB, "authldaplib.cpp", "cannot connect to LDAP server (%s): %s"),
        ),
        examples=("failed to connect to mysql server (server=db.example.com, "
                  "userid=courier): Unknown MySQL server host "
                  "'db.example.com' (-2)",),
        remedy=Remedy(
            "A module other than authpgsql cannot reach its server: wrong host, credentials or "
            "database in its rc file, or the server is down.",
            "The module's own rc file next to {authdaemonrc} (authmysqlrc, authldaprc) and the "
            "server's log.",
            "Correct the module's rc file or start its server, then `{restart}`; if accounts live "
            "only in PostgreSQL, remove the module from authmodulelist.",
        ),
    ),
    Signature(
        "other-module-config",
        r"^auth(?:mysql|ldap|ldaplib): (?:cannot parse|INVALID|\w+ (?:nor \w+ )?(?:and \w+ )?"
        r"(?:set|not set) in|MYSQL_\w+ (?:and|nor)|\w+ not set in)",
        Severity.ERROR,
        "authmysqlrc or authldaprc lacks a required setting or has an invalid one; the module "
        "cannot work.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="authmysqlrc/authldaprc setting missing or invalid",
        sources=(
            Source(AUTHLIB, "authmysqllib.cpp", "authmysql: MYSQL_USERNAME not set in %s"),
            Source(AUTHLIB, "authmysqllib.cpp",
                   "authmysql: MYSQL_CRYPT_PWFIELD and MYSQL_CLEAR_PWFIELD not set in %s"),
        ),
        examples=("authmysql: MYSQL_USERNAME not set in /etc/courier/authmysqlrc.",),
        remedy=Remedy(
            "The module's rc file (authmysqlrc, authldaprc) misses a required key or has an "
            "invalid value.",
            "`grep -v '^#' ` the module's rc file next to {authdaemonrc}.",
            "Add or correct the key the line names, then `{restart}`; if the module is not used, "
            "remove it from authmodulelist.",
        ),
    ),
)

FAMILY = Family("other_modules", Channel.AUTHDAEMOND, SIGNATURES)

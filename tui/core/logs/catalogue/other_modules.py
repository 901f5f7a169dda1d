"""The other database modules in authdaemond: authmysql, authldap, authsqlite, authuserdb."""

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
    # authuserdb (the userdb.dat module) writes these only with DEBUG_LOGIN set; its entry
    # lines print database text after the part matched here.
    Signature(
        "other-module-userdb-incomplete",
        r"^userdb: required value '(?:home|uid|gid)' is missing",
        Severity.ERROR,
        "authuserdb found the name in userdb.dat, but its entry lacks a home, uid or gid, so "
        "the module rejects it: mail to it and logins to it fail unless a later module in "
        "authmodulelist knows it.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="the userdb entry lacks home, uid or gid",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: required value 'home' is missing"),
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: required value 'uid' is missing"),
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: required value 'gid' is missing"),
        ),
        examples=("userdb: required value 'home' is missing",
                  "userdb: required value 'gid' is missing"),
        remedy=Remedy(
            "The account's entry in the userdb file was written without home=, uid= or gid=.",
            "`userdb NAME show` on the name that was looked up.",
            "`userdb NAME set home=HOME uid=UID gid=GID`, then `makeuserdb`; or remove "
            "authuserdb from authmodulelist in {authdaemonrc} when the accounts live in "
            "PostgreSQL.",
        ),
    ),
    Signature(
        "other-module-userdb-unreadable",
        r"^userdb: (?:unable to stat|failed to open) /",
        Severity.WARNING,
        "authuserdb is listed in authmodulelist but its userdb.dat is missing or unreadable, so "
        "it answers nothing and authdaemond asks the next module. Harmless when the accounts "
        "are in PostgreSQL; a lost userdb when they were meant to be in it.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="authuserdb's userdb.dat is missing or unreadable",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: unable to stat %s: %s"),
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: failed to open %s"),
        ),
        examples=("userdb: unable to stat /etc/courier/userdb.dat: No such file or directory",
                  "userdb: failed to open /etc/courier/userdb.dat"),
        remedy=Remedy(
            "authmodulelist names authuserdb, and the userdb.dat next to {authdaemonrc} was "
            "never built (makeuserdb) or cannot be read by authdaemond.",
            "`grep -n '^authmodulelist' {authdaemonrc}`; `ls -l` on the file in the line.",
            "Remove authuserdb from authmodulelist when the accounts are in PostgreSQL, then "
            "`{restart}`; otherwise run `makeuserdb`.",
        ),
    ),
    Signature(
        "other-module-userdb-no-password",
        r"^(?:no \S+ or systempw value in userdbshadow for |authcram: no \S+ or \S+ value "
        r"found)",
        Severity.WARNING,
        "authuserdb knows the account but its userdbshadow.dat holds no password for this "
        "service (nor systempw, nor a CRAM secret for a CRAM login), so the login fails.",
        wizard_step=WizardStep.OTHER_MODULE,
        short="the userdb account has no password for this service",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "preauthuserdbcommon.c",
                   "no %s or systempw value in userdbshadow for %s"),
            Source(AUTHLIB, "authuserdb.c", "authcram: no %s-%s or %s value found"),
        ),
        examples=("no imappw or systempw value in userdbshadow for joe",
                  "authcram: no imap-hmac-md5pw or hmac-md5pw value found"),
        remedy=Remedy(
            "The entry was made without a password for this service: `userdbpw` was not run "
            "for it, or only another service's password (e.g. pop3pw) was set.",
            "`userdb NAME show` lists the NAMEpw fields the entry has.",
            "`userdbpw | userdb NAME set systempw`, then `makeuserdb`.",
        ),
    ),
)

FAMILY = Family("other_modules", Channel.AUTHDAEMOND, SIGNATURES)

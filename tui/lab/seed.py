"""The lab's data: ApisCP's schema and SELECT clause, with the seed document's accounts.

The routing table is the one in the seed document (`foo@` and `baz@` are
mailboxes of system user `bar`, `postmaster@` is an alias), plus a disabled
mailbox and a catch-all domain, so every explanation the lookup gives has a
real row behind it.
"""

from __future__ import annotations

# Distinctive values, so a test or a hook can grep screenshots and reports for them.
LAB_DB_USER = "postfix"
LAB_DB_NAME = "appldb"
LAB_DB_PASSWORD = "LabDbPw-5e1f0c"
LAB_WRONG_DB_PASSWORD = "WrongDbPw-9a2d"
LAB_MAILBOX_PASSWORD = "LabMailPw-77b3"
# MD5-crypt of LAB_MAILBOX_PASSWORD (`openssl passwd -1 -salt lab5e1f0`): Debian's
# authlib 0.71 checks $1$ hashes itself; a glibc $6$ hash was answered FAIL here.
LAB_MAILBOX_CRYPT = "$1$lab5e1f0$HTR.AG6CV1jdSn3mReVF4."
SECRETS = (LAB_DB_PASSWORD, LAB_WRONG_DB_PASSWORD, LAB_MAILBOX_PASSWORD, LAB_MAILBOX_CRYPT)

# ApisCP's mail/configure-courier-authlib vars (domain.md §7.2), one physical line as templated.
APISCP_SELECT_CLAUSE = (
    "SELECT username, cryptpw, clearpw, uid, gid, home, maildir, quota, fullname, options FROM "
    "(SELECT uids.user||'@$(domain)' as username, NULL as cryptpw, NULL as clearpw, uid as uid, "
    "gid as gid, '/home/'||uids.user||'/' as home, "
    "'Mail/'||COALESCE('.'||fs_destination,'') as maildir, NULL as quota, NULL as fullname, "
    "NULL as options, enabled, CASE WHEN (email_lookup.user = '') THEN 2 ELSE 1 END as pri "
    "FROM email_lookup JOIN uids USING(uid) JOIN gids USING(site_id) JOIN domain_lookup "
    "USING(domain) WHERE ( email_lookup.\"user\" = '$(local_part)' AND email_lookup.domain = "
    "'$(domain)' OR email_lookup.\"user\" = '' AND email_lookup.domain = '$(domain)' ) AND "
    "email_lookup.type = 'v' ORDER BY PRI LIMIT 1) AS master WHERE enabled = 1::bit"
)


def select_clause(*, with_passwords: bool = False, sleep_seconds: float = 0.0) -> str:
    """ApisCP's clause, optionally returning passwords or made slow with pg_sleep."""
    clause = APISCP_SELECT_CLAUSE
    if with_passwords:
        clause = clause.replace(
            "NULL as cryptpw, NULL as clearpw",
            "lab_passwords.cryptpw as cryptpw, lab_passwords.clearpw as clearpw",
        ).replace(
            "JOIN domain_lookup USING(domain) WHERE",
            "JOIN domain_lookup USING(domain) LEFT JOIN lab_passwords "
            "ON lab_passwords.pw_uid = email_lookup.uid WHERE",
        )
    if sleep_seconds > 0:
        # An uncorrelated sub-select runs once per query: every lookup takes this long.
        clause += f" AND (SELECT 1 FROM pg_sleep({sleep_seconds:g})) = 1"
    return clause


SCHEMA_SQL = """
CREATE TABLE domain_lookup (domain text PRIMARY KEY, site_id integer NOT NULL);
CREATE TABLE gids (site_id integer PRIMARY KEY, gid integer NOT NULL);
CREATE TABLE uids (uid integer PRIMARY KEY, "user" text NOT NULL, site_id integer NOT NULL);
CREATE TABLE email_lookup (
    "user" text NOT NULL,
    domain text NOT NULL REFERENCES domain_lookup(domain),
    uid integer REFERENCES uids(uid),
    type char(1) NOT NULL DEFAULT 'v' CHECK (type IN ('v', 'a')),
    fs_destination text,
    alias_destination text,
    enabled bit(1) NOT NULL DEFAULT 1::bit,
    PRIMARY KEY ("user", domain)
);
CREATE TABLE lab_passwords (pw_uid integer PRIMARY KEY, cryptpw text, clearpw text);
"""

SEED_SQL = """
INSERT INTO domain_lookup VALUES ('domain.com', 2), ('catchall.example', 3);
INSERT INTO gids VALUES (2, 1000), (3, 1001);
INSERT INTO uids VALUES (21015, 'bar', 2), (21020, 'qux', 3);
INSERT INTO email_lookup ("user", domain, uid, type, fs_destination, alias_destination, enabled)
VALUES
    ('foo', 'domain.com', 21015, 'v', NULL, NULL, 1::bit),
    ('baz', 'domain.com', 21015, 'v', NULL, NULL, 1::bit),
    ('postmaster', 'domain.com', NULL, 'a', NULL, 'foo@domain.com', 1::bit),
    ('off', 'domain.com', 21015, 'v', NULL, NULL, 0::bit),
    ('', 'catchall.example', 21020, 'v', 'Catchall', NULL, 1::bit);
"""

# Group file for the lab: gid → ApisCP admin group → site (getent group 1000 → admin2).
GROUP_LINES = ("admin2:x:1000:", "admin3:x:1001:")
# (site, system user, uid) trees created under the lab's /home/virtual.
SITE_HOMES = (("site2", "bar", 21015, 1000), ("site3", "qux", 21020, 1001))
# The domains in domain_lookup: the lab's Postfix routes them to maildrop.
MAIL_DOMAINS = ("domain.com", "catchall.example")
# The mailbox the delivery faults break (foo@ and baz@ both live in bar's home).
DELIVERY_USER, DELIVERY_UID, DELIVERY_GID = "bar", 21015, 1000

"""The lab's data: ApisCP's schema and SELECT clause, with the accounts of ApisCP's Authlib page.

The routing table is the example of ApisCP's Authlib documentation (`foo@` and `baz@` are
mailboxes of system user `bar`, `postmaster@` is an alias), plus a disabled
mailbox, a catch-all domain and mailboxes whose local parts carry `=` the way
SRS and VERP addresses do, so every explanation the lookup gives has a real row
behind it.

ApisCP's SELECT builds uid, gid and home from typed columns, so it can never
return an empty home or a non-numeric uid. Other schemas can, and authlib
judges such rows in its own way (FAIL for an empty or NULL home, a temporary
failure for a NULL or non-numeric uid/gid, only the first of several rows). The
lab's clause therefore appends the rows of `lab_odd_accounts` (domain
`odd.example`) to ApisCP's, one address per judgement.
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

# ApisCP's mail/configure-courier-authlib role's SELECT, one physical line as templated.
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


ODD_DOMAIN = "odd.example"
# The delivery client reads at most this many bytes of a reply (its BUFSIZ minus the NUL).
CLIENT_REPLY_LIMIT = 8191


def _maildir_for_reply_of(size: int, local_part: str) -> str:
    """A maildir that makes the daemon's reply for local_part@ODD_DOMAIN exactly `size` bytes."""
    fixed = (
        f"UID=21015\nGID=1000\nHOME=/home/bar/\nADDRESS={local_part}@{ODD_DOMAIN}\n"
        "NAME=\nMAILDIR=\n.\n"
    )
    return "Mail/" + "x" * (size - len(fixed) - len("Mail/"))


# The rows authlib judges in its own way, each under its own address (see the module docstring).
ODD_ACCOUNTS: tuple[tuple[str, str | None, str | None, str | None, str], ...] = (
    # (local part, uid, gid, home, maildir): text columns, as a hand-made schema may have them
    ("home-null", "21015", "1000", None, "Mail/"),
    ("home-empty", "21015", "1000", "", "Mail/"),
    ("uid-null", None, "1000", "/home/bar/", "Mail/"),
    ("uid-text", "bar", "1000", "/home/bar/", "Mail/"),
    ("gid-null", "21015", None, "/home/bar/", "Mail/"),
    ("gid-text", "21015", "admin2", "/home/bar/", "Mail/"),
    ("two-rows", "21015", "1000", "/home/bar/", "Mail/.First"),
    ("two-rows", "21015", "1000", "/home/bar/", "Mail/.Second"),
    # A line break inside a value: the reply then carries MAILDIR and HOME twice.
    ("key-repeated", "21015", "1000", "/home/bar/",
     "Mail/\nMAILDIR=Mail/.Second\nHOME=/home/elsewhere/"),
    # Replies of exactly the client's limit, one byte more (only the final newline is lost,
    # the '.' is still read) and two bytes more (the '.' is lost: a temporary failure).
    ("reply-8191", "21015", "1000", "/home/bar/",
     _maildir_for_reply_of(CLIENT_REPLY_LIMIT, "reply-8191")),
    ("reply-8192", "21015", "1000", "/home/bar/",
     _maildir_for_reply_of(CLIENT_REPLY_LIMIT + 1, "reply-8192")),
    ("reply-8193", "21015", "1000", "/home/bar/",
     _maildir_for_reply_of(CLIENT_REPLY_LIMIT + 2, "reply-8193")),
)
# Mailboxes whose local part has '=' (an SRS0 rewrite, a VERP bounce address, a plain one).
EQUALS_MAILBOXES = ("a=b", "SRS0=HHH=TT=example.org=user", "bounce+user=example.org")

# ApisCP's integer uid/gid become text so its rows and the odd ones form one result.
_WITH_ODD_ROWS = (
    "SELECT username, cryptpw, clearpw, uid::text, gid::text, home, maildir, quota, fullname, "
    "options FROM ({apiscp}) AS apiscp UNION ALL (SELECT '$(local_part)@$(domain)', NULL, "
    "NULL, uid, gid, home, maildir, NULL, NULL, NULL FROM lab_odd_accounts WHERE "
    "local_part = '$(local_part)' AND domain = '$(domain)' ORDER BY position)"
)


def select_clause(*, with_passwords: bool = False, sleep_seconds: float = 0.0) -> str:
    """ApisCP's clause with the odd rows appended, optionally returning passwords or slow."""
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
    return _WITH_ODD_ROWS.format(apiscp=clause)


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
CREATE VIEW lab_mailboxes AS
    SELECT email_lookup."user" || '@' || email_lookup.domain AS username,
           lab_passwords.cryptpw, lab_passwords.clearpw, uid, gid,
           '/home/' || uids."user" || '/' AS home,
           'Mail/' || COALESCE('.' || fs_destination, '') AS maildir,
           NULL::text AS quota, NULL::text AS fullname, NULL::text AS options
    FROM email_lookup JOIN uids USING (uid) JOIN gids USING (site_id)
    LEFT JOIN lab_passwords ON lab_passwords.pw_uid = email_lookup.uid
    WHERE email_lookup.type = 'v' AND enabled = 1::bit;

CREATE TABLE lab_odd_accounts (
    position serial PRIMARY KEY, local_part text NOT NULL, domain text NOT NULL,
    uid text, gid text, home text, maildir text
);
"""

# A clause short enough for courierlogger's 511-byte lines, so DEBUG_LOGIN's lines after the
# `SQL query:` line are not lost (with ApisCP's long clause they usually are).
SHORT_SELECT_CLAUSE = (
    "SELECT username, cryptpw, clearpw, uid, gid, home, maildir, quota, fullname, options "
    "FROM lab_mailboxes WHERE username = '$(local_part)@$(domain)'"
)

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
    ('', 'catchall.example', 21020, 'v', 'Catchall', NULL, 1::bit),
    ('a=b', 'domain.com', 21015, 'v', NULL, NULL, 1::bit),
    ('SRS0=HHH=TT=example.org=user', 'domain.com', 21015, 'v', NULL, NULL, 1::bit),
    ('bounce+user=example.org', 'domain.com', 21015, 'v', NULL, NULL, 1::bit);
"""

# Group file for the lab: gid → ApisCP admin group → site (getent group 1000 → admin2).
GROUP_LINES = ("admin2:x:1000:", "admin3:x:1001:")
# (site, system user, uid) trees created under the lab's /home/virtual.
SITE_HOMES = (("site2", "bar", 21015, 1000), ("site3", "qux", 21020, 1001))
# The domains in domain_lookup: the lab's Postfix routes them to maildrop.
MAIL_DOMAINS = ("domain.com", "catchall.example")
# The mailbox the delivery faults break (foo@ and baz@ both live in bar's home).
DELIVERY_USER, DELIVERY_UID, DELIVERY_GID = "bar", 21015, 1000

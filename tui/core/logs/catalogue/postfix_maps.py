"""Postfix's own lines about its PostgreSQL maps and its pipe service's settings.

On ApisCP Postfix looks domains and aliases up in the same database as authpgsql
(`pgsql:` maps in main.cf); when those lookups fail, Postfix defers the mail itself,
before maildrop or authdaemond is ever asked.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import POSTFIX
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

_MAP_CONFIRM = ("`postmap -q example.com pgsql:FILE` runs the map's query the way Postfix does; "
                "`postconf | grep pgsql:` lists the maps.")

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "postfix-pgsql-connect-failed",
        r"^warning: connect to pgsql server (?P<host>\S+): ",
        Severity.ERROR,
        "A Postfix pgsql: map cannot reach PostgreSQL (libpq's reason follows): lookups of "
        "domains or aliases fail and Postfix defers the mail before delivery starts.",
        wizard_step=WizardStep.POSTFIX_PGSQL_MAP,
        short="Postfix's pgsql map cannot reach PostgreSQL",
        logged_at="warning",
        sources=(Source(POSTFIX, "src/global/dict_pgsql.c", "connect to pgsql server %s: %s"),),
        examples=('warning: connect to pgsql server localhost: connection to server at '
                  '"127.0.0.1", port 5432 failed: Connection refused',),
        remedy=Remedy(
            "The hosts= or the credentials in the map's .cf file do not reach PostgreSQL: the "
            "server is down, or the user/password/dbname there are wrong (libpq's text says "
            "which).",
            _MAP_CONFIRM,
            "Start PostgreSQL (`{start_database}`) or correct hosts, user, password and dbname "
            "in the map file; Postfix retries by itself.",
        ),
    ),
    Signature(
        "postfix-map-lookup-problem",
        r"^(?:fatal|warning|error): (?:\S+: )?(?:table )?pgsql:(?P<file>\S+?):? "
        r"(?:table lookup problem|lookup error for |query error\b)",
        Severity.ERROR,
        "A Postfix pgsql: map could not answer (database down or its query failing), so Postfix "
        "defers the mail; a `fatal:` stops that Postfix process, which restarts and tries again.",
        wizard_step=WizardStep.POSTFIX_PGSQL_MAP,
        short="a Postfix pgsql map lookup failed: mail deferred",
        sources=(
            Source(POSTFIX, "src/util/match_ops.c", "%s:%s: table lookup problem"),
            Source(POSTFIX, "src/global/maps.c", '%s:%s lookup error for "%s"'),
            # postmap -q and postalias -q, the way `check` and an admin ask a map.
            Source(POSTFIX, "src/postmap/postmap.c", "table %s:%s: query error: %m"),
            Source(POSTFIX, "src/postalias/postalias.c", "table %s:%s: query error: %m"),
        ),
        examples=("fatal: pgsql:/etc/postfix/pgsql-domains.cf: table lookup problem",
                  "warning: virtual_mailbox_domains: pgsql:/etc/postfix/pgsql-domains.cf: "
                  "table lookup problem",
                  'warning: pgsql:/etc/postfix/pgsql-aliases.cf lookup error for '
                  '"joe@example.com"',
                  "fatal: table pgsql:/etc/postfix/pgsql-domains.cf: query error: Operation now "
                  "in progress"),
        remedy=Remedy(
            "The map named in the line could not run its query: PostgreSQL is down or refuses "
            "the map's credentials (a `connect to pgsql server` warning just before says so), "
            "or the query in the file fails.",
            _MAP_CONFIRM,
            "Fix what the warning before it names (database down, credentials in the .cf file, "
            "the query), then `postfix flush` to retry the deferred mail.",
        ),
    ),
    Signature(
        "postfix-pgsql-query-failed",
        r"^warning: pgsql query failed: ",
        Severity.ERROR,
        "A Postfix pgsql: map's query reached the server but failed (a missing table or column, "
        "no permission): its lookups fail and mail is deferred.",
        wizard_step=WizardStep.POSTFIX_PGSQL_MAP,
        short="a Postfix pgsql map's query fails",
        logged_at="warning",
        sources=(Source(POSTFIX, "src/global/dict_pgsql.c",
                        "pgsql query failed: fatal error from host %s: %s"),),
        examples=("warning: pgsql query failed: fatal error from host localhost: ERROR:  "
                  'relation "domains" does not exist',),
        remedy=Remedy(
            "The query= in the map file names a table or column that is not there, or the map's "
            "database user may not read it.",
            _MAP_CONFIRM,
            "Correct query= in the map file (or GRANT SELECT to its user); no reload is needed.",
        ),
    ),
    Signature(
        "postfix-pgsql-encoding",
        r"^warning: dict_pgsql: cannot set the encoding to ",
        Severity.WARNING,
        "A Postfix pgsql: map skipped a database host whose encoding it could not set.",
        wizard_step=WizardStep.POSTFIX_PGSQL_MAP,
        short="a Postfix pgsql map host skipped: encoding",
        logged_at="warning",
        sources=(Source(POSTFIX, "src/global/dict_pgsql.c",
                        "dict_pgsql: cannot set the encoding to %s, skipping %s"),),
        examples=("warning: dict_pgsql: cannot set the encoding to UTF8, skipping localhost",),
        remedy=Remedy(
            "The map's encoding= (UTF8 by default) is one the server cannot use.",
            _MAP_CONFIRM,
            "Set encoding= in the map file to one the database accepts.",
        ),
    ),
    Signature(
        "postfix-pipe-unknown-user",
        r"^fatal: get_service_attr: unknown (?:username|group): ",
        Severity.ERROR,
        "master.cf's pipe service (the one that runs maildrop) names a user= or group that does "
        "not exist: every delivery through it fails before maildrop runs.",
        wizard_step=WizardStep.DELIVERY_IDENTITY,
        short="the pipe service's user= does not exist",
        sources=(
            Source(POSTFIX, "src/pipe/pipe.c", "%s: unknown username: %s"),
            Source(POSTFIX, "src/pipe/pipe.c", "%s: unknown group: %s"),
        ),
        examples=("fatal: get_service_attr: unknown username: vmail",),
        remedy=Remedy(
            "The `user=` of the maildrop service in master.cf names an account this host does "
            "not have (a typo, or the mail user was never created).",
            "`postconf -M | grep maildrop`; `getent passwd NAME`.",
            "Create the user ({mail_user}) or correct user= in master.cf, then `postfix reload`.",
        ),
    ),
    # The pipe's own clock: transport_time_limit (default 1000 s) ran out while maildrop
    # ran. pipe(8) kills it and bounces the mail (dsn 5.3.0), unlike maildrop's own
    # timeout, which defers.
    Signature(
        "postfix-pipe-time-limit",
        r"^\w+: to=<[^>]*>, (?:orig_to=<[^>]*>, )?relay=\S+, .*?\bstatus=bounced "
        r"\(Command time limit exceeded: ",
        Severity.ERROR,
        "maildrop ran longer than the pipe service's time limit, so Postfix killed it and "
        "bounced the mail: it is lost for the sender. The lookup cannot take that long (the "
        "client gives up after about 30 s); a mail filter's command, a mailbox lock or a hung "
        "disk held maildrop.",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="maildrop ran past the pipe's time limit: bounced, the mail is lost",
        mail_lost=True,
        sources=(Source(POSTFIX, "src/global/pipe_command.c",
                        'Command time limit exceeded: "%s"%s%s'),),
        examples=('5CA13C0F12: to=<joe@example.com>, relay=vmaildrop, delay=1000, '
                  'delays=0.05/0.01/0/1000, dsn=5.3.0, status=bounced (Command time limit '
                  'exceeded: "/usr/bin/maildrop")',),
        remedy=Remedy(
            "maildrop did not finish within the pipe's time limit (the transport's "
            "NAME_time_limit, 1000 s unless set): something it waited on hung.",
            "`postconf -M` for the transport's name, then `postconf NAME_time_limit`; the "
            "mailbox's .mailfilter and its commands; `ps -o pid,etime,wchan:20,args -C "
            "maildrop` while one runs.",
            "Fix what maildrop waits on (a filter's command, a stale lock, the disk); raise the "
            "limit only for deliveries that are slow by design; ask the sender to send again.",
        ),
    ),
    Signature(
        "postfix-pipe-time-limit-warning",
        r"^warning: pipe_command_(?:read|write|wait_or_kill): (?:read|write|child wait) time "
        r"limit exceeded$",
        Severity.WARNING,
        "The pipe's time limit ran out while maildrop ran; the bounce line of the same "
        "message follows.",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="maildrop ran past the pipe's time limit",
        sources=(
            Source(POSTFIX, "src/global/pipe_command.c", "%s: read time limit exceeded"),
            Source(POSTFIX, "src/global/pipe_command.c", "%s: write time limit exceeded"),
            Source(POSTFIX, "src/global/pipe_command.c", "%s: child wait time limit exceeded"),
        ),
        examples=("warning: pipe_command_read: read time limit exceeded",
                  "warning: pipe_command_wait_or_kill: child wait time limit exceeded"),
        remedy=Remedy(
            "maildrop did not finish within the pipe's time limit; its message bounces.",
            "`postconf -M` for the transport's name, then `postconf NAME_time_limit`.",
            "Fix what maildrop waits on (a filter's command, a stale lock, the disk).",
        ),
    ),
    Signature(
        "postfix-pipe-delivered",
        r"^\w+: to=<[^>]*>, (?:orig_to=<[^>]*>, )?relay=\S+, .*?\bstatus=sent "
        r"\(delivered via \S+ service",
        Severity.INFO,
        "Postfix handed the mail to maildrop and maildrop delivered it.",
        short="delivered",
        logged_at="info",
        sources=(Source(POSTFIX, "src/pipe/pipe.c", "delivered via %s service%s"),),
        examples=("5CA13C0F12: to=<joe@example.com>, relay=vmaildrop, delay=0.12, "
                  "delays=0.05/0.01/0/0.06, dsn=2.0.0, status=sent (delivered via vmaildrop "
                  "service)",),
    ),
)

FAMILY = Family("postfix_maps", Channel.PROGRAM, SIGNATURES)

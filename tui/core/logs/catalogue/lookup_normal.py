"""What a lookup that went well logs with DEBUG_LOGIN=1|2: normal work, said to be so.

authdaemond writes these, but they are read in the program channel (explain only): the
Logs pane leaves a normal debug line without an annotation, as it always has.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "lookup-received",
        r"^received auth request, service=",
        Severity.INFO,
        "A login (imapd, pop3d, authtest with a password) asked authdaemond to check a "
        "password.",
        short="a login asked authdaemond",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authdaemond.c",
                        "received auth request, service=%s, authtype=%s"),),
        examples=("received auth request, service=imap, authtype=login",),
    ),
    Signature(
        "lookup-trying-module",
        r"^auth\w+: trying this module",
        Severity.INFO,
        "authdaemond passes the request to the next module in authmodulelist.",
        short="asking a module",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authdaemond.c", "%s: trying this module"),),
        examples=("authpgsql: trying this module",),
    ),
    Signature(
        "lookup-charset",
        r"^Using character set: ",
        Severity.INFO,
        "authpgsql set the connection's character set (PGSQL_CHARACTER_SET).",
        short="database character set",
        logged_at="debug",
        sources=(Source(AUTHLIB, "authpgsqllib.cpp", "Using character set: %s"),),
        examples=("Using character set: UTF8",),
    ),
    Signature(
        "lookup-userdb",
        r"^(?:userdb: (?:looking up '|opened /|entry not found$)|found (?:\w+pw|systempw) in "
        r"userdbshadow$)",
        Severity.INFO,
        "authuserdb, the userdb.dat module, looked the name up (a name it lacks goes on to "
        "the next module in authmodulelist).",
        short="authuserdb looked the name up",
        logged_at="debug",
        sources=(
            Source(AUTHLIB, "preauthuserdbcommon.c", "userdb: looking up '%s'"),
            Source(AUTHLIB, "preauthuserdbcommon.c", "found %s in userdbshadow"),
            Source(AUTHLIB, "preauthuserdbcommon.c", "found systempw in userdbshadow"),
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: opened %s"),
            Source(AUTHLIB, "userdb/userdb.c", "DEBUG: userdb: entry not found"),
        ),
        examples=("userdb: looking up 'joe@example.com'", "userdb: opened /etc/courier/userdb.dat",
                  "userdb: entry not found", "found imappw in userdbshadow"),
    ),
)

FAMILY = Family("lookup_normal", Channel.PROGRAM, SIGNATURES)

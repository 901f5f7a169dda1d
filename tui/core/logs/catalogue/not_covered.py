"""The strings the programs can print that no record explains, each with the reason.

Listed so that a string missing from the catalogue is a decision anyone can read
(docs/log-catalogue.md shows them beside the records), not a gap nobody noticed.
"""

from __future__ import annotations

from tui.core.logs.catalogue.programs import (
    AUTHLIB,
    AUTHTEST,
    COURIER_IMAP,
    COURIERTLS,
    MAILDROP_PROGRAM,
    POSTFIX,
)
from tui.core.logs.catalogue.source import Source, Uncovered

_ADDRESS_FOLLOWS = ("the looked-up address follows it, and an address is chosen by whoever "
                    "sends the mail: the line is left without a meaning so that no text in an "
                    "address can ever get one")
_PROXY = "Courier's IMAP/POP3 proxy mode, which this chain does not use"

NOT_COVERED: tuple[Uncovered, ...] = (
    Uncovered(Source(AUTHLIB, "authdaemond.c", "received userid lookup request: %s"),
              _ADDRESS_FOLLOWS),
    Uncovered(Source(AUTHLIB, "authpgsqllib.cpp", "SQL query: %s"),
              "it is the query itself; `authlib-tui check` (select-runs) runs it and shows the "
              "row, which says more than the line can"),
    Uncovered(Source(AUTHLIB, "debug.c",
                     "%ssysusername=%s, sysuserid=%s, sysgroupid=%ld, homedir=%s, address=%s, "),
              "its values come from the database (a full name, options), so the line is left "
              "without a meaning that database text could borrow; `authlib-tui lookup` shows "
              "the same account"),
    Uncovered(Source(AUTHLIB, "userdb/userdb.c",
                     "DEBUG: userdb: home=%s, uid=%ld, gid=%ld, shell=%s, mail=%s, quota=%s, "
                     "gecos=%s, options=%s"),
              "its values come from the userdb entry (a full name, options), so the line is "
              "left without a meaning that their text could borrow"),
    Uncovered(Source(AUTHLIB, "authuserdbpwd.c", "Password didn't match."),
              "a userdb password change (the webmail's `setpass`), not a delivery or a login; "
              "the same holds for the other lines of authuserdbpwd.c"),
    Uncovered(Source(AUTHLIB, "authdaemond.c", "enumeration terminated prematurely in module %s"),
              "enumeration lists every account (authenumerate); neither delivery nor a login "
              "uses it"),
    Uncovered(Source(AUTHLIB, "authpgsqllib.cpp", "setpass SQL failed"),
              "a password change (webmail's), not a delivery or a login; the `setpass SQL:` "
              "line before it is caught as a logged password"),
    Uncovered(Source(AUTHTEST, "authtest.c", "Encrypted Password: %s"),
              "explaining it would print the password hash back"),
    Uncovered(Source(AUTHTEST, "authtest.c", "Cleartext Password: %s"),
              "explaining it would print the password back"),
    Uncovered(Source(COURIER_IMAP, "imap/imaplogin.C", "WARN: proxy enabled, but no proxy"),
              _PROXY),
    Uncovered(Source(COURIER_IMAP, "imap/imaplogin.C", "WARN: Did not receive greeting from %s"),
              _PROXY),
    Uncovered(Source(COURIER_IMAP, "imap/imaplogin.C", "WARN: Login to %s failed"), _PROXY),
    Uncovered(Source(COURIERTLS, "tcpd/libcouriertls.c",
                     "couriertls: Mismatched SSL certificate: CN="),
              "only a TLS client checks the peer's name (Courier's outgoing SMTP); imapd-ssl and "
              "pop3d-ssl are servers"),
    Uncovered(Source(MAILDROP_PROGRAM, "maildrop/main.C",
                     "mailfilter file is owned by the wrong user."),
              "a per-user mail filter; the chain's virtual mailboxes are delivered without one"),
    Uncovered(Source(POSTFIX, "src/global/dict_pgsql.c", "%s: retrieved %d rows"),
              "logged only with Postfix's -v; the lookup worked"),
    Uncovered(Source(POSTFIX, "src/global/dict_pgsql.c",
                     "dict pgsql: (host %s) cannot escape input string: %s"),
              "one key the server's encoding cannot take; the mail is deferred like any map "
              "failure, and the `table lookup problem` line that follows is explained"),
)

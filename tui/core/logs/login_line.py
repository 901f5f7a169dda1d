"""One line of Courier IMAP/POP3's login side: who tried to log in, from where, and how it went.

imapd, pop3d and their -ssl variants (and courierpop3login) ask the same authdaemond
as maildrop; what they log is `LOGIN FAILED, user=…, ip=[…]` for a refused login,
`LOGIN, user=…, ip=[…]` for one that worked, and `authentication error: …` (perror's
text) when authlib failed temporarily. The catalogue records these messages' meanings;
this parser only takes the user and the address out of them, which the login walk and
the guessing count need. (Until the catalogue has a `LOGIN FAILED` record, it is matched
here alone.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# The syslog tags of Courier's login programs (Debian's courier-imap and courier-pop, the RPMs').
LOGIN_TAGS: tuple[str, ...] = ("imapd", "imapd-ssl", "pop3d", "pop3d-ssl", "courierpop3login",
                               "couriertls", "imaplogin")
_LOGIN = re.compile(r"^(?:INFO: )?(?P<what>LOGIN FAILED|LOGIN), user=(?P<user>[^,]*), "
                    r"ip=\[(?P<ip>[^\]]*)\]")
_TEMPFAIL = re.compile(r"^(?:ERR: )?authentication error: (?P<error>.*)$")


class LoginEvent(StrEnum):
    FAILED = "failed"  # authlib said no: a wrong password, or no such user
    LOGGED_IN = "logged-in"
    TEMPFAIL = "tempfail"  # authlib failed temporarily; the client was told to retry


@dataclass(frozen=True)
class LoginLine:
    event: LoginEvent
    user: str = ""  # as the client sent it: outside text
    ip: str = ""  # `::ffff:` is dropped from IPv4 addresses, as a firewall rule names them
    error: str = ""  # the text after `authentication error: `


def parse_login_message(message: str) -> LoginLine | None:
    """The login event in one message of a login program (the text after `imapd: `)."""
    match = _LOGIN.match(message)
    if match is not None:
        event = LoginEvent.FAILED if match.group("what") == "LOGIN FAILED" else (
            LoginEvent.LOGGED_IN)
        return LoginLine(event, match.group("user"), match.group("ip").removeprefix("::ffff:"))
    tempfail = _TEMPFAIL.match(message)
    if tempfail is not None:
        return LoginLine(LoginEvent.TEMPFAIL, error=tempfail.group("error").strip())
    return None

"""One line of Courier IMAP/POP3's login side: who tried to log in, from where, and how it went.

imapd, pop3d and their -ssl variants (and courierpop3login) ask the same authdaemond
as maildrop; what they log is `LOGIN FAILED, user=…, ip=[…]` for a refused login,
`LOGIN, user=…, ip=[…]` for one that worked, and `authentication error: …` (perror's
text) when authlib failed temporarily. The catalogue's records own those patterns
(their named groups hold the user, the address and the error); this module only says
which record is which event, for the login walk and the guessing count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.core.logs.catalogue.registry import SIGNATURES_BY_ID
from tui.core.logs.matcher.compiled import compiled
from tui.core.logs.matcher.text import message_text

# The syslog tags of Courier's login programs (Debian's courier-imap and courier-pop, the RPMs').
LOGIN_TAGS: tuple[str, ...] = ("imapd", "imapd-ssl", "pop3d", "pop3d-ssl", "courierpop3login",
                               "couriertls", "imaplogin")


class LoginEvent(StrEnum):
    FAILED = "failed"  # authlib said no: a wrong password, or no such user
    LOGGED_IN = "logged-in"
    TEMPFAIL = "tempfail"  # authlib failed temporarily; the client was told to retry


# The catalogue record of each event, tried in this order.
_RECORDS: tuple[tuple[str, LoginEvent], ...] = (
    ("login-failed", LoginEvent.FAILED),
    ("imap-login", LoginEvent.LOGGED_IN),
    ("login-tempfail", LoginEvent.TEMPFAIL),
)
_PATTERNS = tuple((compiled(SIGNATURES_BY_ID[record]), event) for record, event in _RECORDS)


@dataclass(frozen=True)
class LoginLine:
    event: LoginEvent
    user: str = ""  # as the client sent it: outside text
    ip: str = ""  # `::ffff:` is dropped from IPv4 addresses, as a firewall rule names them
    error: str = ""  # the text after `authentication error: `


def parse_login_message(message: str) -> LoginLine | None:
    """The login event in one message of a login program (the text after `imapd: `): a
    refusal or a login names its user and address, a temporary failure its error."""
    text = message_text(message)
    for pattern, event in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        if event is LoginEvent.TEMPFAIL:
            return LoginLine(event, error=match.group("error").strip())
        if match.group("user") is None:
            return None  # a SASL refusal (`method=`) or a line without its address
        return LoginLine(event, match.group("user"), match.group("ip").removeprefix("::ffff:"))
    return None

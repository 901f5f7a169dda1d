"""Hide the passwords that DEBUG_LOGIN=2 (and a few other debug lines) write to the mail log.

With DEBUG_LOGIN=2 authdaemond logs `Authenticated: clearpasswd=…, passwd=…` after
every lookup, a password change logs its SQL with the new password in it, and a
failed comparison logs both passwords. Whoever reads the log reads them; authlib-tui
must not show, copy, report or record them. Masking happens where a line is read
(the syslog parser, `build_entry`) and again in the sanitiser, so every view gets
masked text whichever path the line took.

The words around a secret stay, so the line is still recognisable (and its log
signature still matches); only the values are replaced. A password can contain
anything, including `, passwd=`, so everything from the first secret to the end of
its line goes.

courierlogger logs at most 511 bytes of a line; the rest of a longer one arrives as
one or more further messages with no prefix at all. When the cut falls inside a
password, those continuations carry its rest, so masking one message at a time is
not enough: a reader that sees messages in order feeds each one's `Cut` forward and
masks a continuation whole (`secret_continues`, `resolve_newest_first`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import TypeVar

MASK = "[masked]"

# Compiled on first use (functools.cache), not at import: every process that shows text
# imports this module (the sanitiser does), the app's first frame among them, and most
# never see a line that may hold a secret.
@functools.cache
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return (
        # `Authenticated: clearpasswd=<cleartext>, passwd=<hash>` (one line per found lookup)
        (re.compile(r"clearpasswd=[^\n]*"), f"clearpasswd={MASK}, passwd={MASK}"),
        # a failed comparison: `supplied password '<typed>' does not match clearpasswd '<stored>'`
        (re.compile(r"supplied password '[^\n]*"),
         f"supplied password '{MASK}' does not match clearpasswd '{MASK}'"),
        # a password change's SQL carries the new password (cleartext and crypted)
        (re.compile(r"setpass SQL: [^\n]*"), f"setpass SQL: {MASK}"),
        # authuserdb/authcustom password change: `Old password=<old>, new password=<new>`
        (re.compile(r"Old password=[^\n]*"), f"Old password={MASK}, new password={MASK}"),
        # authldap's own comparison: `Password for <dn>: '<typed>' does not match clearpasswd '…'`
        (re.compile(r"(Password for [^\n]*?: )'[^\n]*"),
         rf"\1'{MASK}' does not match clearpasswd '{MASK}'"),
        # authldap's bind: `binding to LDAP server as DN '<dn>', password '<bindpw>'`
        (re.compile(r"(as DN '[^'\n]*', password )'[^\n]*"), rf"\1'{MASK}'"),
        # a libpq connection string's secret keywords (`password=`, `sslpassword = '…'`, …) or a
        # login line quoted in a message; a value already hidden by whoever printed it stays
        (re.compile(r"\b((?:ssl)?password|oauth_client_secret|scram_(?:client|server)_key)(\s*=\s*)"
                    r"(?!\(hidden\)|\[masked\]|\*+(?:\s|$))"
                    r"(?:'(?:[^'\\\n]|\\.)*'?|(?:\\.|[^\s\\])*)"), rf"\1\2{MASK}"),
        # a connection URI's userinfo: postgresql://user:<password>@host/db
        (re.compile(r"(postgres(?:ql)?://[^\s/@:]*:)[^\s/]*@"), rf"\1{MASK}@"),
        # an old (≤ 0.66) authpgsqlrc's `PGSQL_PASSWORD <value>` line, value to the end of it
        (re.compile(r"(\bPGSQL_PASSWORD[ \t]+)\S[^\n]*"), rf"\1{MASK}"),
    )


@functools.cache
def _may_hold_secret() -> re.Pattern[str]:
    """Text that cannot hold any of the rules' secrets: the hot path, almost no line does."""
    return re.compile(r"pass|secret|scram_|://", re.IGNORECASE)


def mask_passwords(text: str) -> str:
    """`text` with every password value replaced by MASK, wherever a password stands.

    Only a value in a password's place is replaced: a log line's password field, a
    connection string's secret keyword, a URI's userinfo, an authpgsqlrc password
    line. The same word elsewhere in the text is left alone, so nothing is mangled
    and nothing reveals the password by what it hides. This is the one masking
    function for log lines, database errors, notes, reports and recordings.
    """
    if _may_hold_secret().search(text) is None:
        return text
    for pattern, replacement in _rules():
        text = pattern.sub(replacement, text)
    return text


# -- lines courierlogger cut ------------------------------------------------------------------

COURIERLOGGER_LINE_BYTES = 511  # courierlogger reads a line into a 512-byte buffer
# It strips the priority prefix it recognises (`ALERT:`, `DEBUG:`, …) and the blanks after it,
# so the first message of a cut line is 511 bytes minus at most `ALERT: ` or `DEBUG: `.
SHORTEST_CUT_BYTES = COURIERLOGGER_LINE_BYTES - len("DEBUG: ")
CONTINUATION_MASK = f"{MASK} (the rest of a line cut inside a password)"

@functools.cache
def _cut_secrets() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where a password starts and runs to the end of its line; a keyword=value password
    whose value runs to the end of the message (possibly cut in it)."""
    return (re.compile(r"clearpasswd[= ]|supplied password '|setpass SQL: |Old password=|"
                       r", password '|Password for .*: '"),
            re.compile(r"password\s*=\s*(?:'(?:[^'\\]|\\.)*\\?|(?:[^\s\\]|\\.)*\\?)$"))
# Words that open a password field after text of any length (a DN, a connection string):
# a line cut in the middle of one leaves its rest, and the password after it, to the next
# message. The other fields open near the start of their line, within any cut.
_OPENERS = ("password=", "password '")
_SHORTEST_PARTIAL_OPENER = 3  # a line ending in `pa` is too common to read as `password=`


class Cut(Enum):
    """What courierlogger's 511-byte limit may have done to a message."""

    WHOLE = "whole"  # too short to have been cut: the message is its whole line
    PLAIN = "plain"  # may have been cut, but not inside a password
    SECRET = "secret"  # may have been cut inside a password: the next message carries its rest


def cut_of(message: str) -> Cut:
    """Whether courierlogger may have cut this (unmasked) message, and inside a password.

    Counted in UTF-8 bytes; an undecodable byte became U+FFFD, three bytes, so the
    count never comes out short of what courierlogger counted.
    """
    if len(message.encode("utf-8", errors="replace")) < SHORTEST_CUT_BYTES:
        return Cut.WHOLE
    to_end, value_at_end = _cut_secrets()
    if to_end.search(message) or value_at_end.search(message):
        return Cut.SECRET
    tail = message[-max(len(opener) for opener in _OPENERS):]
    for opener in _OPENERS:
        for length in range(_SHORTEST_PARTIAL_OPENER, len(opener)):
            if tail.endswith(opener[:length]):
                return Cut.SECRET
    return Cut.PLAIN


def secret_continues(cut: Cut, continued: bool) -> bool:
    """Whether the message after one with this `cut` continues a password.

    A continuation that was itself cut hands the password on again: everything up
    to the end of the original line is the password's.
    """
    return cut is Cut.SECRET or (continued and cut is not Cut.WHOLE)


Item = TypeVar("Item")


def resolve_newest_first(
    items: Iterable[Item], cut: Callable[[Item], Cut | None]
) -> Iterator[tuple[Item, bool]]:
    """Each item, newest first as given, with whether it continues a cut password.

    `cut` is None for items that are not the daemon's messages (they never continue
    one and pass the state on untouched). Whether a message continues a password is
    decided by the messages before it, which a newest-first reader sees only later:
    an item is held back until an older message settles it. Only a run of messages
    that may all have been cut is held at once.
    """
    held: list[tuple[Item, Cut | None]] = []  # newest first; the oldest message is undecided

    def settle(opened: bool) -> Iterator[tuple[Item, bool]]:
        decided: list[tuple[Item, bool]] = []
        for item, item_cut in reversed(held):
            if item_cut is None:
                decided.append((item, False))
                continue
            decided.append((item, opened))
            opened = secret_continues(item_cut, opened)
        held.clear()
        return reversed(decided)

    for item in items:
        item_cut = cut(item)
        if item_cut is None:
            if held:
                held.append((item, None))
            else:
                yield item, False
            continue
        if item_cut is Cut.PLAIN and held:
            held.append((item, item_cut))  # whether it hands a password on depends on its own past
            continue
        if held:
            yield from settle(item_cut is Cut.SECRET)
        held.append((item, item_cut))
    yield from settle(False)  # the oldest message's own past is out of reach: assume none

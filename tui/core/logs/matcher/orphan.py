"""The cut-off tail of an over-long authdaemond line (courierlogger's 511-byte limit)."""

from __future__ import annotations

import re

from tui.core.logs.matcher.classify import classify
from tui.core.logs.matcher.text import message_text
from tui.core.password_mask import COURIERLOGGER_LINE_BYTES

# Everything authdaemond itself starts a line with besides its catalogued messages.
_KNOWN_START = re.compile(
    r"^(?:received \w+|auth\w+: |SQL query: |Authenticated: |zero rows returned|"
    r"FAIL, all modules rejected|incomplete row|invalid value for |setpass SQL|"
    r"no password available|supplied password does not match|Using character set|"
    r"PQsendQuery failed|PQexec failed|Connection to server|modules=|"
    r"/\S+: |Error: authdaemond |ACCEPT|REJECT|TEMPFAIL)"
)
# What the cut-off middle of an SQL query looks like.
_SQL_FRAGMENT = re.compile(
    r"\b(?:SELECT|FROM|WHERE|AND|OR|JOIN|LIMIT|CONCAT|COALESCE|LOWER|UPPER)\b|[()'=]"
)


def looks_like_orphan_fragment(message: str, previous_message: str | None = None) -> bool:
    """Best effort: is this authdaemond info message the cut-off tail of a longer line?

    courierlogger logs the first 511 bytes of a long line, loses a middle chunk and
    logs the rest as its own info message, starting mid-word. Such a
    tail matches no known start. If the previous message was a `SQL query:` line cut at
    511 bytes that alone is enough; without that context the text must look like a
    fragment: it starts with a lowercase letter or punctuation, or reads like SQL.
    """
    text = message_text(message)
    if not text or classify(text) is not None or _KNOWN_START.match(text):
        return False
    if previous_message is not None:
        previous = message_text(previous_message)
        cut = len(previous.encode("utf-8", errors="replace")) >= COURIERLOGGER_LINE_BYTES - 16
        if previous.startswith("SQL query: ") and cut:
            return True
    first = text[0]
    if first.islower() or not (first.isalnum() or first in '"<['):
        return True
    return _SQL_FRAGMENT.search(text) is not None

"""What `trace` was asked about: an address, a Postfix queue ID or a Message-ID.

The query is typed by an admin or pasted from a ticket, and later shown back and
compared with log text, so it is refused up front when it cannot be any of the
three (empty, a line break, characters no queue ID has): one sentence says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Short ids are upper-case hex (10 or 11 characters seen, at least 6); long ones
# (enable_long_queue_ids) use digits and letters, 12 or more.
_QUEUE_ID = re.compile(r"^[0-9A-Za-z]{6,24}$")
_LINE_BREAKS = frozenset("\r\n\x00")
MAX_QUERY_CHARS = 998  # the longest line SMTP allows: no address or Message-ID is longer


class QueryKind(StrEnum):
    ADDRESS = "address"
    QUEUE_ID = "queue-id"
    MESSAGE_ID = "message-id"


@dataclass(frozen=True, slots=True)
class Query:
    """The query as typed (`text`) and in the form compared with the log (`key`)."""

    text: str
    kind: QueryKind

    @property
    def key(self) -> str:
        """Addresses and Message-IDs compare case-insensitively and without `<…>`."""
        if self.kind is QueryKind.QUEUE_ID:
            return self.text
        return self.text.strip("<>").lower()


class QueryError(ValueError):
    """A query that cannot be an address, a queue ID or a Message-ID; the text says why."""


def parse_query(text: str) -> Query:
    """The query's kind; QueryError (one sentence) when it can be none of them."""
    if any(char in _LINE_BREAKS for char in text):
        raise QueryError("the query holds a line break or NUL; give one address, queue ID "
                         "or Message-ID")
    stripped = text.strip()
    if not stripped:
        raise QueryError("the query is empty; give an address, a queue ID or a Message-ID")
    if len(stripped) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters; no address, "
                         "queue ID or Message-ID is")
    if stripped.startswith("<") and stripped.endswith(">") and len(stripped) > 2:
        return Query(stripped, QueryKind.MESSAGE_ID)
    if "@" in stripped:
        return Query(stripped, QueryKind.ADDRESS)
    if _QUEUE_ID.match(stripped):
        return Query(stripped, QueryKind.QUEUE_ID)
    raise QueryError(f"{stripped!r} is not an address (no @), not a Message-ID (not in <…>) "
                     "and not a queue ID (letters and digits only, 6 to 24 of them)")

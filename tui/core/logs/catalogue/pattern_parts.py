"""Pieces of pattern text more than one family writes its patterns with."""

from __future__ import annotations

# A path named in the message (captured, shortest first: a message may go on after it).
FILE = r"(?P<file>\S+?)"
# maildrop's own messages start with its program name (`/usr/bin/maildrop: `, `maildrop: `)
# or with nothing, depending on the message and the build.
MAILDROP = r"^\s*(?:\S*maildrop: )?"

"""The catalogue's records and the matcher under the names callers imported before the split.

The records live in `logs/catalogue/` (one module per family), the matching in
`logs/matcher/`; new code imports from there. This module only re-exports, so code
written against the old single module keeps working while it moves.
"""

from __future__ import annotations

from tui.core.logs.catalogue.courierlogger import ORPHAN_FRAGMENT
from tui.core.logs.catalogue.postfix_pipe import MAILDROP_TEMPFAIL_TIMEOUT, TIMEOUT_SECONDS
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.registry import (
    ALL_SIGNATURES,
    CLIENT_SIGNATURES,
    SIGNATURES,
    SIGNATURES_BY_ID,
)
from tui.core.logs.matcher.classify import classify, classify_command_output, classify_notable
from tui.core.logs.matcher.compiled import notable_bytes_at
from tui.core.logs.matcher.entry import AUTH_TAGS, classify_entry, is_pipe_tag
from tui.core.logs.matcher.orphan import looks_like_orphan_fragment
from tui.core.logs.matcher.text import LOG_INFO, message_text, priority_from_prefix

__all__ = [
    "ALL_SIGNATURES", "AUTH_TAGS", "CLIENT_SIGNATURES", "LOG_INFO", "MAILDROP_TEMPFAIL_TIMEOUT",
    "ORPHAN_FRAGMENT", "SIGNATURES", "SIGNATURES_BY_ID", "TIMEOUT_SECONDS", "Signature",
    "classify", "classify_command_output", "classify_entry", "classify_notable",
    "is_pipe_tag", "looks_like_orphan_fragment", "message_text", "notable_bytes_at",
    "priority_from_prefix",
]

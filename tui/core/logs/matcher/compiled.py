"""The catalogue compiled: each record's own regex, and the combined regexes that reject fast.

Compiled at first use (the combined ones take ~4 ms each), which the app's first
frame need not wait for.
"""

from __future__ import annotations

import functools
import re

from tui.core.findings import Severity
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.registry import CLIENT_SIGNATURES, PROGRAM_SIGNATURES, SIGNATURES
from tui.core.logs.matcher.optimiser import from_start, literal_led, unanchored_end, unnamed

Compiled = tuple[tuple[Signature, re.Pattern[str]], ...]


def compiled(signature: Signature) -> re.Pattern[str]:
    """One record's pattern, compiled (its named groups can be read from a match)."""
    return re.compile(signature.pattern)


@functools.cache
def authdaemond_patterns() -> Compiled:
    """authdaemond's records with their regexes, in match order."""
    return tuple((signature, compiled(signature)) for signature in SIGNATURES)


@functools.cache
def command_output_patterns() -> Compiled:
    """maildrop's records (read after `Command output:`) with their regexes, in match order."""
    return tuple((signature, compiled(signature)) for signature in CLIENT_SIGNATURES)


@functools.cache
def program_line_patterns() -> Compiled:
    """The other programs' records (Courier IMAP/POP3, Postfix, …) with their regexes."""
    return tuple((signature, compiled(signature)) for signature in PROGRAM_SIGNATURES)


def _notable_signatures() -> list[Signature]:
    return [signature for signature in SIGNATURES if signature.severity is not Severity.INFO]


# Every warning/error pattern in one regex: one C-level search rejects an info or debug
# line, instead of trying each record in turn from Python (the scan's hot path).
@functools.cache
def notable() -> re.Pattern[str]:
    return re.compile("|".join(
        "(?:" + unnamed(signature.pattern) + ")" for signature in _notable_signatures()))


# The same, on raw bytes at the start of a message (leading `^` dropped: the caller matches at
# the message's offset in a large block, so nothing is sliced or decoded for the many lines
# that are not warnings). Only exact for ASCII text: \w and \s differ on bytes. Each pattern
# is spread into alternatives that start with a literal, which makes rejecting a debug line
# several times cheaper (the scan tries this on every authdaemond line of a log).
@functools.cache
def notable_bytes_at() -> re.Pattern[bytes]:
    return re.compile(
        rb"[ \t]*(?:message repeated \d+ times: \[ ?)?"
        rb"(?:(?:ERR|WARN|ALERT|CRIT|DEBUG|INFO):[ \t]*)?(?:"
        + b"|".join(
            alternative.encode()
            for signature in _notable_signatures()
            for alternative in literal_led(unanchored_end(
                unnamed(signature.pattern).removeprefix("^")))
        )
        + b")",
        re.MULTILINE,
    )


# Any authdaemond record at all, as one regex: rejecting a line no record knows is then one
# C-level match, not a search per record from Python.
@functools.cache
def any_authdaemond() -> re.Pattern[str]:
    return re.compile("|".join(
        alternative for signature in SIGNATURES
        for alternative in literal_led(from_start(signature.pattern))
    ))

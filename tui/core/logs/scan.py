"""Count authdaemond's error lines in a whole mail log, fast enough to run on 1 GB.

The tail readers look at the end of a file; this answers "how many, in all
of it?". It reads large blocks, finds `authdaemond` with bytes.find (C speed,
like grep's literal search) and runs the signature catalogue only on those
lines, so the cost is the disk read plus the authdaemond lines themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tui.core.findings import Severity
from tui.core.logs.signatures import classify

BLOCK = 16 * 1024 * 1024
_TAG = b"authdaemond"


# `Mmm dd HH:MM:SS host authdaemond[pid]: ` or RFC 3339 `2026-11-26T… host authdaemond: `:
# the tag must stand where syslog puts it, not anywhere in an attacker-chosen message.
_HEADER = re.compile(
    rb"(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ "
    rb"authdaemond(?:\[\d+\])?: "
)


def _message_of(line: bytes) -> bytes | None:
    """The message of an authdaemond syslog line, or None for any other line."""
    match = _HEADER.match(line)
    return line[match.end():] if match else None


def count_authdaemond_errors(path: Path) -> Counter[str]:
    """Signature id → number of authdaemond lines at warning or error level."""
    counts: Counter[str] = Counter()
    carry = b""
    with path.open("rb", buffering=0) as log:
        while block := log.read(BLOCK):
            data = carry + block
            end = data.rfind(b"\n")
            if end == -1:
                carry = data
                continue
            carry = data[end + 1:]
            _count_block(data, end, counts)
    if carry:
        _count_block(carry + b"\n", len(carry), counts)
    return counts


def _count_block(data: bytes, end: int, counts: Counter[str]) -> None:
    position = data.find(_TAG, 0, end)
    while position != -1:
        start = data.rfind(b"\n", 0, position) + 1
        stop = data.find(b"\n", position)
        message = _message_of(data[start:stop])
        if message is not None:
            signature = classify(message.decode("utf-8", errors="replace"))
            if signature is not None and signature.severity is not Severity.INFO:
                counts[signature.id] += 1
        position = data.find(_TAG, stop, end)

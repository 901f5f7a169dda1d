"""Count authdaemond's error lines in a whole mail log, fast enough to run on 1 GB.

The tail readers look at the end of a file; this answers "how many, in all
of it?". One bytes regex runs over the memory-mapped file in C, and only the
lines it finds (warnings and errors) come back to Python to be classified.
"""

from __future__ import annotations

import mmap
import os
import re
from collections import Counter
from pathlib import Path

from tui.core.logs.rotated import is_compressed, rotated_lines, rotation_set
from tui.core.logs.signatures import NOTABLE_BYTES_AT, classify_notable

# `Mmm dd HH:MM:SS host authdaemond[pid]: ` or RFC 3339 `2026-11-26T… host authdaemond: `:
# the tag must stand where syslog puts it, not anywhere in an attacker-chosen message.
_HEADER = re.compile(
    rb"(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ "
    rb"authdaemond(?:\[\d+\])?: "
)


def count_authdaemond_errors(path: Path) -> Counter[str]:
    """Signature id → number of authdaemond lines at warning or error level.

    The file is memory-mapped and searched in place by one regex whose literal start
    (` authdaemond`) the engine skips to, so Python only sees the lines that are
    warnings or errors. The regex works on bytes, where \\s and \\w are ASCII; each hit
    is then classified on its decoded text, so the count is exactly `classify`'s.
    """
    counts: Counter[str] = Counter()
    seen: dict[bytes, str | None] = {}  # message → signature id: errors repeat verbatim
    with path.open("rb") as log:
        if os.fstat(log.fileno()).st_size == 0:
            return counts
        with mmap.mmap(log.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for match in _TAGGED_NOTABLE.finditer(data):
                start = data.rfind(b"\n", 0, match.start()) + 1
                header = _HEADER.match(data, start)
                if header is None or header.end() != match.end(1):
                    continue  # the tag is inside some other line's message
                _count_message(data, header.end(), counts, seen)
    return counts


def count_with_rotations(path: Path) -> Counter[str]:
    """`count_authdaemond_errors` over the file and its rotated copies (`mail.log.2.gz`, …).

    Plain files are memory-mapped as above; a compressed copy cannot be, so it is
    streamed line by line and each line checked with the same header and signature
    rules. A copy that cannot be read is left out.
    """
    counts: Counter[str] = Counter()
    seen: dict[bytes, str | None] = {}
    for file in rotation_set(path):
        if not is_compressed(file):
            try:
                counts.update(count_authdaemond_errors(file))
            except (OSError, ValueError):
                continue
            continue
        for line in rotated_lines(file, newest_first=False, include_live=True):
            if b" authdaemond" not in line.data:
                continue
            header = _HEADER.match(line.data)
            if header is not None and NOTABLE_BYTES_AT.match(line.data, header.end()):
                _count_message(line.data, header.end(), counts, seen)
    return counts


# The tag as syslog writes it, then a warning or error: a literal start lets the regex
# engine skip ahead like grep's literal search.
_TAGGED_NOTABLE = re.compile(rb"( authdaemond(?:\[\d+\])?: )" + NOTABLE_BYTES_AT.pattern,
                             re.MULTILINE)
CACHE_LIMIT = 10_000


def _count_message(
    data: mmap.mmap | bytes, start: int, counts: Counter[str], seen: dict[bytes, str | None]
) -> None:
    stop = data.find(b"\n", start)
    raw = data[start:stop if stop != -1 else len(data)]
    if raw in seen:
        signature_id = seen[raw]
    else:
        signature = classify_notable(raw.decode("utf-8", "replace"))
        signature_id = signature.id if signature is not None else None
        if len(seen) >= CACHE_LIMIT:
            seen.clear()
        seen[raw] = signature_id
    if signature_id is not None:
        counts[signature_id] += 1

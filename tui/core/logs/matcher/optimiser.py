"""Rewriting a catalogue pattern (as text) so that many can share one fast regex.

Each rewrite keeps what the pattern matches; they exist because the scan tries the
combined regex on every authdaemond line of a log, and the regex engine rejects an
alternative that starts with a literal almost for free, but must enter every group.
"""

from __future__ import annotations

import re

from tui.core.logs.matcher.regex_parts import group_end, top_level_branches

_GROUP_NAME = re.compile(r"\(\?P<\w+>")


def unnamed(pattern: str) -> str:
    """The pattern with its named groups made plain: the names would clash in one regex."""
    return _GROUP_NAME.sub("(?:", pattern)


def literal_led(pattern: str) -> list[str]:
    """The same language as alternatives that start with their first character, not a group.

    `(?:a|b)?c` becomes `ac`, `bc`, `c`: the regex engine skips an alternative whose
    first literal differs at almost no cost, but must enter every leading group.
    """
    if not pattern.startswith("(?:"):
        return [pattern]
    end = group_end(pattern, 0)
    branches = top_level_branches(pattern[3:end])
    rest = pattern[end + 1:]
    if rest.startswith("?") and not rest.startswith("??"):
        expanded = [branch + rest[1:] for branch in branches] + [rest[1:]]
    elif rest[:1] in ("*", "+", "{", "?"):
        return [pattern]  # repeated: left as it is
    else:
        expanded = [branch + rest for branch in branches]
    return [alternative for item in expanded for alternative in literal_led(item)]


def unanchored_end(pattern: str) -> str:
    """`$` (the end of the stripped text) also before blanks or a repeat's closing `]`.

    On raw bytes the text is neither stripped nor unwrapped: this accepts a little
    more than the pattern, never less, and the decoded line is classified after.
    """
    return re.sub(r"(?<!\\)\$", r"(?=[\\s\\]]|$)", pattern)


def from_start(pattern: str) -> str:
    """A pattern for `match` that finds what `search` with `pattern` finds (names dropped)."""
    plain = unnamed(pattern)
    return plain[1:] if plain.startswith("^") else f"(?s:.*?){plain}"

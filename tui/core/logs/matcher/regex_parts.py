"""Splitting a regex's text into its groups and alternatives, without compiling it.

The matcher rewrites the catalogue's patterns so each alternative starts with a literal
(the scan's fast path), and the logs bench translates them to grep's ERE; both walk a
pattern the same way: escapes skipped, character classes skipped, groups counted.
"""

from __future__ import annotations

from collections.abc import Iterator


def _structure(text: str, start: int) -> Iterator[tuple[int, str, int]]:
    """(index, char, depth) of each `(`, `)` and `|` outside escapes and classes, from
    `start`; depth counts the groups open after the char (a `(` is inside its group)."""
    depth, index, in_class = 0, start, False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[char]
            yield index, char, depth
        index += 1


def group_end(text: str, start: int) -> int:
    """Index of the `)` that closes the group opening at `start` (escapes and classes skipped)."""
    for index, char, depth in _structure(text, start):
        if char == ")" and depth == 0:
            return index
    raise ValueError(f"unbalanced group in {text!r}")


def top_level_branches(body: str) -> list[str]:
    """`a|b|c` split at the bars outside any group or class."""
    bars = [index for index, char, depth in _structure(body, 0) if char == "|" and depth == 0]
    return [body[begin:end] for begin, end in zip([0, *(bar + 1 for bar in bars)],
                                                    [*bars, len(body)], strict=True)]

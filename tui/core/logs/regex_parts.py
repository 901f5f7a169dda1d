"""Splitting a regex's text into its groups and alternatives, without compiling it.

The signature catalogue rewrites its patterns so each alternative starts with a literal
(the scan's fast path), and the logs bench translates them to grep's ERE; both walk a
pattern the same way: escapes skipped, character classes skipped, groups counted.
"""

from __future__ import annotations


def group_end(text: str, start: int) -> int:
    """Index of the `)` that closes the group opening at `start` (escapes and classes skipped)."""
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
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unbalanced group in {text!r}")


def top_level_branches(body: str) -> list[str]:
    """`a|b|c` split at the bars outside any group or class."""
    branches, start, depth, index, in_class = [], 0, 0, 0, False
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            branches.append(body[start:index])
            start = index + 1
        index += 1
    return [*branches, body[start:]]

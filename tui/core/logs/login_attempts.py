"""Many failed logins from one address in a short time: password guessing, not an authlib fault.

A user who mistypes a password fails a few times; a client with a stale saved password
fails at every poll; a guesser fails hundreds of times, usually with many user names.
Counted per address within a sliding window, so the verdict names who is guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.logs.login_line import LoginEvent, LoginLine

GUESSING_WINDOW = 600.0  # seconds
GUESSING_FAILURES = 10  # this many failures from one address within the window


@dataclass(frozen=True)
class Guesser:
    ip: str
    failures: int  # within its busiest window
    users: tuple[str, ...]  # the user names it tried there, first seen first
    first: float
    last: float


def guessers(attempts: Iterable[tuple[float, LoginLine]],
             window: float = GUESSING_WINDOW, failures: int = GUESSING_FAILURES
             ) -> tuple[Guesser, ...]:
    """The addresses whose failed logins within `window` seconds reach `failures` (most first)."""
    by_ip: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for at, line in attempts:
        if line.event is LoginEvent.FAILED and line.ip:
            by_ip[line.ip].append((at, line.user))
    found: list[Guesser] = []
    for ip, tries in by_ip.items():
        tries.sort()
        best: tuple[int, int] = (0, 0)  # (start, end) indexes of the busiest window
        start = 0
        for end in range(len(tries)):
            while tries[end][0] - tries[start][0] > window:
                start += 1
            if end - start + 1 > best[1] - best[0]:
                best = (start, end + 1)
        busiest = tries[best[0]:best[1]]
        if len(busiest) >= failures:
            users = tuple(dict.fromkeys(user for _at, user in busiest))
            found.append(Guesser(ip, len(busiest), users, busiest[0][0], busiest[-1][0]))
    return tuple(sorted(found, key=lambda guesser: -guesser.failures))

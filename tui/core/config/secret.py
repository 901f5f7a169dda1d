"""A string that never prints: database passwords, PASSWD/PASSWD2 values.

`str()`, `repr()` and f-strings all give the mask; only `reveal()` gives the value,
so a secret can reach a screen, a log or a report only by a visible, greppable call.
"""

from __future__ import annotations

MASK = "(hidden)"


class Secret:
    """Holds a secret value; every rendering of it is masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value: call only where the user asked for it (e.g. `--show-secrets`)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")

"""Short human durations for lists and cells, with no imports: the first frame needs them."""

from __future__ import annotations


def age_text(seconds: float) -> str:
    """A short age for a list: "12 s", "4 min", "3 h", "2 d" (rounded down)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        return f"{whole // 3600} h"
    return f"{whole // 86400} d"


def seconds_text(seconds: float) -> str:
    """A latency: "12 ms" under a second, "1.4 s" above."""
    if seconds < 1.0:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"

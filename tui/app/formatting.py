"""Values that change from run to run (latency, ages, clock), formatted in one place.

Snapshot tests freeze these functions, the way Harlequin freezes its clock.
"""

from __future__ import annotations

import time

from tui.core.durations import age_text


def latency_text(milliseconds: float) -> str:
    return f"{milliseconds:.1f} ms"


def age(seconds_since: float) -> str:
    return age_text(max(0.0, time.time() - seconds_since))


def clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def now() -> float:
    return time.time()

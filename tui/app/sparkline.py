"""Text sparklines: one character per bucket, readable without colour and in 80 columns."""

from __future__ import annotations

import math
from collections.abc import Sequence

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Scaled to the largest value; any non-zero value shows above the floor."""
    top = max(values) if values else 0
    if top <= 0:
        return SPARK[0] * len(values)
    steps = len(SPARK) - 1
    return "".join(SPARK[min(steps, math.ceil(max(0.0, v) * steps / top))] for v in values)


def peaks(values: Sequence[float], width: int) -> list[float]:
    """At most `width` buckets, each the largest value in it: a burst between samples survives."""
    if len(values) <= width:
        return list(values)
    size = len(values) / width
    return [max(values[int(i * size): max(int((i + 1) * size), int(i * size) + 1)])
            for i in range(width)]

"""Waiting on a condition with a deadline, instead of sleeping and hoping it has happened.

A test that sleeps a fixed time is either slow (the sleep is long) or flaky (the
machine was slower than the sleep). These poll the condition itself and fail with
a sentence naming what never happened, and the last thing seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.05


def sample_until(sample: Callable[[], T], accept: Callable[[T], object], timeout: float,
                 what: str) -> T:
    """Call `sample` until `accept` says yes to its value, and return that value.

    Raises AssertionError naming `what` and the last value after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = sample()
        if accept(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}; last seen: {value!r}")
        time.sleep(POLL_SECONDS)


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `predicate` until it is true; raise AssertionError naming `what` at the deadline."""
    sample_until(predicate, bool, timeout, what)


def log_text_once(path: Path, start: int, needle: str, timeout: float) -> str:
    """What `path` gained after byte `start`, once it holds `needle` (a line known to come)."""

    def gained() -> str:
        with path.open("rb") as log:
            log.seek(start)
            return log.read().decode("utf-8", "replace")

    return sample_until(gained, lambda text: needle in text, timeout, f"{needle!r} in {path}")

"""Verdict: launch to the first correct verdict on the health strip, for a faulted lab.

The number an admin feels at 3 a.m. is not the first frame but the moment the strip
says what is wrong. Each run is a fresh interpreter on a real lab with one fault
applied. The child marks, in ms since the parent spawned it (CLOCK_MONOTONIC, as in
`startup.py`), the first frame handed to the terminal and the first frame after the
strip's snapshot shows the fault's verdict (for `db-password-wrong`: the database
cell says "credentials failing"). The goal is a ratio against the app's own first
frame in the same run: verdict ≤ 2× first frame. Asserts nothing.

    .venv/bin/python bench/verdict.py [N] [FAULT]   (root; starts and removes its own lab)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from startup import SPAWN_ENV, compile_package, spawn_child  # bench/ is on sys.path

if TYPE_CHECKING:
    from tui.core.health import HealthSnapshot

SIZE = (100, 30)
TARGET_RATIO = 2.0  # the verdict within 2x of the app's own first frame
GIVE_UP_MS = 30_000.0  # a run that never shows the verdict says so instead of hanging


def _verdicts() -> dict[str, Callable[[HealthSnapshot], bool]]:
    """What the strip says when it has the fault right, per fault the lab can apply."""
    from tui.core.health import State

    return {
        "db-password-wrong": lambda s: s.cell("database").word == "credentials failing",
        "db-down": lambda s: s.cell("database").word == "down",
        "daemon-stopped": lambda s: s.cell("daemon").state is State.BAD,
    }


def _since_spawn(spawn_ns: int) -> float:
    return (time.monotonic_ns() - spawn_ns) / 1e6


def child(fault: str, settings: str) -> None:
    """Run the app headless until the strip shows `fault`'s verdict; print the marks."""
    spawn_ns = int(os.environ[SPAWN_ENV])
    from tui.app.app import AuthlibApp
    from tui.app.widgets.health_strip import HealthStrip
    from tui.core.installation import Installation

    verdict = _verdicts()[fault]
    marks: dict[str, float] = {}

    class Timed(AuthlibApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            now = _since_spawn(spawn_ns)
            marks.setdefault("frame", now)
            strips = list(self.screen.query(HealthStrip))
            snapshot = strips[0].snapshot if strips else None
            if "verdict" not in marks and snapshot is not None and verdict(snapshot):
                marks["verdict"] = now
                self.call_later(self.exit, 0)
            elif now > GIVE_UP_MS:
                self.call_later(self.exit, 1)

    # As `run_app`: the settings now, the discovery in the monitor's first health run.
    app = Timed(Installation.from_flags({"config": settings}, discover_now=False))
    app.run(headless=True, size=SIZE)
    print(json.dumps(marks))


def run_child(fault: str, settings: str) -> dict[str, float]:
    return spawn_child(__file__, fault, settings, timeout=90)


def main(count: int, fault: str) -> None:
    from tui.lab.lab import Lab

    if fault not in _verdicts():
        sys.exit(f"verdict: no verdict known for {fault!r}; one of {', '.join(_verdicts())}")
    compile_package()
    lab = Lab.create()
    try:
        lab.wait_found()
        lab.apply(frozenset({fault}))
        settings = str(lab.settings_file)
        run_child(fault, settings)  # warm the page cache; not counted
        runs = [run_child(fault, settings) for _ in range(count)]
    finally:
        lab.down()
    missed = [run for run in runs if "verdict" not in run]
    shown = [run for run in runs if "verdict" in run]
    print(f"verdict: {count} runs on a lab with {fault}, headless {SIZE[0]}x{SIZE[1]}, "
          "ms since spawn (median)")
    if missed:
        print(f"  {len(missed)} run(s) never showed the verdict within {GIVE_UP_MS:.0f} ms")
    if not shown:
        return
    frame = statistics.median(run["frame"] for run in shown)
    verdict = statistics.median(run["verdict"] for run in shown)
    ratio = verdict / frame
    print(f"first frame {frame:.1f} ms, first correct verdict {verdict:.1f} ms, "
          f"ratio {ratio:.2f}x (target <= {TARGET_RATIO}x: "
          f"{'met' if ratio <= TARGET_RATIO and not missed else 'NOT met'})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 9,
             sys.argv[2] if len(sys.argv) > 2 else "db-password-wrong")

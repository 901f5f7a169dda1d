"""Start the app many times on the lab while both cores are busy, and count what went wrong.

Each start is its own process, driven headless the way an admin on a loaded
server would: every pane switched within the first second (before the panes are
built), the terminal resized 80×24 → 200×50 → 80×24, the keys help and the
command palette opened and closed, then `q`. Two busy loops hold both cores
the whole time. A start whose process exits non-zero or prints a traceback is
a crash; one that does not end within `--timeout` seconds is a hung exit.

    .venv/bin/python scripts/stress_start.py [--runs 30] [--config SETTINGS]

Without --config a lab is brought up for the run and torn down after it (root).
Prints "N starts: C crashes (tracebacks), H hung exits" and exits 1 unless both
counts are 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY_LOOP = ("import time\nend = time.monotonic() + {seconds}\n"
             "while time.monotonic() < end:\n    pass\n")


@dataclass
class StressResult:
    starts: int
    crashes: list[str]  # the first lines of each crash's output
    hung: int

    @property
    def line(self) -> str:
        return (f"{self.starts} starts: {len(self.crashes)} crashes (tracebacks), "
                f"{self.hung} hung exits")


async def drive(settings: str) -> None:
    """One start: every pane at once, resizes, keys help, palette, quit."""
    from tui.app.app import AuthlibApp
    from tui.core.installation import Installation

    app = AuthlibApp(Installation.from_flags({"config": settings}), health_interval=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("2", "3", "4", "escape", "5", "1"):
            await pilot.press(key)
        await pilot.resize_terminal(200, 50)
        await pilot.press("3", "2", "4", "escape")
        await pilot.resize_terminal(80, 24)
        await pilot.press("question_mark")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press("escape")
        await pilot.press("5", "q")


def one_start(settings: str, timeout: float) -> tuple[str | None, bool]:
    """(the crash's output or None, hung) for one start in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, __file__, "--one", settings], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, True
    output = done.stdout + done.stderr
    if done.returncode != 0 or "Traceback" in output:
        return output.strip() or f"exit code {done.returncode}", False
    return None, False


def stress(settings: str, runs: int, timeout: float = 60.0, busy: int = 2) -> StressResult:
    """`runs` starts with `busy` loops holding the cores; the loops end by themselves too."""
    loaders = [subprocess.Popen([sys.executable, "-c",
                                 BUSY_LOOP.format(seconds=runs * timeout)])
               for _ in range(busy)]
    crashes: list[str] = []
    hung = 0
    try:
        for _ in range(runs):
            crash, stuck = one_start(settings, timeout)
            if crash is not None:
                crashes.append(crash)
            hung += stuck
    finally:
        for loader in loaders:
            loader.kill()
            loader.wait()
    return StressResult(runs, crashes, hung)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for one start")
    parser.add_argument("--config", help="a settings file (default: a lab brought up here)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        asyncio.run(drive(args.one))
        return 0
    with ExitStack() as stack:
        settings = args.config
        if settings is None:
            from tui.lab.lab import Lab

            lab = Lab.create()
            stack.callback(lab.down)
            lab.wait_found()
            settings = str(lab.settings_file)
        result = stress(settings, args.runs, args.timeout)
    for crash in result.crashes:
        print("--- crash ---\n" + "\n".join(crash.splitlines()[-30:]), file=sys.stderr)
    print(result.line)
    return 0 if not result.crashes and not result.hung else 1


if __name__ == "__main__":
    sys.exit(main())

"""Trace in the app: the first message drawn, and the last, against the app's own first frame.

Uses the week `bench/trace.py` builds (about 1 GiB of rotated logs, six of seven
files `.gz`; built once under /var/tmp and reused) behind a settings file that
names its mail.log, with no socket and no Postfix to ask. Each run is a fresh
interpreter that runs the app headless (Pilot, 80×24): it waits for the app's
first frame (timed from the spawn, as `bench/startup.py` does), opens the Lookup
pane, types the traced recipient and presses enter, then notes the first frame
that draws a story and the first frame after the trace ended (its summary). The
goal: the first message within a second; the ratios say how the trace's times
compare with the app's own first frame in the same run. Asserts nothing.

    .venv/bin/python bench/trace_first.py [--size-mb N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

SPAWN_ENV = "AUTHLIB_TUI_BENCH_SPAWN_NS"
SIZE = (80, 24)
GOAL_FIRST = 1.0  # seconds from enter to the first message drawn
RUNS = 3


def _week_module() -> ModuleType:
    """bench/trace.py, which builds the week (loaded by path: `trace` is a stdlib name)."""
    spec = importlib.util.spec_from_file_location("bench_trace_week",
                                                  Path(__file__).with_name("trace.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def settings_for(directory: Path) -> Path:
    """A host whose only log is the week's mail.log (and its rotated copies)."""
    path = directory / "settings-trace-first.toml"
    path.write_text(f'socket = "{directory / "no-socket"}"\n'
                    f'log_files = ["{directory / "mail.log"}"]\n'
                    f'postfix_dir = "{directory}"\n')
    return path


# -- the child: one app, one trace ---------------------------------------------------------
def child(settings: str, recipient: str) -> None:
    spawn_ns = int(os.environ[SPAWN_ENV])
    marks: dict[str, float] = {}
    asked: list[float] = []  # monotonic seconds when enter was pressed

    from textual.widgets import Input

    from tui.app.app import AuthlibApp
    from tui.app.panes.lookup import LookupPane
    from tui.app.widgets.trace_view import TraceView
    from tui.core.installation import Installation

    class Timed(AuthlibApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            """Each frame handed to the terminal (headless: to nobody): the marks."""
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            now = time.monotonic()
            marks.setdefault("frame", (time.monotonic_ns() - spawn_ns) / 1e9)
            if not asked:
                return
            views = self.query("#lookup-trace")
            view = views.first(TraceView) if views else None
            if view is None or view.query_shown is None:
                return
            if view.query(".trace-story") and "first" not in marks:
                marks["first"] = now - asked[0]
            if view.report is not None and "last" not in marks:
                marks["last"] = now - asked[0]
                marks["messages"] = len(view.report.traced)

    async def run() -> None:
        app = Timed(Installation.from_flags({"config": settings}))
        async with app.run_test(size=SIZE) as pilot:
            while "frame" not in marks:
                await asyncio.sleep(0.01)
            await pilot.press("4")
            while not (app.query(LookupPane) and app.query_one(LookupPane).pane_mounted):
                await asyncio.sleep(0.01)
            field = app.query_one("#lookup-address", Input)
            field.value = recipient
            field.focus()
            await pilot.pause()
            asked.append(time.monotonic())
            await pilot.press("enter")
            deadline = time.monotonic() + 120
            while "last" not in marks and time.monotonic() < deadline:
                await asyncio.sleep(0.01)

    asyncio.run(run())
    print(json.dumps(marks))


# -- the parent ---------------------------------------------------------------------------
def run_child(settings: Path, recipient: str) -> dict[str, float]:
    env = {**os.environ, SPAWN_ENV: str(time.monotonic_ns())}
    done = subprocess.run([sys.executable, __file__, "--child", str(settings), recipient],
                          env=env, capture_output=True, text=True, check=True, timeout=300)
    marks: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return marks


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2])
        return
    week = _week_module()
    parser = argparse.ArgumentParser(description="the app's trace, first and last message")
    parser.add_argument("--size-mb", type=int, default=week.DEFAULT_MIB,
                        help=f"the week's text in MiB (default {week.DEFAULT_MIB})")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    files, written, traced = week.build_week(args.size_mb)
    week.warm(files)
    settings = settings_for(files[0].parent)
    runs = [run_child(settings, week.RECIPIENT) for _ in range(args.runs)]
    print(f"trace in the app (80x24, headless): a week, {written / 2**20:.0f} MiB of text, "
          f"{traced} messages to {week.RECIPIENT}; {args.runs} runs")
    for index, marks in enumerate(runs, start=1):
        frame, first, last = marks["frame"], marks.get("first"), marks.get("last")
        words = f"  run {index}: first frame {frame:.3f} s"
        if first is not None:
            words += f"; first message {first:.3f} s after enter ({first / frame:.2f}x the frame)"
        if last is not None:
            words += (f"; last {last:.3f} s ({last / frame:.2f}x), "
                      f"{int(marks['messages'])} messages")
        print(words)
    firsts = [marks["first"] for marks in runs if "first" in marks]
    if firsts:
        median = statistics.median(firsts)
        print(f"first message: median {median:.3f} s (goal <= {GOAL_FIRST:g} s: "
              f"{'met' if median <= GOAL_FIRST else 'NOT met'})")
    else:
        print("first message: never drawn")


if __name__ == "__main__":
    main(sys.argv[1:])

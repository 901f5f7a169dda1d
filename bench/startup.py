"""Startup: process start to first painted frame, our app vs a bare Textual app with one Label.

Each run is a fresh interpreter (nothing warm but the OS page cache). The parent
reads CLOCK_MONOTONIC (system-wide on Linux, so comparable across processes)
just before spawning and passes it in the environment; the child reads the same
clock in `on_mount` and again when the first frame is handed to the terminal
(`App._display`, called headless too), then exits. So a run counts fork/exec,
interpreter start, imports, building the app (for ours: its settings; discovery runs
in the monitor's first health run, after the first frame, as `authlib-tui` does it) and
the first paint.
A third kind runs the bare app after our imports and installation, which splits
ours into what the imports cost and what our widgets' mount and first paint cost.
Runs alternate between the kinds, so drift hits all alike. Our app runs on
a real lab (its health sampler and Overview worker start as they would).
Also prints the import time of `tui.app.app` alone (and of `textual.app`). Our package is
byte-compiled first, as pip compiles an installed wheel (see `compile_package`). Asserts nothing.

    .venv/bin/python bench/startup.py [N]      (root; starts and removes its own lab)
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.app import App

SPAWN_ENV = "AUTHLIB_TUI_BENCH_SPAWN_NS"
SHOW_FRAME_ENV = "AUTHLIB_TUI_BENCH_SHOW_FRAME"  # set: the child prints the frame's SVG
SIZE = (100, 30)
TARGET_RATIO = 1.2  # the first frame within 1.2x of a bare Textual app
IMPORTS = ("tui.app.app", "textual.app")  # ours, and the Textual floor under it
# Ours; the bare app; the bare app after our imports and installation (what is left of ours
# then is our widgets' mount and first paint).
KINDS = ("ours", "bare", "bare+ours")


# -- the child: one app, one first frame ------------------------------------------------------
def _since_spawn(spawn_ns: int) -> float:
    return (time.monotonic_ns() - spawn_ns) / 1e6


AppType = TypeVar("AppType", bound="App[Any]")


def _timed(base: type[AppType], spawn_ns: int, marks: dict[str, float]) -> type[AppType]:
    """`base` plus two timing marks; Textual still runs `base`'s own on_mount (MRO dispatch)."""

    class Timed(base):  # type: ignore[valid-type,misc]
        def on_mount(self) -> None:
            marks["mount"] = _since_spawn(spawn_ns)

        def _display(self, screen: Any, renderable: Any) -> None:
            """The first frame handed to the terminal (headless: to nobody) is the mark."""
            super()._display(screen, renderable)
            if renderable is not None and "frame" not in marks and not self._batch_count:
                marks["frame"] = _since_spawn(spawn_ns)
                if os.environ.get(SHOW_FRAME_ENV):
                    print(self.export_screenshot(), file=sys.stderr)
                self.call_later(self.exit, 0)

    return Timed


def child(kind: str, settings: str) -> None:
    """Run one app headless until its first frame; print the marks (ms since spawn)."""
    spawn_ns = int(os.environ[SPAWN_ENV])
    marks: dict[str, float] = {"interpreter": _since_spawn(spawn_ns)}
    from textual.app import App, ComposeResult

    app: App[Any]
    if kind == "ours":
        from tui.app.app import AuthlibApp
        from tui.core.installation import Installation

        marks["imported"] = _since_spawn(spawn_ns)
        # As `run_app`: the settings now (a usage error is said before the app opens), the
        # discovery in the monitor's worker.
        installation = Installation.from_flags({"config": settings}, discover_now=False)
        app = _timed(AuthlibApp, spawn_ns, marks)(installation)
    else:
        from textual.widgets import Label

        if kind == "bare+ours":  # our imports and installation, then the bare app's one Label
            from tui.app.app import AuthlibApp
            from tui.core.installation import Installation

            Installation.from_flags({"config": settings}, discover_now=False)

        class Bare(App[int]):
            def compose(self) -> ComposeResult:
                yield Label("authlib-tui")

        marks["imported"] = _since_spawn(spawn_ns)
        app = _timed(Bare, spawn_ns, marks)()
    marks["built"] = _since_spawn(spawn_ns)
    app.run(headless=True, size=SIZE)
    print(json.dumps(marks))


def import_child(module: str) -> None:
    """Fresh interpreter: how long importing `module` takes on its own (ms)."""
    started = time.perf_counter()
    importlib.import_module(module)
    print(json.dumps((time.perf_counter() - started) * 1000))


# -- the parent ---------------------------------------------------------------------------
def spawn_child(script: str, *args: str, timeout: float = 60) -> dict[str, float]:
    """Run `script --child ARGS` in a fresh interpreter, the spawn time in its environment;
    its marks are the last line it prints."""
    env = {**os.environ, SPAWN_ENV: str(time.monotonic_ns())}
    completed = subprocess.run(
        [sys.executable, script, "--child", *args],
        env=env, capture_output=True, text=True, check=True, timeout=timeout,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_child(kind: str, settings: str) -> dict[str, float]:
    return spawn_child(__file__, kind, settings)


def import_time(module: str, count: int) -> float:
    timings = []
    for _ in range(count):
        completed = subprocess.run([sys.executable, __file__, "--import-child", module],
                                   capture_output=True, text=True, check=True, timeout=60)
        timings.append(json.loads(completed.stdout))
    return statistics.median(timings)


def compile_package() -> None:
    """Byte-compile tui/ as pip does for an installed wheel (Textual's own files are).

    Without it, an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (this machine
    sets it) compiles every one of our modules from source on every start, while
    Textual loads its .pyc files: a measure of the environment, not of the app.
    """
    import compileall
    from pathlib import Path

    import tui

    compileall.compile_dir(str(Path(tui.__file__).parent), quiet=1)


def main(count: int) -> None:
    from tui.lab.lab import Lab

    compile_package()

    lab = Lab.create()
    try:
        lab.wait_found()
        settings = str(lab.settings_file)
        for kind in KINDS:  # warm the page cache; not counted
            run_child(kind, settings)
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for index in range(count):  # interleaved, alternating who goes first
            order = KINDS if index % 2 == 0 else KINDS[::-1]
            for kind in order:
                runs[kind].append(run_child(kind, settings))
        imported = {module: import_time(module, count) for module in IMPORTS}
    finally:
        lab.down()

    def median(kind: str, mark: str) -> float:
        return statistics.median(run[mark] for run in runs[kind])

    print(f"startup: {count} runs each, interleaved, headless {SIZE[0]}x{SIZE[1]}, "
          "ms since spawn (median)")
    print(f"  {'':22}{'interpreter':>12}{'imported':>10}{'built':>8}{'mount':>8}{'frame':>8}")
    for kind, label in (("ours", "authlib-tui (lab)"), ("bare", "bare Textual + Label"),
                        ("bare+ours", "bare, our imports first")):
        cells = "".join(f"{median(kind, mark):{width}.1f}" for mark, width in
                        (("interpreter", 12), ("imported", 10), ("built", 8), ("mount", 8),
                         ("frame", 8)))
        print(f"  {label:22}{cells}")
    ours, bare = median("ours", "frame"), median("bare", "frame")
    print(f"first frame: ours {ours:.1f} ms, bare {bare:.1f} ms, "
          f"ratio {ours / bare:.2f}x (target <= {TARGET_RATIO}x: "
          f"{'met' if ours / bare <= TARGET_RATIO else 'NOT met'})")
    floor = median("bare+ours", "frame")
    print(f"  of ours: imports and installation {floor - bare:+.1f} ms (ratio {floor / bare:.2f}x "
          f"on their own), our widgets' mount and first paint {ours - floor:+.1f} ms")
    print(f"import alone, fresh interpreter, median of {count}: "
          + ", ".join(f"{module} {ms:.1f} ms" for module, ms in imported.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--import-child":
        import_child(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)

"""Regenerate screenshots/*.svg from the real app on a real lab (authdaemond + PostgreSQL).

The README's pictures come from the same stack the tests run against, never from a
mock, so they cannot drift from what the app shows. After saving, every file is
checked for the lab's secrets: a screenshot is published, so it must never hold one.

    .venv/bin/python scripts/screenshots.py        (root; starts and removes its own lab)
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tui.app.app import AuthlibApp
from tui.app.panes.overview import OverviewPane
from tui.app.panes.queue import QueuePane
from tui.app.panes.wizard import WizardPane
from tui.app.panes.workers import WorkersPane
from tui.app.replay.app import ReplayApp
from tui.app.screens.help_screen import HelpScreen
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.log_view import LogView
from tui.core.health import State
from tui.core.installation import Installation
from tui.core.recording.observations import Kind
from tui.core.recording.replay import Recording
from tui.core.training.shipped_recordings import shipped_recording
from tui.core.workers.verdict import PoolState
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (100, 30)
FAULT = "db-password-wrong"
TIMEOUT = 20.0
NAMES = ("overview.svg", "lookup-found.svg", "lookup-alias.svg", "keys-help.svg",
         f"health-{FAULT}.svg", f"logs-{FAULT}.svg", f"wizard-{FAULT}.svg",
         "workers-saturated.svg", "queue-waiting.svg", "queue-lost.svg", f"replay-{FAULT}.svg")


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Poll while the app keeps running: workers report through the event loop."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def settle(pilot: Pilot[Any]) -> None:
    """Workers done and their results painted."""
    app = pilot.app
    assert isinstance(app, AuthlibApp)  # the replay has no background work to wait for
    await app.wait_for_work()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def shoot(pilot: Pilot[Any], name: str) -> None:
    """Sample health afresh (never a stale strip, no lookup in flight), then save."""
    app = pilot.app
    strip = app.query_one(HealthStrip)
    before = strip.snapshot
    app.monitor.refresh()  # type: ignore[attr-defined]
    await until(pilot, lambda: strip.snapshot is not before, "a fresh health sample")
    await settle(pilot)
    app.save_screenshot(filename=name, path=str(OUT))
    print(f"wrote {OUT / name}")


async def look_up(pilot: Pilot[Any], address: str) -> None:
    app = pilot.app
    await pilot.press("4")
    field = app.query_one("#lookup-address", Input)
    field.value = address
    field.focus()
    history = app.query_one("#lookup-history", DataTable)
    rows = history.row_count
    await pilot.press("enter")
    await until(pilot, lambda: history.row_count > rows, f"the lookup of {address}")
    await settle(pilot)
    # DataTable sizes columns for new rows on Idle; drop lines painted before that.
    history.notify_style_update()
    history.refresh()
    await settle(pilot)


async def drive(app: AuthlibApp, lab: Lab) -> None:
    async with app.run_test(size=SIZE) as pilot:
        for field in app.query(Input):
            field.cursor_blink = False  # a blinking cursor may be caught hidden
        strip = app.query_one(HealthStrip)
        discovered = app.query_one("#overview-discovered", Static)
        await until(pilot, lambda: strip.snapshot is not None, "the first health sample")
        await until(pilot, lambda: str(discovered.render()) != "…", "the Overview")
        await shoot(pilot, "overview.svg")

        await look_up(pilot, "foo@domain.com")
        await shoot(pilot, "lookup-found.svg")
        await look_up(pilot, "postmaster@domain.com")
        await shoot(pilot, "lookup-alias.svg")

        await pilot.press("escape", "question_mark")  # leave the form, then `?`
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the keys help")
        await shoot(pilot, "keys-help.svg")
        await pilot.press("escape")

        await asyncio.to_thread(lab.apply, frozenset({FAULT}))
        await look_up(pilot, "foo@domain.com")  # authdaemond logs the failure
        await pilot.press("escape", "1")
        app.query_one(OverviewPane).reload()
        await shoot(pilot, f"health-{FAULT}.svg")
        snapshot = strip.snapshot
        assert snapshot is not None and snapshot.cell("database").state is State.BAD, snapshot
        assert snapshot.cell("last_error").state is not State.OK, snapshot

        await pilot.press("2")  # the annotated authdaemond lines of the failure
        view = app.query_one(LogView)
        await until(pilot, lambda: any(item.signature is not None
                                       and item.signature.id == FAULT
                                       for item in view.entries), "the failure in the log")
        await shoot(pilot, f"logs-{FAULT}.svg")

        await pilot.press("5", "f")  # Find it for me
        wizard = app.query_one(WizardPane)
        await until(pilot, lambda: wizard.diagnosis is not None, "the diagnosis")
        await shoot(pilot, f"wizard-{FAULT}.svg")

        await asyncio.to_thread(lab.apply, frozenset({"workers-saturated"}))
        stop = threading.Event()

        def load() -> None:  # ten deliveries at once against two workers and a 3 s query
            while not stop.is_set():
                lab.client(read_timeout=8).lookup("foo@domain.com")

        clients = [threading.Thread(target=load) for _ in range(10)]
        for thread in clients:
            thread.start()
        try:
            await pilot.press("3")
            workers = app.query_one(WorkersPane)
            await until(pilot, lambda: workers.snapshot is not None
                        and workers.snapshot.verdict.state is PoolState.SATURATED
                        and workers.snapshot.sessions is not None
                        and bool(workers.snapshot.sessions.running), "a saturated pool")
            await pilot.pause(3.0)  # a few seconds of graph
            await shoot(pilot, "workers-saturated.svg")
        finally:
            stop.set()
            for thread in clients:
                await asyncio.to_thread(thread.join)

        # The waiting mail: authdaemond stopped while three messages come in.
        await asyncio.to_thread(lab.apply, frozenset({"daemon-stopped"}))
        start = lab.log_size()
        await asyncio.to_thread(lab.send, "foo@domain.com", 3, "screenshot")
        await asyncio.to_thread(lab.wait_for_delivery, "foo@domain.com", start)
        await pilot.press("6")
        queue = app.query_one(QueuePane)

        def waiting() -> bool:
            app.monitor.refresh()  # a queue sample now, not at the next interval
            return (queue.sample is not None and queue.sample.queue is not None
                    and queue.sample.queue.deferred_authlib == 3)

        await until(pilot, waiting, "three waiting messages")
        await shoot(pilot, "queue-waiting.svg")

        # The lost mail: a disabled mailbox bounces (with the daemon running again).
        await asyncio.to_thread(lab.apply, frozenset({"not-a-mailbox"}))
        await asyncio.to_thread(lab.postfix.clear_queue)
        start = lab.log_size()
        await asyncio.to_thread(lab.send, "foo@domain.com", 1, "screenshot")
        await asyncio.to_thread(lab.wait_for_delivery, "foo@domain.com", start)
        def bounced() -> bool:
            app.monitor.refresh()
            return (queue.sample is not None and queue.sample.bounces is not None
                    and queue.sample.bounces.count == 1)

        await until(pilot, bounced, "the bounce")
        await shoot(pilot, "queue-lost.svg")


async def replay(name: str) -> None:
    """The shipped recording of the same fault, its cursor where PostgreSQL alone is failing."""
    recording = Recording.load(shipped_recording(FAULT) or Path("missing"))
    moment = next(o.at for o in recording.between(Kind.HOPS, recording.start, recording.end)
                  if [hop for hop, data in o.data.items()
                      if data["state"] == "bad"] == ["postgres"])  # type: ignore[index]
    app = ReplayApp(recording)
    async with app.run_test(size=SIZE) as pilot:
        app.seek(moment + 3.0)
        await pilot.pause()  # nothing runs in the background: the cursor decides what shows
        await pilot.wait_for_scheduled_animations()
        app.save_screenshot(filename=name, path=str(OUT))
        print(f"wrote {OUT / name}")


def check_no_secrets(paths: list[Path]) -> None:
    """Published pictures must not hold a lab password or hash."""
    for path in paths:
        text = path.read_text()
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{path} contains a lab secret"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    lab = Lab.create()
    try:
        lab.wait_found()
        installation = Installation.from_flags({"config": str(lab.settings_file)})
        # Sampled once at start and on demand: each picture shows the state it was taken in.
        app = AuthlibApp(installation, health_interval=3600)
        asyncio.run(drive(app, lab))
        asyncio.run(replay(f"replay-{FAULT}.svg"))
    finally:
        lab.down()
    check_no_secrets([OUT / name for name in NAMES])
    print(f"{len(NAMES)} screenshots in {OUT}, none holds a lab secret")
    return 0


if __name__ == "__main__":
    sys.exit(main())

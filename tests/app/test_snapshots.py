"""SVG snapshots of every pane on a real lab, identical on every run and machine.

What would vary is pinned here, never in product code:
- the lab root: these tests own a lab at a fixed path (not the session lab, whose root
  is a random temp dir), serialised by a lock so two test runs never share or kill it;
- latency and ages: `latency_text` / `age` / `age_text` are frozen where they are imported,
  the way Harlequin freezes its clock;
- process ids: discovery's process scan is renumbered (parent 1001, workers 1002…), so the
  Overview never shows a real pid; the workers cell still samples the real pool;
- the health strip samples once (`health_interval=3600`), the picture waits for it, and it
  never turns stale while a slow machine takes the picture;
- the cursor does not blink; the theme and NO_COLOR are fixed; env overrides are removed.

`pytest tests/app/test_snapshots.py --snapshot-update` rewrites the SVGs in `__snapshots__/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import html
import os
import re
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.conftest import _unavailable
from tui.app.actions import PANES
from tui.app.app import AuthlibApp
from tui.app.panes.queue import QueuePane
from tui.app.panes.workers import WorkersPane
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.log_view import LogView
from tui.app.widgets.trace_view import TraceView
from tui.app.widgets.xray_chain import XrayChain
from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.discovery.processes import DaemonProcesses
from tui.core.installation import Installation
from tui.core.settings import ENV_CONF_DIR, ENV_CONFIG, ENV_SOCKET
from tui.lab.lab import Lab
from tui.lab.lab_dir import lab_dir_problem
from tui.lab.process import LabError
from tui.lab.seed import SECRETS

# A literal /tmp, not tempfile.gettempdir(): TMPDIR differs between machines.
SNAPSHOT_LAB_ROOT = Path("/tmp/authlib-tui-snapshot-lab")
SNAPSHOT_LAB_LOCK = Path("/tmp/authlib-tui-snapshot-lab.lock")
LOCK_TIMEOUT = 600.0
SNAPSHOT_DIR = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
FROZEN_LATENCY = "4.2 ms"
FROZEN_AGE = "3m"
FAKE_LOGGER_PID = 1000
FAKE_PARENT_PID = 1001
FAKE_STARTED = 1_700_000_000.0
SETTLE_TIMEOUT = 15.0

Before = Callable[[Pilot[Any]], Awaitable[None]]
SnapCompare = Callable[..., bool]


# -- the lab ----------------------------------------------------------------------------
@contextlib.contextmanager
def _exclusive(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock: a concurrent run waits instead of destroying our lab."""
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{lock_path} held by another test run for {timeout:.0f} s")
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_lab(root: Path) -> None:
    """Under the lock, a lab at `root` was left by a run that died: take it down. A dir
    there that is not root's alone is left for Lab.create to refuse (it names why)."""
    if lab_dir_problem(root) is not None:
        return
    if (root / "lab.json").exists():
        with contextlib.suppress(LabError, OSError, ValueError, TypeError):
            Lab.load(root).down()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def snapshot_lab() -> Iterator[Lab]:
    """A healthy lab of our own at a fixed root, so the Overview's paths never change."""
    if os.geteuid() != 0:
        _unavailable("the lab needs root")
    for binary in ("/usr/sbin/authdaemond", "/usr/sbin/authtest"):
        if not Path(binary).exists():
            _unavailable(f"{binary} is missing (apt-get install courier-authdaemon)")
    with _exclusive(SNAPSHOT_LAB_LOCK, LOCK_TIMEOUT):
        _remove_stale_lab(SNAPSHOT_LAB_ROOT)
        lab = Lab.create(SNAPSHOT_LAB_ROOT)
        try:
            lab.wait_found()
            yield lab
        finally:
            lab.down()


# -- freezing ---------------------------------------------------------------------------
def _renumbered(processes: DaemonProcesses) -> DaemonProcesses:
    """Same tree, fixed pids; other trees (other labs running now) left out."""
    if processes.parent_pid is None:
        return dataclasses.replace(processes, other_parent_pids=(), notes=())
    workers = tuple(range(FAKE_PARENT_PID + 1, FAKE_PARENT_PID + 1 + len(processes.worker_pids)))
    return DaemonProcesses(
        logger_pid=FAKE_LOGGER_PID if processes.logger_pid is not None else None,
        parent_pid=FAKE_PARENT_PID,
        worker_pids=workers,
        worker_started=dict.fromkeys(workers, FAKE_STARTED),
        other_parent_pids=(),
        notes=(),
    )


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin every value that changes between runs, at the modules that display it."""
    import tui.core.discovery.discover as discover
    from tui.core.discovery.processes import find_daemon_processes as real_find

    monkeypatch.setattr(discover, "find_daemon_processes",
                        lambda *args, **kwargs: _renumbered(real_find(*args, **kwargs)))
    for target in ("tui.app.widgets.result_card.latency_text",
                   "tui.app.panes.lookup.latency_text",
                   "tui.app.widgets.xray_chain.latency_text"):
        monkeypatch.setattr(target, lambda _milliseconds: FROZEN_LATENCY)
    monkeypatch.setattr("tui.app.panes.overview.age", lambda _since: FROZEN_AGE)
    monkeypatch.setattr("tui.core.health_sampler.age_text", lambda _seconds: FROZEN_AGE)
    monkeypatch.setattr("tui.app.app.STALE_AFTER", float("inf"))
    monkeypatch.setattr("tui.app.log_inbox.clock", lambda _timestamp: "12:00:00")
    monkeypatch.setattr("tui.app.panes.queue.clock", lambda _timestamp: "12:00:00")
    monkeypatch.setattr("tui.app.widgets.trace_view.clock", lambda _timestamp: "12:00")
    # The last-hour sparklines bucket by the wall clock: freeze the bucket edges too.
    monkeypatch.setattr("tui.app.panes.logs.BUCKET_MINUTES", 60)
    # The Workers pane: probe latency, worker ages and the graphs' shape vary by run.
    monkeypatch.setattr("tui.app.widgets.workers_view.seconds_text",
                        lambda _seconds: FROZEN_LATENCY)
    monkeypatch.setattr("tui.core.workers.verdict.seconds_text", lambda _seconds: FROZEN_LATENCY)
    monkeypatch.setattr("tui.app.widgets.workers_view.age_text", lambda _seconds: FROZEN_AGE)
    monkeypatch.setattr("tui.app.widgets.workers_view.peaks", lambda _values, _width: [0.0] * 30)
    monkeypatch.setattr("textual.widgets.Input._toggle_cursor", lambda _self: None)
    for name in ("NO_COLOR", ENV_CONF_DIR, ENV_SOCKET, ENV_CONFIG):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def snapshot_app(snapshot_lab: Lab, frozen: None) -> Callable[[], AuthlibApp]:
    def build() -> AuthlibApp:
        installation = Installation.from_flags({"config": str(snapshot_lab.settings_file)})
        return AuthlibApp(installation, health_interval=3600)

    return build


# -- driving the app --------------------------------------------------------------------
async def _until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def _ours(pilot: Pilot[Any]) -> AuthlibApp:
    assert isinstance(pilot.app, AuthlibApp)
    return pilot.app


async def _settled(pilot: Pilot[Any]) -> None:
    """The first health sample shown and the Overview filled: nothing left in flight."""
    app = _ours(pilot)
    app.theme = "textual-dark"
    await app.wait_for_work()
    await _until(pilot, lambda: app.query_one(HealthStrip).snapshot is not None, "health")
    await _until(pilot, lambda: bool(app.query_one(XrayChain).hops), "the x-ray")
    discovered = app.query_one("#overview-discovered", Static)
    await _until(pilot, lambda: str(discovered.render()) != "…", "the Overview")
    await pilot.pause()


async def _fresh_table(pilot: Pilot[Any], table: DataTable[Any]) -> None:
    """Repaint a DataTable once its column widths have caught up with its rows.

    DataTable measures new rows on its Idle event, but a line painted before that stays
    in its line cache with the old widths (a "lookup" cell shown as "look"), so the
    picture would depend on timing. Wait for the widths, then drop the stale lines.
    """
    cells = [(column, cell_len(str(value)))
             for column, value in zip(table.ordered_columns, table.get_row_at(0), strict=True)]
    await _until(pilot, lambda: all(not column.auto_width or column.content_width >= width
                                    for column, width in cells), "the table's column widths")
    table.notify_style_update()  # clears the DataTable's render caches
    table.refresh()
    await pilot.pause()


def _show(pane_id: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press(str([pane for pane, _ in PANES].index(pane_id) + 1))
        await pilot.pause()
        if pane_id == "logs":  # the backfill arrives from a reader thread
            view = pilot.app.query_one(LogView)
            await _until(pilot, lambda: len(view.entries) >= 3, "the log backfill")
            await pilot.pause(0.2)
        if pane_id == "queue":  # the queue sample follows the first run of the checks
            queue = _ours(pilot).query_one(QueuePane)
            await _until(pilot, lambda: queue.sample is not None, "the queue sample")
            await _until(pilot, lambda: pilot.app.focused is queue.home_widget(), "focus")
            await pilot.pause(0.2)
        if pane_id == "workers":  # one full sample (pool, probe, sessions), then no more
            pane = pilot.app.query_one(WorkersPane)
            await _until(pilot, lambda: pane.snapshot is not None
                         and pane.snapshot.stats.probes > 0
                         and pane.snapshot.sessions is not None, "a full workers sample")
            # No more samples: the picture is the one drawn below.
            monitor = _ours(pilot).monitor
            await asyncio.to_thread(monitor.stop, 10.0)
            # Each worker opens its database connection at its first lookup: look up until
            # both have, so the picture always says "2 idle".
            client = AuthdaemonClient(_ours(pilot).installation.socket or "")
            for _ in range(100):
                sessions = monitor.sampler.sample_sessions()
                if sessions is not None and len(sessions.sessions) >= 2:
                    break
                client.lookup("foo@domain.com")
            monitor.sampler.sample_pool()  # nothing in flight now: no lookup of ours is busy
            pane.show_snapshot(monitor.sampler.snapshot())
            await pilot.pause()

    return run_before


def _look_up(address: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        app = _ours(pilot)
        await pilot.press("4")
        address_input = app.query_one("#lookup-address", Input)
        address_input.value = address
        address_input.focus()
        await pilot.press("enter")
        await app.wait_for_work()
        history = app.query_one("#lookup-history", DataTable)
        await _until(pilot, lambda: history.row_count == 1, "the lookup result")
        trace = app.query_one(TraceView)
        await _until(pilot, lambda: trace.report is not None, "the trace beside it")
        await _fresh_table(pilot, history)

    return run_before


# -- the snapshots ----------------------------------------------------------------------
@pytest.mark.lab
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("pane_id", [pane for pane, _ in PANES])
def test_pane(pane_id: str, size: str, snapshot_app: Callable[[], AuthlibApp],
              snap_compare: SnapCompare) -> None:
    """Each pane; the Lookup pane with a real lookup of foo@domain.com."""
    run_before = _look_up("foo@domain.com") if pane_id == "lookup" else _show(pane_id)
    assert snap_compare(snapshot_app(), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.lab
def test_lookup_alias_explained(snapshot_app: Callable[[], AuthlibApp],
                                snap_compare: SnapCompare) -> None:
    """postmaster@ is an alias: the card says so and offers F2 for its target."""
    assert snap_compare(snapshot_app(), terminal_size=SIZES["80x24"],
                        run_before=_look_up("postmaster@domain.com"))


def _screen_text(svg: str) -> str:
    """The text a person sees: <text> runs joined, entities decoded (a secret may be split)."""
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(runs)).replace("\xa0", " ")


def test_snapshots_hold_no_secret(request: pytest.FixtureRequest) -> None:
    """The lab's passwords never reach a committed picture, raw or as rendered text."""
    if request.config.getoption("--snapshot-update"):
        pytest.skip("syrupy writes the SVGs at session end: run again without --snapshot-update")
    svgs = sorted(SNAPSHOT_DIR.glob("*.svg"))
    assert len(svgs) >= 2 * len(PANES) + 1, f"snapshots missing in {SNAPSHOT_DIR}"
    for svg in svgs:
        raw = svg.read_text()
        shown = _screen_text(raw)
        for secret in SECRETS:
            assert secret not in raw and secret not in shown, f"{svg.name} holds a lab secret"

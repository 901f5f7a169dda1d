"""The Workers pane: real samples from the lab, and every verdict rendered with its fix."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from textual.widgets import Static

from tests.app.conftest import until, visible_text, widget_text
from tui.app.panes.workers import WIZARD_STEP, WorkersPane
from tui.app.widgets.pane_tabs import PaneTabs
from tui.core.authdaemon.outcome import Outcome
from tui.core.durations import seconds_text
from tui.core.workers.history import LatencyStats
from tui.core.workers.sampler import WorkersSnapshot
from tui.core.workers.verdict import PoolState, Verdict


def _verdict_text(app) -> str:
    return str(app.query_one("#workers-verdict", Static).render())


async def _open_workers(app, pilot) -> WorkersPane:
    await pilot.press("3")
    await until(lambda: bool(app.query(WorkersPane)) and app.query_one(WorkersPane).snapshot)
    return app.query_one(WorkersPane)


async def test_idle_lab_shows_idle_gauge_probe_and_database(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 40)) as pilot:
        pane = await _open_workers(app, pilot)
        await until(lambda: pane.snapshot is not None and pane.snapshot.stats.probes > 0
                     and pane.snapshot.sessions is not None)
        await until(lambda: _verdict_text(app).startswith("Idle: 0/2 workers busy"))
        # Stop sampling and draw once more, so no probe is in flight in the picture.
        for timer in list(pane._timers):
            timer.stop()
        await app.wait_for_work()
        pane._show(pane.sampler.snapshot())
        await pilot.pause()
        text = visible_text(app)
        assert app.query_one(PaneTabs).active == "workers", app.query_one(PaneTabs).active
        assert "Idle: 0/2 workers busy, 0 queued" in text
        assert "0/2 busy · daemons=2" in text
        # The probe address answered FAIL, its latency measured, and both shown as measured.
        snapshot = pane.snapshot
        assert snapshot is not None and snapshot.last_probe is not None
        probe, stats = snapshot.last_probe, snapshot.stats
        assert probe.outcome is Outcome.NOT_FOUND and probe.answered
        assert probe.latency > 0 and stats.p50 is not None and stats.p95 is not None
        numbers = widget_text(app, pane.query_one("#workers-numbers"))
        assert numbers.endswith(f"probe {pane.sampler.probe_address}: not-found in "
                                f"{seconds_text(probe.latency)}")
        graphs = widget_text(app, pane.query_one("#workers-graphs"))
        assert (f" p50 {seconds_text(stats.p50)} p95 {seconds_text(stats.p95)} max "
                f"{seconds_text(stats.max or 0)} · 0 tempfail, 0 timeout") in graphs
        assert pane.query_one("#workers-verdict").has_class("state-ok")
        database = str(pane.query_one("#workers-database", Static).render())
        assert "mail role: 0 running" in database


async def test_stopped_daemon_verdict_names_the_stale_socket(break_lab, make_app) -> None:
    lab = break_lab("daemon-stopped")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_workers(app, pilot)
        await until(lambda: _verdict_text(app).startswith("Stopped"))
        assert str(lab.socket_path) in _verdict_text(app)
        assert app.query_one("#workers-verdict").has_class("state-bad")
        await pilot.press("w")
        await until(lambda: app.query_one(PaneTabs).active == "wizard")  # bubbles to the app
        assert "daemon-not-running" in visible_text(app)


@pytest.mark.parametrize("state", list(PoolState))
async def test_every_verdict_renders_with_its_fix_and_advice(healthy_lab, make_app, state) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_workers(app, pilot)
        pane.probing = False  # keep the real sampler from redrawing over the test's snapshot
        for timer in list(pane._timers):
            timer.stop()
        await app.wait_for_work()
        verdict = Verdict(state, f"{state.value.title()}: headline for {state.value}",
                          ("first evidence line",), ("run-this --now",), "some advice")
        assert pane.snapshot is not None
        pane._show(replace(pane.snapshot, verdict=verdict))
        await pilot.pause()
        text = visible_text(app)
        assert f"headline for {state.value}" in text
        assert "fix: run-this --now" in text
        assert "some advice" in text
        expected = {"info": "state-ok", "warning": "state-warn", "error": "state-bad"}
        assert pane.query_one("#workers-verdict").has_class(expected[verdict.severity.value])
        await pilot.press("w")
        await pilot.pause()
        active = app.query_one(PaneTabs).active
        assert active == ("wizard" if state in WIZARD_STEP else "workers")


async def test_p_pauses_the_probe(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_workers(app, pilot)
        await pilot.press("p")
        await app.wait_for_work()
        count = len(pane.sampler.history.probes())
        # The pool is still sampled every interval: two more pool samples are at least one
        # whole interval in which a probe would have run.
        pools = len(pane.sampler.history.pools())
        await until(lambda: len(pane.sampler.history.pools()) >= pools + 2)
        await app.wait_for_work()
        assert len(pane.sampler.history.probes()) == count
        assert "paused (p resumes)" in visible_text(app)


async def test_an_empty_snapshot_has_no_probe_numbers(healthy_lab, make_app) -> None:
    """Before the first probe: no outcome, no latency, and the pane shows dashes, not zeros."""
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 40)) as pilot:
        pane = await _open_workers(app, pilot)
        for timer in list(pane._timers):  # no more sampling to draw over the test's snapshot
            timer.stop()
        await app.wait_for_work()
        assert pane.snapshot is not None and pane.snapshot.pool is not None
        stats = LatencyStats(0, None, None, None, 0, 0, 0, 0)
        empty = WorkersSnapshot(0.0, pane.snapshot.pool, stats, None, None, (), (), (), (),
                                Verdict(PoolState.UNKNOWN, "No sample yet"))
        assert empty.last_probe is None and empty.stats.probes == 0
        assert empty.verdict.severity.value == "warning"
        pane._show(empty)
        await pilot.pause()
        numbers = widget_text(app, pane.query_one("#workers-numbers"))
        assert numbers.endswith(f"probe {pane.sampler.probe_address}: –")
        graphs = widget_text(app, pane.query_one("#workers-graphs"))
        # Empty graphs and a dash for the latency: no made-up 0 ms.
        assert graphs == "last 5 min queue 0 busy 0 latency – · 0 tempfail, 0 timeout"
        assert widget_text(app, pane.query_one("#workers-verdict")) == "No sample yet"
        assert pane.query_one("#workers-verdict").has_class("state-warn")


async def test_nothing_is_sampled_until_the_pane_is_shown(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(app.query(WorkersPane)))  # built lazily after start-up
        await pilot.pause(1.2)
        pane = app.query_one(WorkersPane)
        assert pane.sampler.history.pools() == [] and pane.sampler.history.probes() == []
        await pilot.press("3")
        await until(lambda: len(pane.sampler.history.probes()) > 0)


async def test_deferrals_in_the_mail_log_are_counted_per_minute(healthy_lab, make_app) -> None:
    stamp = time.strftime("%b %e %H:%M:%S")
    line = (f"{stamp} mx postfix/pipe[77]: 4AbC: to=<a@b.com>, relay=vmaildrop, delay=0.1, "
            "delays=0/0/0/0.1, dsn=4.3.0, status=deferred (temporary failure. Command output: "
            "ERR: authdaemon: s_connect() failed: Connection refused )\n")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_workers(app, pilot)
        with healthy_lab.maillog.open("a") as log:
            log.write(line * 3)
        # Summed over the 5 minutes shown, so a minute turning over mid-test changes nothing.
        await until(lambda: pane.snapshot is not None
                     and sum(pair[0] for pair in pane.snapshot.deferrals) == 3
                     and sum(pair[1] for pair in pane.snapshot.deferrals) == 0)
        await until(lambda: bool(re.search(r"s_connect (0 )*3( 0)* · tempfail 0 0 0 0 0",
                                            visible_text(app))))

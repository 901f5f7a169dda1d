"""The Workers pane: real samples from the lab, and every verdict rendered with its fix."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from textual.widgets import Static

from tests.app.conftest import until, visible_text, widget_text
from tui.app.panes.workers import WorkersPane
from tui.app.widgets.pane_tabs import PaneTabs
from tui.core.authdaemon.outcome import Outcome
from tui.core.durations import seconds_text
from tui.core.workers.history import LatencyStats
from tui.core.workers.sampler import WorkersSnapshot
from tui.core.workers.verdict import WIZARD_STEP_OF_STATE, PoolState, Verdict


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
        # A picture with a probe answered, none in flight, and the sessions read.
        await until(lambda: pane.snapshot is not None and pane.snapshot.stats.probes > 0
                    and pane.snapshot.sessions is not None and pane.snapshot.pool is not None
                    and not pane.snapshot.pool.probe_in_flight
                    and "not-found in" in visible_text(app))
        await until(lambda: _verdict_text(app).startswith("Idle: 0/2 workers busy"))
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
        assert numbers.endswith(f"probe {pane.probe_address}: not-found in "
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
        # The real sampler must not redraw over the test's snapshot: stop it, and wait.
        await asyncio.to_thread(app.monitor.stop, 10.0)
        verdict = Verdict(state, f"{state.value.title()}: headline for {state.value}",
                          ("first evidence line",), ("run-this --now",), "some advice")
        assert pane.snapshot is not None
        pane.show_snapshot(replace(pane.snapshot, verdict=verdict))
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
        assert active == ("wizard" if state in WIZARD_STEP_OF_STATE else "workers")


async def test_p_pauses_the_probe(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_workers(app, pilot)
        history = app.monitor.sampler.history
        await pilot.press("p")
        await until(lambda: not app.monitor.probing.is_set()
                    and not app.monitor.sampler.probe_in_flight)
        count = len(history.probes())
        pools = len(history.pools())
        await until(lambda: len(history.pools()) >= pools + 2)  # two more intervals went by
        assert len(history.probes()) == count
        assert "paused (p resumes)" in visible_text(app)
        await pilot.press("p")
        await until(lambda: len(history.probes()) > count)


async def test_an_empty_snapshot_has_no_probe_numbers(healthy_lab, make_app) -> None:
    """Before the first probe: no outcome, no latency, and the pane shows dashes, not zeros."""
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 40)) as pilot:
        pane = await _open_workers(app, pilot)
        # No more sampling to draw over the test's snapshot: stop it, and wait.
        await asyncio.to_thread(app.monitor.stop, 10.0)
        assert pane.snapshot is not None and pane.snapshot.pool is not None
        stats = LatencyStats(0, None, None, None, 0, 0, 0, 0)
        empty = WorkersSnapshot(0.0, pane.snapshot.pool, stats, None, None, (), (), (), (),
                                Verdict(PoolState.UNKNOWN, "No sample yet"))
        assert empty.last_probe is None and empty.stats.probes == 0
        assert empty.verdict.severity.value == "warning"
        pane.show_snapshot(empty)
        await pilot.pause()
        numbers = widget_text(app, pane.query_one("#workers-numbers"))
        assert numbers.endswith(f"probe {pane.probe_address}: –")
        graphs = widget_text(app, pane.query_one("#workers-graphs"))
        # Empty graphs and a dash for the latency: no made-up 0 ms.
        assert graphs == "last 5 min queue 0 busy 0 latency – · 0 tempfail, 0 timeout"
        assert widget_text(app, pane.query_one("#workers-verdict")) == "No sample yet"
        assert pane.query_one("#workers-verdict").has_class("state-warn")


async def test_nothing_is_sampled_until_the_pane_is_shown(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(app.query(WorkersPane)))  # built lazily after start-up
        await until(lambda: app.monitor.running("logs"))  # the monitor itself has started
        history = app.monitor.sampler.history
        assert not app.monitor.running("pool") and not app.monitor.running("probe")
        assert history.pools() == [] and history.probes() == []
        await pilot.press("3")
        await until(lambda: len(history.probes()) > 0)


async def test_switched_to_before_it_is_built_it_samples_once_built(healthy_lab, make_app) -> None:
    """The pane mounted into the tab already in front: it is told so, Show or not."""
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        # The other panes wait for the first verdict: "3" builds them into the tab in front.
        assert not app.query(WorkersPane), "built already: nothing to test"
        await pilot.press("3")
        await until(lambda: bool(app.query(WorkersPane)) and app.query_one(WorkersPane).is_mounted)
        await until(lambda: app.monitor.running("pool") and app.monitor.running("probe"))
        await until(lambda: app.query_one(WorkersPane).snapshot is not None)


async def test_deferrals_in_the_mail_log_are_counted_per_minute(healthy_lab, make_app) -> None:
    stamp = time.strftime("%b %e %H:%M:%S")
    line = (f"{stamp} mx postfix/pipe[77]: 4AbC: to=<a@b.com>, relay=vmaildrop, delay=0.1, "
            "delays=0/0/0/0.1, dsn=4.3.0, status=deferred (temporary failure. Command output: "
            "ERR: authdaemon: s_connect() failed: Connection refused )\n")
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_workers(app, pilot)
        # Real mail in the shared lab may have been deferred in the last minutes: those are
        # counted too (the backfill), so the test counts from where the backfill left it.
        await until(lambda: app.monitor._backfilled)
        before = sum(pair[0] for pair in app.counts.last_minutes(time.time()))
        tempfail = sum(pair[1] for pair in app.counts.last_minutes(time.time()))
        with healthy_lab.maillog.open("a") as log:
            log.write(line * 3)
        # Summed over the 5 minutes shown, so a minute turning over mid-test changes nothing.
        await until(lambda: pane.snapshot is not None
                     and sum(pair[0] for pair in pane.snapshot.deferrals) == before + 3
                     and sum(pair[1] for pair in pane.snapshot.deferrals) == tempfail)
        assert pane.snapshot is not None

        def drawn() -> str:  # the line the pane must show for the snapshot it holds
            minutes = pane.snapshot.deferrals if pane.snapshot is not None else ()
            return (" ".join(str(pair[0]) for pair in minutes) + " · tempfail "
                    + " ".join(str(pair[1]) for pair in minutes))

        await until(lambda: f"s_connect {drawn()}" in visible_text(app))


async def test_a_snapshot_handed_down_before_the_view_is_composed_is_drawn_on_mount() -> None:
    """A sample can land between the pane's mount and its view's: it waits, it does not raise."""
    from textual.app import App, ComposeResult

    from tui.app.widgets.workers_view import WorkersView

    view = WorkersView()
    stats = LatencyStats(0, None, None, None, 0, 0, 0, 0)
    view.show(WorkersSnapshot(0.0, None, stats, None, None, (), (), (), (),
                              Verdict(PoolState.UNKNOWN, "No sample yet")), "probe@example.invalid")

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield view

    app = Host()
    async with app.run_test(size=(80, 24)):
        await until(lambda: widget_text(app, view.query_one("#workers-verdict"))
                    == "No sample yet")
        assert view.query_one("#workers-verdict").has_class("state-warn")


async def test_a_pool_sample_landing_while_the_app_closes_is_dropped(
    healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing prunes leaf first: the verdict line goes while its view is still attached.

    A sample handed down in between used to raise NoMatches out of the closing app.
    """
    from tui.app.messages import Observed

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await until(lambda: app.latest_pool is not None
                    and app.latest_pool.snapshot is not None
                    and "Sampling the pool" not in visible_text(app))
        late = app.latest_pool
        landed: list[bool] = []

        def a_sample_lands(self: Static) -> None:
            if self.id == "workers-verdict":
                landed.append(app.post_message(Observed(late)))

        monkeypatch.setattr(Static, "on_unmount", a_sample_lands, raising=False)
    # Leaving run_test closed the app: an error in a handler would have been raised above.
    assert landed == [True]  # the sample was taken in while the app was closing

"""Nothing fails silently: a component that raises is said on its pane and in a notification,
and its next good sample clears it.

The real components do not raise on demand, so each test wraps one with `raising_once`
(its first call raises, the next ones run the real thing) or `raising_until_released`.
Those wrappers are the only fakes here, and stand for a bug or an unexpected error in
that component.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, Static

from tests.app.conftest import until, visible_text, widget_text
from tui.app.panes.logs import LogsPane
from tui.app.panes.lookup import LookupPane
from tui.app.panes.wizard import WizardPane
from tui.app.panes.workers import WorkersPane
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.result_card import ResultCard


def raising_once(real: Callable[..., Any], error: Exception) -> Callable[..., Any]:
    """`real`, except that its first call raises `error` (a component with a bug)."""
    calls = {"count": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            raise error
        return real(*args, **kwargs)

    return wrapped


def raising_until_released(real: Callable[..., Any], error: Exception
                           ) -> tuple[Callable[..., Any], threading.Event]:
    """`real`, except that it raises `error` until the returned event is set.

    For a failure shown only until the next good call: the test releases it once it has
    seen the failure on screen, however slowly the machine got the pane built.
    """
    release = threading.Event()

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not release.is_set():
            raise error
        return real(*args, **kwargs)

    return wrapped, release


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_a_log_reader_that_raises_is_stale_then_reads_again(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.core.log_sources.log_reader as log_reader

    monkeypatch.setattr("tui.core.monitor.monitor.RETRY_AFTER", 1.0)
    failing, release = raising_until_released(log_reader.open_sources,
                                              OSError("the disk is on fire"))
    monkeypatch.setattr(log_reader, "open_sources", failing)
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("2")
        await until(lambda: bool(app.query(LogsPane)))
        source = app.query_one("#logs-source", Static)
        await until(lambda: _text(source).startswith(
            "Stale: Reading the log failed: the disk is on fire"))
        assert "Reading the log failed" in visible_text(app)  # the notification too
        release.set()  # the disk is back
        await until(lambda: _text(source).startswith("Reading: "))  # the retry read it
        assert not source.has_class("-stale")
        assert "logs" not in app.failures


async def test_a_pool_sampler_that_raises_marks_the_workers_pane_until_it_samples(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.core.workers.sampler import WorkersSampler

    monkeypatch.setattr(WorkersSampler, "sample_pool",
                        raising_once(WorkersSampler.sample_pool, RuntimeError("no /proc today")))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("3")
        await until(lambda: bool(app.query(WorkersPane)))
        pane = app.query_one(WorkersPane)
        stale = pane.query_one("#workers-stale", Static)
        await until(lambda: "Sampling the worker pool failed: no /proc today" in visible_text(app))
        await until(lambda: stale.has_class("-hidden") and pane.snapshot is not None)
        assert "pool" not in pane.stale.failures


async def test_a_health_sample_that_raises_marks_the_strip_and_overview_stale(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.core.health_sampler as health_sampler

    monkeypatch.setattr(health_sampler, "sample_health",
                        raising_once(health_sampler.sample_health, ValueError("a bad cell")))
    app = make_app(health_interval=0.5)
    async with app.run_test(size=(100, 30), notifications=True):
        strip = app.query_one(HealthStrip)
        line = app.query_one("#overview-stale", Static)
        await until(lambda: "The health sample failed: a bad cell" in visible_text(app))
        await until(lambda: strip.snapshot is not None and not strip.stale)
        await until(lambda: line.has_class("-hidden"))


async def test_an_overview_read_that_raises_says_so_and_r_reads_again(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.core.log_sources.sources as sources

    # The pane's own read (discovery, configs, the log set-up); its errors list is the health
    # run's, which has a failure line of its own.
    monkeypatch.setattr(sources, "log_setup_of",
                        raising_once(sources.log_setup_of, KeyError("journal")))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        line = app.query_one("#overview-stale", Static)
        await until(lambda: "Reading discovery, configs and logs failed: 'journal'"
                    in widget_text(app, line))
        await pilot.press("r")
        await until(lambda: line.has_class("-hidden"))
        assert "…" not in _text(app.query_one("#overview-discovered", Static))


async def test_a_lookup_that_raises_is_not_asking_forever(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app.panes.lookup as lookup

    monkeypatch.setattr(lookup, "run_lookup",
                        raising_once(lookup.run_lookup, RuntimeError("the socket bit back")))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("4")
        await until(lambda: bool(app.query("#lookup-address")))
        field = app.query_one("#lookup-address", Input)
        await until(lambda: app.focused is field)
        await pilot.press(*"foo@domain.com", "enter")
        card = app.query_one(LookupPane).query_one(ResultCard)
        await until(lambda: "Stale: The lookup failed: the socket bit back" in visible_text(app))
        assert "Asking" not in widget_text(app, card)
        await pilot.press("enter")  # the same address again: the real lookup answers
        await until(lambda: "Authenticated: bar@domain.com" in visible_text(app))


async def test_a_wizard_walk_that_raises_says_so_and_f_walks_again(
        healthy_lab, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app.panes.wizard as wizard

    monkeypatch.setattr(wizard, "walk",
                        raising_once(wizard.walk, RuntimeError("a check exploded")))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("5")
        await until(lambda: bool(app.query(WizardPane)))
        pane = app.query_one(WizardPane)
        await until(lambda: app.focused is not None and pane in app.focused.ancestors_with_self)
        headline = pane.query_one("#wizard-headline", Static)
        await pilot.press("f")
        await until(lambda: "Stale: The wizard's checks failed: a check exploded"
                    in _text(headline))
        await pilot.press("f")
        await until(lambda: pane.diagnosis is not None, timeout=30)
        assert _text(headline).startswith("Diagnosis: ")

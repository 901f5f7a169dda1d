"""Overview on the real lab: latest errors, findings that link to a pane, discovery."""

from __future__ import annotations

import time

from textual.widgets import OptionList, Static

from tests.app.conftest import screen_text, until
from tui.app.panes.overview import OverviewPane, pane_for
from tui.app.widgets.health_strip import HealthStrip
from tui.app.widgets.pane_tabs import PaneTabs
from tui.core.findings import Finding, Severity


async def test_overview_shows_the_latest_error_and_a_finding_links_to_its_pane(
    break_lab, make_app
) -> None:
    lab = break_lab("marker-missing")
    lab.client().lookup("foo@domain.com")  # authdaemond logs the marker error
    app = make_app(health_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_work()
        # The list is the health run's read of the log, the same one the strip's cell is.
        await until(lambda: all(words in " ".join(screen_text(app).split())
                                for words in ("marker line not found", "marker-missing")))
        text = " ".join(screen_text(app).split())
        assert "marker line not found" in text
        assert "marker-missing" in text
        pane = app.query_one(OverviewPane)
        await until(lambda: pane._findings)  # the pane's own read of the configs
        ids = [finding.id for finding in pane._findings]
        assert "marker-missing" in ids
        options = app.query_one("#overview-findings", OptionList)
        options.focus()
        options.highlighted = ids.index("marker-missing")
        await pilot.press("enter")
        wanted = pane_for(pane._findings[ids.index("marker-missing")])
        await until(lambda: app.query_one(PaneTabs).active == wanted)  # bubbles to the app


def test_findings_route_to_the_pane_that_deals_with_them() -> None:
    def finding(fid: str) -> Finding:
        return Finding(fid, Severity.WARNING, "m")

    assert pane_for(finding("access.socket-dir")) == "overview"
    assert pane_for(finding("daemons-missing")) == "workers"
    assert pane_for(finding("debug-login-passwords")) == "logs"
    assert pane_for(finding("marker-missing")) == "wizard"


async def test_the_strip_and_the_overview_name_the_same_last_error_as_a_fault_begins(
    break_lab, make_app
) -> None:
    """A fault that starts while the app runs: the strip's last error and the Overview's
    latest errors are one read of the log, so they change together."""
    lab = break_lab()
    app = make_app(health_interval=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        strip = app.query_one(HealthStrip)
        pane = app.query_one(OverviewPane)
        await until(lambda: strip.snapshot is not None)
        began = time.time() - 1  # syslog stamps have whole seconds
        lab.apply(frozenset({"db-password-wrong"}))
        lab.client().lookup("foo@domain.com")  # authdaemond logs libpq's refusal

        def strip_names_the_new_error() -> bool:
            recent = strip.snapshot.recent if strip.snapshot else None
            newest = recent.errors[-1] if recent and recent.errors else None
            return (newest is not None and newest.signature.id == "db-password-wrong"
                    and (newest.line.timestamp or 0) >= began)

        await until(strip_names_the_new_error, timeout=20)
        await pilot.pause()
        snapshot = strip.snapshot
        assert snapshot is not None and snapshot.recent is not None
        assert pane.recent is snapshot.recent  # one observation, not a second read
        newest = snapshot.recent.errors[-1]
        listed = str(app.query_one("#overview-errors", Static).render()).splitlines()
        assert "db-password-wrong: " in listed[-1] and newest.line.message in listed[-1]
        assert snapshot.cell("last_error").word.startswith("db-password-wrong (")

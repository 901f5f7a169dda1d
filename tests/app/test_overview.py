"""Overview on the real lab: latest errors, findings that link to a pane, discovery."""

from __future__ import annotations

from textual.widgets import OptionList

from tests.app.conftest import screen_text, until
from tui.app.panes.overview import OverviewPane, pane_for
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
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "marker line not found" in text
        assert "marker-missing" in text
        pane = app.query_one(OverviewPane)
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

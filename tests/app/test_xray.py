"""The x-ray on the Overview: hop states from the lab, the first failing hop, its evidence."""

from __future__ import annotations

from functools import partial

from tests.app.conftest import screen_text, until
from tui.app.app import AuthlibApp
from tui.app.panes.wizard import WizardPane
from tui.app.screens.hop_screen import HopScreen
from tui.app.widgets.pane_tabs import PaneTabs
from tui.app.widgets.xray_chain import HopCard, XrayChain

_until = partial(until, timeout=20.0)  # this file's waits are longer


def _cards_show_hops(app: AuthlibApp) -> bool:
    """A sample arrived and the cards show it: they are built after the first frame, so
    the chain may hold hops a moment before its cards exist."""
    cards = list(app.query(HopCard))
    return bool(cards) and all(card.hop is not None for card in cards)


async def test_a_healthy_chain_is_all_ok(healthy_lab, make_app) -> None:
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)):
        chain = app.query_one(XrayChain)
        await _until(lambda: bool(chain.hops) and _cards_show_hops(app))
        cards = list(app.query(HopCard))
        assert len(cards) == 6
        # The Postfix hop reads deferrals from the shared lab log, where other tests write
        # s_connect lines on purpose; every hop the checks make up must be ok.
        assert all(card.has_class("-ok") for card in cards if card.id != "hop-delivery")


async def test_wrong_password_lights_postgres_and_enter_shows_the_evidence(break_lab, make_app):
    lab = break_lab("db-password-wrong")
    lab.client().lookup("foo@domain.com")  # a log line that points at the hop
    app = make_app(health_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        chain = app.query_one(XrayChain)
        await _until(lambda: bool(chain.hops) and _cards_show_hops(app))
        card = app.query_one("#hop-postgres", HopCard)
        assert card.has_class("-bad")
        # First failing, unless other tests' deferral lines in the shared log light Postfix.
        delivery_bad = app.query_one("#hop-delivery", HopCard).has_class("-bad")
        assert card.has_class("-first") is not delivery_bad
        if not delivery_bad:
            assert chain.first_failing_card() is card
        assert app.query_one("#hop-socket", HopCard).has_class("-ok")
        app.query_one("#hop-socket", HopCard).focus()
        await pilot.press("right", "right", "right")  # socket → workers → config → postgres
        assert app.focused is card
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, HopScreen))
        text = " ".join(screen_text(app).split())
        assert "password authentication failed" in text
        assert "Log lines that point here" in text
        await pilot.press("w")
        await _until(lambda: app.query_one(PaneTabs).active == "wizard"
                     and bool(app.query(WizardPane))
                     and app.query_one(WizardPane).diagnosis is not None)
        assert app.query_one(WizardPane).selected().id == "db-connect"

"""The first frame parses only its own rules; the others arrive before what they style.

`styles/later/*.tcss` is added to the stylesheet after the first frame, without
restyling what is on screen: that is right only while none of its rules matches a
widget of the first frame. And a screen pushed or a pane built afterwards must get
its rules.
"""

from __future__ import annotations

from textual.css.match import match
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.widget import Widget

from tests.app.conftest import until
from tui.app.app import AuthlibApp
from tui.app.panes.registry import PANES
from tui.app.screens.help_screen import HelpScreen
from tui.app.stylesheets import first_frame_stylesheet_paths, later_stylesheet_paths
from tui.app.widgets.pane_tabs import Pane


def _later_rules(app: AuthlibApp) -> list[RuleSet]:
    stylesheet = Stylesheet(variables=app.get_css_variables())
    for path in later_stylesheet_paths():
        stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
    return stylesheet.rules


def _first_frame_widgets(app: AuthlibApp) -> list[Widget]:
    """The main screen and what it holds, but for the panes that are not in front."""
    later_panes = {entry.pane_id for entry in PANES[1:]}
    screen = app.screen_stack[0]
    return [screen, *(widget for widget in screen.walk_children(Widget)
                      if not any(isinstance(node, Pane) and node.id in later_panes
                                 for node in widget.ancestors_with_self))]


def test_the_app_starts_with_the_first_frames_rules_only() -> None:
    assert later_stylesheet_paths(), "no later rules: the split is gone"
    assert first_frame_stylesheet_paths() == AuthlibApp.CSS_PATH
    assert not set(first_frame_stylesheet_paths()) & set(later_stylesheet_paths())


async def test_no_later_rule_styles_the_first_frame(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)):
        widgets = _first_frame_widgets(app)
        assert any(widget.id == "xray" for widget in widgets)  # the Overview is among them
        rules = _later_rules(app)
        assert rules
        matched = [(rule.css.splitlines()[0], widget) for rule in rules for widget in widgets
                   if match(rule.selector_set, widget)]
        assert matched == []


async def test_a_screen_and_a_pane_built_later_get_their_rules(healthy_lab, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        assert body.styles.width is not None and body.styles.width.value == 72  # dialogs.tcss
        await pilot.press("escape")
        await pilot.press("2")  # the Logs pane
        await until(lambda: bool(app.screen.query("#logs-status")))
        status = app.screen.query_one("#logs-status")
        assert status.styles.height is not None and status.styles.height.value == 1  # logs.tcss

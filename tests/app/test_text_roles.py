"""Span looks come from the stylesheet: `styled()` takes roles only, and every role has a rule."""

from __future__ import annotations

import pytest

from tui.app.stylesheets import stylesheet_paths
from tui.app.text import styled
from tui.app.text_roles import KEY, TEXT_ROLES


def test_a_literal_style_is_refused() -> None:
    with pytest.raises(ValueError, match="not a text role"):
        styled(("x", "bold $accent"))
    assert styled(("x", KEY), " y").plain == "x y"


def test_every_role_has_a_rule_in_the_stylesheet() -> None:
    css = "\n".join(path.read_text() for path in stylesheet_paths())
    for role in TEXT_ROLES:
        assert f"Screen > .{role} {{" in css, role


async def test_roles_resolve_to_the_stylesheets_look_in_both_themes(healthy_lab, make_app):
    from textual.widgets import Static

    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        probe = Static(styled(("k", KEY)), id="role-probe")
        await app.screen.mount(probe)
        await pilot.pause()
        seen = set()
        for theme in ("textual-dark", "nord", "textual-light"):  # accents differ
            app.theme = theme
            await pilot.pause()
            style = probe._get_style(KEY)
            accent = app.current_theme.to_color_system().accent
            assert style.bold and style.foreground is not None
            assert all(abs(a - b) <= 2 for a, b in zip(style.foreground.rgb, accent.rgb,
                                                        strict=True)), theme
            seen.add(style.foreground.rgb)
        assert len(seen) >= 2  # the look followed the theme switch


async def test_every_dialog_declares_the_roles(healthy_lab, make_app):
    """Dialogs inherit the roles from `Modal`: a span in the keys help gets the key look."""
    from textual.widgets import Static

    from tui.app.screens.help_screen import HelpScreen
    from tui.app.screens.modal import Modal

    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen) and isinstance(app.screen, Modal)
        static = app.screen.query(Static).last()
        style = static._get_style(KEY)
        assert style.bold and style.foreground is not None


async def test_a_role_keeps_every_text_style_its_rule_names(healthy_lab, make_app):
    """Reverse too: mail lost is drawn reversed, on the main screen and in a dialog."""
    from textual.widgets import Static

    from tui.app.text_roles import LOST

    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        for screen_key in ("", "question_mark"):  # the main screen, then a dialog
            if screen_key:
                await pilot.press(screen_key)
            probe = Static(styled(("lost", LOST)))
            await app.screen.mount(probe)
            await pilot.pause()
            for role in TEXT_ROLES:
                rule = app.screen.get_component_styles(role).text_style
                look = probe._get_style(f".{role}")
                for attribute in ("bold", "dim", "italic", "underline", "reverse", "strike"):
                    assert bool(getattr(look, attribute)) == bool(getattr(rule, attribute)), (
                        role, attribute)
            lost = probe._get_style(LOST)
            assert lost.bold and lost.reverse

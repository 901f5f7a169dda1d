"""Where the Textual CSS is: inside the wheel (`tui/styles`) or the checkout's `styles/`.

`styles/*.tcss` is what the first frame draws; `styles/later/*.tcss` holds the
other panes' and the screens' rules. Textual parses every rule it is given before
the first frame (and caches nothing across processes), so the later ones are added
to the app's stylesheet just before the first of those panes or screens is built
(`read_later_css`). They only match widgets that do not exist yet, so nothing on
screen needs restyling when they arrive.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    installed = _PACKAGE_DIR / "styles"  # force-included by hatchling into the wheel
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "styles"  # editable install / source checkout


def first_frame_stylesheet_paths() -> list[Path]:
    """The app's CSS_PATH: the rules of what its first frame draws."""
    return sorted(styles_dir().glob("*.tcss"))


def later_stylesheet_paths() -> list[Path]:
    return sorted((styles_dir() / "later").glob("*.tcss"))


def stylesheet_paths() -> list[Path]:
    """Every rule: for an app that builds all its panes at once (the replay)."""
    return [*first_frame_stylesheet_paths(), *later_stylesheet_paths()]


def read_later_css(app: App[Any]) -> None:
    """Add the later rules to `app`'s stylesheet (once; a second call reads nothing).

    Parsed when the stylesheet is next applied, i.e. when the pane or screen that
    needs them is mounted; the rules already parsed are kept (Textual's parse cache).
    """
    for path in later_stylesheet_paths():
        # As Stylesheet.read keys a file, but through add_source, which also drops the
        # selector map built for the rules so far (read keeps it).
        location = (str(path.absolute()), "")
        if not app.stylesheet.has_source(*location):
            app.stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=location)

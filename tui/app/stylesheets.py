"""Where the Textual CSS is: inside the wheel (`tui/styles`) or the checkout's `styles/`."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    installed = _PACKAGE_DIR / "styles"  # force-included by hatchling into the wheel
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "styles"  # editable install / source checkout


def stylesheet_paths() -> list[Path]:
    return sorted(styles_dir().glob("*.tcss"))

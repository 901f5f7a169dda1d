"""The only way external text reaches a widget: sanitised, and never parsed as markup.

Log lines, addresses and database values may carry escape sequences or Rich
markup (`[link=…]`). `plain()` runs them through the core sanitiser and wraps
them in a `Content`, which Textual renders as literal text.
"""

from __future__ import annotations

from textual.content import Content

from tui.app.text_roles import TEXT_ROLES
from tui.core.safe_text import DEFAULT_MAX_CHARS, safe_text


def plain(value: object, max_chars: int = DEFAULT_MAX_CHARS) -> Content:
    return Content(safe_text(value, max_chars))


def styled(*parts: tuple[object, str] | object) -> Content:
    """Assemble (text, role) pairs and plain values into one Content; every text sanitised.

    A role is one of `text_roles.py` ("" for none): how it looks is the stylesheet's
    business, so a literal style ("bold $accent") is refused here.
    """
    pieces: list[tuple[str, str] | str] = []
    for part in parts:
        if isinstance(part, tuple):
            text, style = part
            if style and style.removeprefix(".") not in TEXT_ROLES:
                raise ValueError(f"{style!r} is not a text role (tui/app/text_roles.py)")
            pieces.append((safe_text(text), style))
        else:
            pieces.append(safe_text(part))
    return Content.assemble(*pieces)

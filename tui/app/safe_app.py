"""The app base both apps share: every toast is sanitised and never parsed as markup.

Toasts carry command output, exception text, queue ids and paths. Textual would parse
`[link=…]` in them as markup and pass ESC/CR to the terminal; here each line of a message
goes through the core sanitiser first, whatever the caller passed.
"""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel

from tui.core.safe_text import safe_text


def toast_text(message: str) -> str:
    """`message` with each of its lines sanitised; the line breaks a caller meant stay."""
    return "\n".join(safe_text(line) for line in str(message).split("\n"))


class SafeApp(App[int]):
    """An App whose `notify` cannot drive the terminal or render markup."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Sanitise, then notify with markup off (`markup` is accepted and ignored)."""
        del markup  # external text is never markup; none of our toasts needs it
        super().notify(toast_text(message), title=safe_text(title, 200), severity=severity,
                       timeout=timeout, markup=False)

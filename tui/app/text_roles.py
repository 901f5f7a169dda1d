"""Named looks for spans of text. What each one looks like lives in `styles/app.tcss`.

A span's style is a role such as `.text--label`. Textual resolves it when the
span is drawn, against the component classes of the screen it is on (every
screen of ours declares `TEXT_ROLES`), so the look comes from the stylesheet
and follows the theme switcher, light or dark.
"""

from __future__ import annotations

from tui.core.findings import Severity

LABEL = ".text--label"  # a field's name, a heading word: bold
DIM = ".text--dim"  # hints, ages, units: dim
NOTE = ".text--note"  # advice, explanations: italic
MUTED = ".text--muted"  # secondary values
ACCENT = ".text--accent"  # commands, links to another pane
KEY = ".text--key"  # key names in the help
OK = ".text--ok"
OK_STRONG = ".text--ok-strong"
WARN = ".text--warn"
WARN_STRONG = ".text--warn-strong"
ERROR = ".text--error"
ERROR_STRONG = ".text--error-strong"
LOST = ".text--lost"  # mail lost (bounced): the most severe thing the app shows

# A finding's or a log line's severity (also as its string value, as recordings hold it).
SEVERITY_ROLE: dict[str, str] = {Severity.ERROR: ERROR_STRONG, Severity.WARNING: WARN,
                                 Severity.INFO: MUTED}

# Declared by every screen (`COMPONENT_CLASSES = TEXT_ROLES`): Textual looks a role up on
# the widgets above the span, up to its screen.
TEXT_ROLES: set[str] = {role.removeprefix(".") for role in (
    LABEL, DIM, NOTE, MUTED, ACCENT, KEY, OK, OK_STRONG, WARN, WARN_STRONG, ERROR, ERROR_STRONG,
    LOST)}

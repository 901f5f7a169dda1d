"""What our screens share: they draw every part of a text role's look.

Textual looks a span's role (`.text--label`, …) up on the widgets above it, up to
its screen, and only in the COMPONENT_CLASSES of DOM classes. It then turns the
rule into a visual style that keeps bold, dim, italic, underline and strike, but
drops reverse. Mail lost is drawn reversed, so that it outranks every colour and
still stands out with NO_COLOR; this puts reverse back where a role's rule asks
for it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.style import Style as VisualStyle

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


class RoleLooks(_Base):
    """Mixed into a Screen that declares `COMPONENT_CLASSES = TEXT_ROLES` (Textual reads
    those from DOM classes only): the roles' looks, with reverse kept."""

    def get_visual_style(self, *component_classes: str, partial: bool = False) -> VisualStyle:
        style = super().get_visual_style(*component_classes, partial=partial)
        if style.reverse is None and any(
            self.get_component_styles(name).text_style.reverse for name in component_classes
        ):
            return dataclasses.replace(style, reverse=True)
        return style

"""The base of every dialog of ours: a ModalScreen that declares the text roles.

Textual looks a span's role (`.text--label`, …) up on the widgets above it, up to
its screen, and only in the COMPONENT_CLASSES of DOM classes; declaring them once
(`RoleLooks`) gives every dialog the stylesheet's looks (MainScreen does it for the panes).
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from tui.app.screens.role_looks import RoleLooks
from tui.app.text_roles import TEXT_ROLES

ResultT = TypeVar("ResultT")


class Modal(RoleLooks, ModalScreen[ResultT]):
    COMPONENT_CLASSES = TEXT_ROLES

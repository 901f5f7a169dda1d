"""Messages the UI passes up: results of background work, requests to change pane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.core.health import HealthSnapshot
    from tui.core.xray import Hop


@dataclass
class HealthSampled(Message):
    """A fresh health snapshot from the background sampler (latest wins)."""

    snapshot: HealthSnapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, HealthSampled)


@dataclass
class ShowPane(Message):
    """Ask the app to switch pane, e.g. from a finding on the Overview."""

    pane: str


@dataclass
class OpenWizard(Message):
    """Open the wizard at the step that deals with a recognised log line."""

    step: str
    evidence: str = ""


@dataclass
class LookUp(Message):
    """Ask the Lookup pane to look an address up (e.g. an alias's destination)."""

    address: str


@dataclass
class XraySampled(Message):
    """The chain's hops from a fresh run of the checks (latest wins)."""

    hops: tuple[Hop, ...]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, XraySampled)


@dataclass
class HopChosen(Message):
    """The admin pressed enter on a hop of the x-ray: show its evidence."""

    hop: Hop

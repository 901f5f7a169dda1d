"""Messages the UI passes up: results of background work, requests to change pane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    # Imported with the monitor, just after the app's first frame: no observation exists
    # before that, so `can_replace` can import them when it first runs.
    from tui.core.monitor.observations import Observation
    from tui.core.xray import Hop


@dataclass
class Observed(Message):
    """An observation from the monitor's stream, delivered on the UI thread.

    Only the latest of a kind that replaces the one before (a health sample, a
    check run, a pool sample) is kept while the app is busy.
    """

    observation: Observation

    def can_replace(self, message: Message) -> bool:
        from tui.core.monitor.observations import (
            ChecksRan,
            HealthSampled,
            PoolSampled,
            QueueSampled,
        )

        # A newer sample of these kinds replaces one still waiting; log batches, failures
        # and recoveries are all delivered.
        return (isinstance(message, Observed)
                and type(message.observation) is type(self.observation)
                and isinstance(self.observation,
                               (HealthSampled, ChecksRan, PoolSampled, QueueSampled)))


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
class HopChosen(Message):
    """The admin pressed enter on a hop of the x-ray: show its evidence."""

    hop: Hop


@dataclass
class SamplingWanted(Message):
    """The Workers pane is shown: the pool, probe and sessions sampling should run."""


@dataclass
class ProbingWanted(Message):
    """The probe lookup was paused or resumed (p in the Workers pane)."""

    on: bool


@dataclass
class RetryMail(Message):
    """Retry the mail waiting for the chain (the wizard offers it after a fix), or one
    message of it (`queue_id`, from its trace), through the Queue pane's confirmation."""

    queue_id: str | None = None


@dataclass
class TraceWanted(Message):
    """Open the trace of a queue ID or an address (enter on a Queue row or a log line)."""

    query: str


@dataclass
class Notice(Message):
    """A toast asked for by a worker: `notify` belongs to the UI thread, a message does not."""

    text: str
    severity: SeverityLevel = "information"
    timeout: float = 10.0

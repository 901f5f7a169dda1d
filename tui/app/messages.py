"""Messages the UI passes up: results of background work, requests to change pane.

Plain classes with an `__init__`, as in Textual's guide: the app's first frame imports
this module, and a dataclass costs its code generation at import (~0.4 ms each).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    # Imported with the monitor, just after the app's first frame: no observation exists
    # before that, so `can_replace` can import them when it first runs.
    from tui.core.monitor.observations import Observation
    from tui.core.xray import Hop


class Observed(Message):
    """An observation from the monitor's stream, delivered on the UI thread.

    Only the latest of a kind that replaces the one before (a health sample, a
    check run, a pool sample) is kept while the app is busy.
    """

    def __init__(self, observation: Observation) -> None:
        super().__init__()
        self.observation: Observation = observation

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


class ShowPane(Message):
    """Ask the app to switch pane, e.g. from a finding on the Overview."""

    def __init__(self, pane: str) -> None:
        super().__init__()
        self.pane: str = pane


class OpenWizard(Message):
    """Open the wizard at the step that deals with a recognised log line."""

    def __init__(self, step: str, evidence: str = "") -> None:
        super().__init__()
        self.step: str = step
        self.evidence: str = evidence


class LookUp(Message):
    """Ask the Lookup pane to look an address up (e.g. an alias's destination)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address: str = address


class HopChosen(Message):
    """The admin pressed enter on a hop of the x-ray: show its evidence."""

    def __init__(self, hop: Hop) -> None:
        super().__init__()
        self.hop: Hop = hop


class SamplingWanted(Message):
    """The Workers pane is shown: the pool, probe and sessions sampling should run."""


class ProbingWanted(Message):
    """The probe lookup was paused or resumed (p in the Workers pane)."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on: bool = on


class RetryMail(Message):
    """Retry the mail waiting for the chain (the wizard offers it after a fix), or one
    message of it (`queue_id`, from its trace), through the Queue pane's confirmation."""

    def __init__(self, queue_id: str | None = None) -> None:
        super().__init__()
        self.queue_id: str | None = queue_id


class TraceWanted(Message):
    """Open the trace of a queue ID or an address (enter on a Queue row or a log line)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query: str = query


class Notice(Message):
    """A toast asked for by a worker: `notify` belongs to the UI thread, a message does not."""

    def __init__(self, text: str, severity: SeverityLevel = "information",
                 timeout: float = 10.0) -> None:
        super().__init__()
        self.text: str = text
        self.severity: SeverityLevel = severity
        self.timeout: float = timeout

"""One message as its history tells it: the ids, each recipient's attempts, its end.

Filled in by the joiner (`joiner.py`) line by line, then given causes
(`causes.py`) and verdicts (`verdict.py`); the story and the JSON document
read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.delivery_line import DeliveryInfo

DELAY_NAMES = ("before_queue_manager", "in_queue_manager", "connection", "transmission")


@dataclass
class Attempt:
    """One delivery attempt to one recipient, and what caused it to fail."""

    timestamp: float
    daemon: str  # pipe, local, virtual, smtp, …
    delivery: DeliveryInfo
    signature: Signature | None = None  # what the command output means, when it is known
    cause: DiagnosisId | None = None
    cause_words: str = ""  # the cause as a sentence part: "the database password was wrong"
    evidence: list[str] = field(default_factory=list)  # the joined lines, masked
    evidence_at: float | None = None  # the first joined authdaemond line's time

    @property
    def status(self) -> str:
        return self.delivery.status

    @property
    def failed(self) -> bool:
        return self.delivery.failed

    @property
    def output(self) -> str:
        """maildrop's output when Postfix logged one, else the status text."""
        info = self.delivery
        return (info.command_output if info.command_output is not None else info.reason).strip()

    @property
    def delays(self) -> dict[str, float]:
        """`delays=a/b/c/d` by name: before the queue manager (incl. time deferred), in it,
        connection set-up, transmission (for maildrop: its run, incl. authdaemond's answer)."""
        return dict(zip(DELAY_NAMES, self.delivery.delays, strict=False))


@dataclass
class Notice:
    """The bounce notice Postfix sent back for a message, and what became of it."""

    queue_id: str | None = None
    timestamp: float | None = None
    failed_to: str | None = None  # `sender notification failed to <…>` (Postfix 3.11)
    failed_reason: str = ""
    fate: str = ""  # the notice's own last status (sent, bounced, deferred), "" unknown


@dataclass
class TracedMessage:
    """Everything the history says about one queue file."""

    queue_id: str
    first_seen: float
    message_id: str | None = None
    sender: str | None = None
    received_by: str = ""  # pickup or smtpd
    client: str = ""
    queued_times: list[float] = field(default_factory=list)  # qmgr's `(queue active)` lines
    attempts: dict[str, list[Attempt]] = field(default_factory=dict)  # by recipient
    orig_to: dict[str, str] = field(default_factory=dict)  # recipient → address before aliasing
    notice: Notice = field(default_factory=Notice)
    notice_of: str | None = None  # this message is the bounce notice of that queue ID
    expired_at: float | None = None
    removed_at: float | None = None
    admin: list[tuple[float, str]] = field(default_factory=list)  # postsuper's actions
    last_seen: float = 0.0
    # The linked messages themselves (the notice sent for this one, the one this notice is for).
    notice_message: TracedMessage | None = field(default=None, repr=False, compare=False)
    original: TracedMessage | None = field(default=None, repr=False, compare=False)
    kept: bool = False  # part of the answer (it matches the query, or is a kept one's notice)

    @property
    def closed(self) -> bool:
        """qmgr (or postsuper) removed the queue file: a later line with this ID is new mail."""
        return self.removed_at is not None

    def addresses(self) -> set[str]:
        """Every address this message names, lower-cased: sender, recipients, original ones."""
        found = {address.lower() for address in self.attempts}
        found |= {address.lower() for address in self.orig_to.values() if address}
        if self.sender:
            found.add(self.sender.lower())
        return found

"""The Postfix queue as `postqueue -j` reports it: the mail authlib (or maildrop) is holding up.

`QueueSampler.sample()` is what a monitor calls on a schedule: one `postqueue`
run with a timeout. A postqueue that is missing, fails or hangs gives a
snapshot that says so (`error`), never an exception: "cannot see the queue"
is a state the admin needs to know about, not a crash.

A deferred recipient counts when its `delay_reason` is one of the chain's
(see `chain_reason`): maildrop's stderr as Postfix recorded it, `Command
output: ...`, classified by the same client signatures the log pane uses.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.logs.signatures import Signature, classify_command_output

POSTQUEUE = "postqueue"
POSTQUEUE_TIMEOUT = 10.0
COMMAND_OUTPUT_MARK = "Command output: "
# A 10 MB queue listing is ~20 000 messages: enough to count, bounded to stay cheap.
MAX_OUTPUT_BYTES = 10_000_000


@dataclass(frozen=True)
class QueuedRecipient:
    address: str
    reason: str  # delay_reason, "" when Postfix has not tried yet
    signature: Signature | None  # what maildrop's output means; None if not the chain's


@dataclass(frozen=True)
class QueuedMessage:
    queue_id: str
    queue_name: str  # deferred, active, incoming, hold, maildrop
    arrival_time: float
    sender: str
    recipients: tuple[QueuedRecipient, ...]

    @property
    def chain_recipients(self) -> tuple[QueuedRecipient, ...]:
        return tuple(r for r in self.recipients if r.signature is not None)


@dataclass(frozen=True)
class QueueSnapshot:
    """One look at the queue. `error` is set (and the counts are 0) when postqueue failed."""

    sampled_at: float
    config_dir: Path
    messages: tuple[QueuedMessage, ...] = ()
    error: str = ""
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def deferred_chain(self) -> tuple[QueuedMessage, ...]:
        """Deferred messages with at least one recipient held up by maildrop/authlib."""
        return tuple(m for m in self.messages
                     if m.queue_name == "deferred" and m.chain_recipients)

    @property
    def deferred_authlib(self) -> int:
        return len(self.deferred_chain)

    @property
    def oldest_seconds(self) -> float | None:
        """Age of the oldest such message, from its arrival; None when there is none."""
        arrivals = [m.arrival_time for m in self.deferred_chain]
        return max(0.0, self.sampled_at - min(arrivals)) if arrivals else None

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.address for m in self.deferred_chain
                                   for r in m.chain_recipients))

    @property
    def reasons(self) -> dict[str, int]:
        """Each distinct reason → how many recipients wait with it, most common first."""
        counts: dict[str, int] = {}
        for message in self.deferred_chain:
            for recipient in message.chain_recipients:
                counts[recipient.reason] = counts.get(recipient.reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    @property
    def signatures(self) -> tuple[Signature, ...]:
        """The distinct meanings of the reasons, in order of first appearance."""
        seen: dict[str, Signature] = {}
        for message in self.deferred_chain:
            for recipient in message.chain_recipients:
                if recipient.signature is not None:
                    seen.setdefault(recipient.signature.id, recipient.signature)
        return tuple(seen.values())


def chain_reason(reason: str) -> Signature | None:
    """The meaning of a deferral reason if maildrop (or authlib through it) caused it."""
    mark = reason.find(COMMAND_OUTPUT_MARK)
    if mark < 0:
        return None
    return classify_command_output(reason[mark + len(COMMAND_OUTPUT_MARK):])


def _message(record: dict[str, object]) -> QueuedMessage | None:
    recipients = []
    raw_recipients = record.get("recipients")
    for item in raw_recipients if isinstance(raw_recipients, list) else []:
        if not isinstance(item, dict):
            continue
        reason = str(item.get("delay_reason") or "")
        recipients.append(QueuedRecipient(str(item.get("address", "")), reason,
                                          chain_reason(reason)))
    arrival = record.get("arrival_time")
    if not isinstance(arrival, int | float):
        return None
    return QueuedMessage(str(record.get("queue_id", "")), str(record.get("queue_name", "")),
                         float(arrival), str(record.get("sender", "")), tuple(recipients))


def parse_postqueue_json(output: str) -> tuple[QueuedMessage, ...]:
    """One JSON object per line; a line that is not one is skipped."""
    messages = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and (message := _message(record)) is not None:
            messages.append(message)
    return tuple(messages)


@dataclass
class QueueSampler:
    """`postqueue -c DIR -j` on demand; each `sample()` is one bounded run."""

    config_dir: Path
    timeout: float = POSTQUEUE_TIMEOUT
    postqueue: str = POSTQUEUE
    last: QueueSnapshot | None = field(default=None, init=False)

    def sample(self) -> QueueSnapshot:
        now = time.time()
        args = [self.postqueue, "-c", str(self.config_dir), "-j"]
        try:
            completed = subprocess.run(args, capture_output=True, timeout=self.timeout,
                                       check=False)
        except FileNotFoundError:
            snapshot = QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} is not installed")
        except OSError as exc:
            snapshot = QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} could not run: {exc.strerror}")
        except subprocess.TimeoutExpired:
            snapshot = QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} did not answer within "
                                     f"{self.timeout:g} s")
        else:
            if completed.returncode != 0:
                said = completed.stderr.decode("utf-8", "replace").strip().splitlines()
                snapshot = QueueSnapshot(
                    now, self.config_dir,
                    error=f"{self.postqueue} failed (exit {completed.returncode})"
                    + (f": {said[-1]}" if said else ""))
            else:
                raw = completed.stdout[:MAX_OUTPUT_BYTES]
                snapshot = QueueSnapshot(
                    now, self.config_dir,
                    parse_postqueue_json(raw.decode("utf-8", "replace")),
                    truncated=len(completed.stdout) > MAX_OUTPUT_BYTES)
        self.last = snapshot
        return snapshot

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
import os
import selectors
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.logs.catalogue.record import Signature
from tui.core.logs.matcher.classify import classify_command_output

POSTQUEUE = "postqueue"
POSTQUEUE_TIMEOUT = 10.0
COMMAND_OUTPUT_MARK = "Command output: "
# A 10 MB queue listing is ~20 000 messages: enough to count, bounded to stay cheap.
MAX_OUTPUT_BYTES = 10_000_000
MAX_STDERR_BYTES = 64 * 1024  # only its last line is shown
READ_CHUNK = 64 * 1024


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
    truncated: bool = False  # postqueue was stopped early: the counts are a lower bound
    note: str = ""  # the sentence that says so, "" for a whole listing

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


@dataclass(frozen=True)
class _Listing:
    """What one postqueue run left behind: its output (whole lines when cut) and how it ended."""

    stdout: bytes
    stderr: bytes
    returncode: int | None  # None: we stopped it before it ended
    cut: str = ""  # "cap" or "timeout" when we stopped it; "" when it ended by itself


def _read_bounded(args: list[str], timeout: float, cap: int) -> _Listing:
    """Run `args`, reading its output as it comes; stop it at `cap` bytes or after `timeout`.

    A stopped run is killed and reaped here, and its output ends at the last whole line, so
    a record cut in the middle is not half-parsed. Raises OSError when it cannot start.
    """
    deadline = time.monotonic() + timeout
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = bytearray(), bytearray()
    cut = ""
    returncode: int | None = None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ, stdout)
            selector.register(process.stderr, selectors.EVENT_READ, stderr)
            while not cut and selector.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    cut = "timeout"
                    break
                for key, _ in selector.select(left):
                    chunk = os.read(key.fd, READ_CHUNK)
                    if not chunk:
                        selector.unregister(key.fileobj)
                    elif key.data is stderr:
                        stderr += chunk
                        del stderr[:-MAX_STDERR_BYTES]
                    else:
                        room = cap - len(stdout)
                        stdout += chunk[:room]
                        if len(chunk) > room:
                            cut = "cap"
                            break
        if not cut:
            try:  # both pipes are closed; it may still linger before it exits
                returncode = process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                cut = "timeout"
        if cut:
            process.kill()
            process.wait()
            del stdout[stdout.rfind(b"\n") + 1:]
    finally:
        if process.returncode is None:  # an exception above: never leave it running
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    return _Listing(bytes(stdout), bytes(stderr), returncode, cut)


@dataclass
class QueueSampler:
    """`postqueue -c DIR -j` on demand; each `sample()` is one bounded run.

    The listing is read as it arrives and never held beyond `MAX_OUTPUT_BYTES`: at the cap,
    or when the timeout passes, postqueue is killed and the messages read so far are kept,
    with a `note` saying the listing was cut.
    """

    config_dir: Path
    timeout: float = POSTQUEUE_TIMEOUT
    postqueue: str = POSTQUEUE
    last: QueueSnapshot | None = field(default=None, init=False)

    def sample(self) -> QueueSnapshot:
        now = time.time()
        args = [self.postqueue, "-c", str(self.config_dir), "-j"]
        try:
            listing = _read_bounded(args, self.timeout, MAX_OUTPUT_BYTES)
        except FileNotFoundError:
            snapshot = QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} is not installed")
        except OSError as exc:
            snapshot = QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} could not run: {exc.strerror}")
        else:
            snapshot = self._snapshot(now, listing)
        self.last = snapshot
        return snapshot

    def _snapshot(self, now: float, listing: _Listing) -> QueueSnapshot:
        messages = parse_postqueue_json(listing.stdout.decode("utf-8", "replace"))
        if listing.cut == "cap":
            return QueueSnapshot(now, self.config_dir, messages, truncated=True,
                                 note=f"queue listing cut at {MAX_OUTPUT_BYTES // 1_000_000} MB "
                                 f"({len(messages)} message(s) read; there are more)")
        if listing.cut == "timeout":
            if not messages:
                return QueueSnapshot(now, self.config_dir,
                                     error=f"{self.postqueue} did not answer within "
                                     f"{self.timeout:g} s")
            return QueueSnapshot(now, self.config_dir, messages, truncated=True,
                                 note=f"queue listing cut after {self.timeout:g} s "
                                 f"({len(messages)} message(s) read; there may be more)")
        if listing.returncode != 0:
            said = listing.stderr.decode("utf-8", "replace").strip().splitlines()
            return QueueSnapshot(now, self.config_dir,
                                 error=f"{self.postqueue} failed (exit {listing.returncode})"
                                 + (f": {said[-1]}" if said else ""))
        return QueueSnapshot(now, self.config_dir, messages)

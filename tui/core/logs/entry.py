"""One log entry, whichever source it came from (journald or a syslog file).

Both sources hand the UI the same immutable `LogEntry`, already classified, so
the pane never parses. The message stays raw (escape sequences, NUL and all):
the display layer sanitises, and a copy or a report can still show the truth.
Two things are changed here, once, for every consumer: passwords that
DEBUG_LOGIN=2 writes to the log are masked, and the size is bounded, because a
log line can be as long as a sender makes it.

A password can also run past courierlogger's 511-byte cut into the next message,
which has nothing in it to recognise. Each entry carries its `cut`; a reader that
reads in order passes `continues_secret` for the message after a cut password
(`secret_open`), and a reader that collects backwards settles it afterwards
(`with_orphan_context`, `continuations_newest_first`). Such a continuation is
masked whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from tui.core.logs.catalogue.courierlogger import ORPHAN_FRAGMENT
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.delivery_line import DeliveryInfo, is_maildrop_relay, parse_delivery_line
from tui.core.logs.kind import Kind
from tui.core.logs.matcher.classify import classify
from tui.core.logs.matcher.entry import AUTH_TAGS, classify_entry, is_pipe_tag
from tui.core.logs.matcher.orphan import looks_like_orphan_fragment
from tui.core.logs.matcher.text import LOG_INFO, priority_from_prefix
from tui.core.password_mask import (
    CONTINUATION_MASK,
    Cut,
    cut_of,
    mask_passwords,
    resolve_newest_first,
    secret_continues,
)

MESSAGE_CAP = 64 * 1024  # characters kept of one message
CUT_MARKER = "…[cut]"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A classified log line; `original_length` > len(message) means it was cut."""

    timestamp: float | None  # epoch seconds
    source: str  # "journal" or the file's path
    kind: Kind
    priority: int | None  # syslog 0-7 when known
    tag: str
    pid: int | None
    message: str  # raw, NOT sanitised, passwords masked; at most MESSAGE_CAP chars + CUT_MARKER
    signature: Signature | None
    cursor: str | None  # journal cursor or "path:offset"
    delivery: DeliveryInfo | None
    original_length: int  # characters in the full message (for cut files lines: bytes dropped too)
    cut: Cut = Cut.WHOLE  # what courierlogger's 511-byte limit may have done to it
    continued: bool = False  # the rest of a password cut off the previous message: masked whole

    @property
    def is_cut(self) -> bool:
        return self.original_length > MESSAGE_CAP

    @property
    def secret_open(self) -> bool:
        """The next message from this daemon carries the rest of a password."""
        return self.kind is Kind.AUTH and secret_continues(self.cut, self.continued)


# Called with each batch of new entries, oldest first, and with source events such as
# "rotated 03:12:04, reopened" (both from the follower's thread).
OnEntries = Callable[[list[LogEntry]], None]
OnEvent = Callable[[str], None]


def kind_of(tag: str, delivery: DeliveryInfo | None, auth_tags: Collection[str],
            login_tags: Collection[str] = ()) -> Kind:
    """AUTH for authdaemond's tag, LOGIN for a Courier login program's, DELIVERY for a pipe
    line to a maildrop transport."""
    if tag in auth_tags:
        return Kind.AUTH
    if tag in login_tags:
        return Kind.LOGIN
    if delivery is not None and is_maildrop_relay(delivery.relay):
        return Kind.DELIVERY
    return Kind.OTHER


def capped(message: str, extra_length: int = 0) -> tuple[str, int]:
    """The message cut to MESSAGE_CAP with a marker, and the full length."""
    length = len(message) + extra_length
    if length <= MESSAGE_CAP:
        return message, length
    return message[:MESSAGE_CAP] + CUT_MARKER, length


def build_entry(
    *,
    message: str,
    tag: str,
    source: str,
    timestamp: float | None,
    pid: int | None,
    cursor: str | None,
    priority: int | None = None,
    previous_message: str | None = None,
    auth_tags: Collection[str] = AUTH_TAGS,
    extra_length: int = 0,
    cut: Cut | None = None,
    continues_secret: bool = False,
    login_tags: Collection[str] = (),
) -> LogEntry:
    """Classify and bound one message; `extra_length` counts bytes a reader had to drop.

    `cut` is the message's, measured before a parser masked it (None: measure it
    here). `continues_secret` says the previous message from the daemon left a
    password open (its `secret_open`): this one is the rest of it and is masked whole.

    A prefix (`ERR:`…) in the message beats `priority`: it is only still there when
    nothing interpreted it, e.g. a daemon run without courierlogger logs at the
    unit's default priority. Real pipe lines are short; one over MESSAGE_CAP is not
    parsed, so a forged giant line cannot pin megabytes in `delivery`. A login program's
    line (`login_tags`) is matched against the catalogue like authdaemond's (its
    `authentication error:` is authlib's failure), without authdaemond's orphan-fragment
    guess, which `LOGIN FAILED, user=…` would fit.
    """
    if cut is None:
        cut = cut_of(message)
    if continues_secret and tag in auth_tags:
        return _continuation(
            LogEntry(timestamp=timestamp, source=source, kind=Kind.AUTH, priority=priority,
                     tag=tag, pid=pid, message="", signature=None, cursor=cursor,
                     delivery=None, original_length=0, cut=cut)
        )
    message = mask_passwords(message)
    is_delivery = is_pipe_tag(tag) and len(message) <= MESSAGE_CAP
    delivery = parse_delivery_line(message) if is_delivery else None
    prefix_priority = priority_from_prefix(message)
    if prefix_priority is not None:
        priority = prefix_priority
    signature = (
        None
        if is_pipe_tag(tag) and delivery is None
        else classify(message) if tag in login_tags and tag not in auth_tags
        else classify_entry(
            message,
            tag,
            priority=priority,
            previous_message=previous_message,
            auth_tags=auth_tags,
            delivery=delivery,
        )
    )
    text, length = capped(message, extra_length)
    return LogEntry(
        timestamp=timestamp,
        source=source,
        kind=kind_of(tag, delivery, auth_tags, login_tags),
        priority=priority,
        tag=tag,
        pid=pid,
        message=text,
        signature=signature,
        cursor=cursor,
        delivery=delivery,
        original_length=length,
        cut=cut,
    )


def _continuation(entry: LogEntry) -> LogEntry:
    """The entry as the masked rest of a password: a cut-off tail, with nothing of its text."""
    return dataclasses.replace(entry, message=CONTINUATION_MASK, signature=ORPHAN_FRAGMENT,
                               original_length=len(CONTINUATION_MASK), continued=True)


def with_orphan_context(entries: list[LogEntry]) -> list[LogEntry]:
    """Mark orphan fragments that only the previous authdaemond line reveals.

    Readers that go backwards (backfill) classify each line without its
    predecessor; this pass over the entries in time order adds that context,
    and masks whole the messages that carry the rest of a cut password.
    """
    previous: str | None = None
    secret_open = False
    result = []
    for entry in entries:
        if entry.kind is Kind.AUTH:
            if secret_open and not entry.continued:
                entry = _continuation(entry)
            secret_open = entry.secret_open
            if (
                entry.signature is None
                and entry.priority in (None, LOG_INFO)
                and looks_like_orphan_fragment(entry.message, previous)
            ):
                entry = dataclasses.replace(entry, signature=ORPHAN_FRAGMENT)
            previous = entry.message
        result.append(entry)
    return result


def continuations_newest_first(entries: Iterable[LogEntry]) -> Iterator[LogEntry]:
    """Newest-first entries with the rest of each cut password masked whole.

    An entry is handed on once an older one has shown whether a password was open
    before it, so a reader that stops early never saw an unmasked continuation.
    """
    for entry, continued in resolve_newest_first(
        entries, lambda entry: entry.cut if entry.kind is Kind.AUTH else None
    ):
        yield _continuation(entry) if continued and not entry.continued else entry

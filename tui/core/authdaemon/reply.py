"""Parsing authdaemond's reply into a typed record, the way the delivery client reads it.

libcourierauth (inside maildrop and authtest) reads at most 8191 bytes of the
reply, then walks it line by line: a `.` line means found, a `FAIL` line means
rejected, and running out of lines first is a temporary failure. So a reply
longer than 8191 bytes, whose `.` lies beyond what the client reads, is a
temporary failure for maildrop even though the daemon sent a whole answer. A
key that appears twice takes its last value. `PASSWD`/`PASSWD2` become
`Secret`s at once, so no repr, log line or screen can show them by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tui.core.authdaemon.outcome import Outcome
from tui.core.config.secret import Secret

SECRET_KEYS = frozenset({"PASSWD", "PASSWD2"})
# The delivery client's reply buffer is BUFSIZ (8192) bytes with room for the final NUL.
CLIENT_REPLY_LIMIT = 8191


@dataclass(frozen=True, slots=True)
class Account:
    """The fields of a successful reply; missing ones are None (authtest prints `(none)`)."""

    username: str | None = None
    uid: int | None = None
    gid: int | None = None
    home: str | None = None
    address: str | None = None
    name: str | None = None
    maildir: str | None = None
    quota: str | None = None
    options: str | None = None
    crypted_password: Secret | None = None
    clear_password: Secret | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Reply:
    """The outcome the reply stands for, the account when found, and a note when malformed."""

    outcome: Outcome
    account: Account | None = None
    note: str = ""


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def parse_reply(data: bytes) -> Reply:
    """Classify and parse the bytes read until the reply ended or the daemon closed."""
    if not data:
        return Reply(Outcome.TEMPFAIL, note="empty reply")
    seen = data[:CLIENT_REPLY_LIMIT].split(b"\0", 1)[0]  # a C string ends at NUL
    values: dict[str, str] = {}
    for raw_line in seen.split(b"\n"):
        line = raw_line.decode("utf-8", errors="replace")
        if line == ".":
            return Reply(Outcome.FOUND, _account(values))
        if line == "FAIL":
            return Reply(Outcome.NOT_FOUND)
        key, sep, value = line.partition("=")
        if sep:
            values[key] = value  # a repeated key: the last value wins, as in the client
    if len(data) > CLIENT_REPLY_LIMIT:
        return Reply(
            Outcome.TEMPFAIL,
            note=f"the reply is over {CLIENT_REPLY_LIMIT} bytes ({len(data)} read), more than "
            "the delivery client reads; its closing '.' is never seen, so maildrop gets a "
            "temporary failure",
        )
    return Reply(Outcome.TEMPFAIL, note="reply ended before the closing '.'")


_KNOWN_KEYS = frozenset(
    {"USERNAME", "UID", "GID", "HOME", "ADDRESS", "NAME", "MAILDIR", "QUOTA", "OPTIONS"}
)


def _account(values: dict[str, str]) -> Account:
    passwd = values.pop("PASSWD", None)
    passwd2 = values.pop("PASSWD2", None)
    return Account(
        username=values.get("USERNAME"),
        uid=_int_or_none(values.get("UID")),
        gid=_int_or_none(values.get("GID")),
        home=values.get("HOME"),
        address=values.get("ADDRESS"),
        name=values.get("NAME"),
        maildir=values.get("MAILDIR"),
        quota=values.get("QUOTA"),
        options=values.get("OPTIONS"),
        crypted_password=Secret(passwd) if passwd is not None else None,
        clear_password=Secret(passwd2) if passwd2 is not None else None,
        extra=MappingProxyType({k: v for k, v in values.items() if k not in _KNOWN_KEYS}),
    )

"""Parsing authdaemond's reply into a typed record.

Success is `KEY=value` lines then `.`; `FAIL` means rejected; anything else
(empty, cut before `.`) is a temporary failure, as libcourierauth decides
(domain.md §2.2, §2.3). `PASSWD`/`PASSWD2` become `Secret`s at once, so no
repr, log line or screen can show them by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tui.core.authdaemon.outcome import Outcome
from tui.core.config.secret import Secret

SECRET_KEYS = frozenset({"PASSWD", "PASSWD2"})


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
    """Classify and parse the bytes read until the daemon closed the connection."""
    if data == b"FAIL\n" or data.startswith(b"FAIL\n"):
        return Reply(Outcome.NOT_FOUND)
    if not data:
        return Reply(Outcome.TEMPFAIL, note="empty reply")
    if not (data == b".\n" or data.endswith(b"\n.\n")):
        return Reply(Outcome.TEMPFAIL, note="reply ended before the closing '.'")
    text = data[: -len(b".\n")].decode("utf-8", errors="replace")
    values: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue  # libcourierauth ignores lines it cannot split
        values.setdefault(key, value)
    passwd = values.pop("PASSWD", None)
    passwd2 = values.pop("PASSWD2", None)
    known = {"USERNAME", "UID", "GID", "HOME", "ADDRESS", "NAME", "MAILDIR", "QUOTA", "OPTIONS"}
    account = Account(
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
        extra=MappingProxyType({k: v for k, v in values.items() if k not in known}),
    )
    return Reply(Outcome.FOUND, account)

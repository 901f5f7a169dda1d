"""Which part of the chain wrote a log line; apart from the parser, so counting needs no parser."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Which part of the chain wrote the line: authdaemond, a maildrop delivery, a Courier
    IMAP/POP3 login (another client of authdaemond), or other."""

    AUTH = "auth"
    DELIVERY = "delivery"
    LOGIN = "login"
    OTHER = "other"

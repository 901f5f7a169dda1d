"""Which part of the chain wrote a log line; apart from the parser, so counting needs no parser."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Which part of the chain wrote the line: authdaemond, a maildrop delivery, or other."""

    AUTH = "auth"
    DELIVERY = "delivery"
    OTHER = "other"

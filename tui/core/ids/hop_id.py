"""The id of each hop of the chain x-ray, in the delivery path's order (recordings key by it)."""

from __future__ import annotations

from enum import StrEnum


class HopId(StrEnum):
    """Postfix → maildrop → socket → worker pool → authpgsql config → PostgreSQL."""

    DELIVERY = "delivery"
    MAILDROP = "maildrop"
    SOCKET = "socket"
    POOL = "pool"
    CONFIG = "config"
    POSTGRES = "postgres"

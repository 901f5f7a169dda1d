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


# The cards' titles, here beside the ids so the first frame can name the hops without
# importing the x-ray's model.
HOP_TITLES: dict[HopId, str] = {
    HopId.DELIVERY: "Postfix",
    HopId.MAILDROP: "maildrop",
    HopId.SOCKET: "socket",
    HopId.POOL: "workers",
    HopId.CONFIG: "authpgsql",
    HopId.POSTGRES: "PostgreSQL",
}

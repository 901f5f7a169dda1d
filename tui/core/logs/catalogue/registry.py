"""Every family of the catalogue, in match order, and the records they hold.

Within a channel the first matching record wins, so the order of the families here is
part of the catalogue, like the order of records in a family: specific before general.
A new family is one module and one line in FAMILIES.
"""

from __future__ import annotations

from tui.core.logs.catalogue import (
    authdaemond,
    authpgsqlrc,
    authtest,
    client_library,
    courier_imap,
    courier_login,
    courierlogger,
    couriertcpd,
    couriertls,
    init_scripts,
    lookup,
    lookup_normal,
    maildrop,
    other_modules,
    pgsql,
    postfix_maps,
    postfix_pipe,
)
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.record import Signature

FAMILIES: tuple[Family, ...] = (
    # authdaemond's own lines
    pgsql.FAMILY,
    other_modules.FAMILY,
    lookup.FAMILY,
    courier_login.FAMILY,
    authpgsqlrc.FAMILY,
    authdaemond.FAMILY,
    # maildrop's output in a Postfix pipe line
    client_library.FAMILY,
    maildrop.FAMILY,
    # the other programs of the chain, each on its own line, and authdaemond's normal work
    lookup_normal.FAMILY,
    courier_imap.FAMILY,
    couriertcpd.FAMILY,
    couriertls.FAMILY,
    authtest.FAMILY,
    postfix_maps.FAMILY,
    init_scripts.FAMILY,
    # told apart by context
    postfix_pipe.FAMILY,
    courierlogger.FAMILY,
)


def in_channel(channel: Channel) -> tuple[Signature, ...]:
    """The records read in one channel, in match order."""
    return tuple(signature for family in FAMILIES if family.channel is channel
                 for signature in family.signatures)


SIGNATURES = in_channel(Channel.AUTHDAEMOND)  # authdaemond's lines
CLIENT_SIGNATURES = in_channel(Channel.COMMAND_OUTPUT)  # maildrop's, after `Command output:`
PROGRAM_SIGNATURES = in_channel(Channel.PROGRAM)  # the chain's other programs' own lines
CONTEXT_SIGNATURES = in_channel(Channel.CONTEXT)
ALL_SIGNATURES: tuple[Signature, ...] = (*SIGNATURES, *CLIENT_SIGNATURES, *PROGRAM_SIGNATURES,
                                         *CONTEXT_SIGNATURES)
SIGNATURES_BY_ID: dict[str, Signature] = {signature.id: signature for signature in ALL_SIGNATURES}

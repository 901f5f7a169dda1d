"""What authdaemond answers for an address now, and so what the next retry will do."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.request import address_problem
from tui.core.installation import Installation

_NEXT_RETRY = {
    Outcome.FOUND: "the next retry will be delivered",
    Outcome.NOT_FOUND: "the next retry will bounce (user unknown)",
}


@dataclass(frozen=True)
class AnswerNow:
    outcome: Outcome | None  # None: not asked (no socket, an address we refuse to send)
    sentence: str


def answer_now(installation: Installation, address: str) -> AnswerNow:
    """Ask authdaemond the way maildrop does (PRE . login ADDRESS), with maildrop's timeouts."""
    if address_problem(address) is not None:
        return AnswerNow(None, "authdaemond not asked: the address cannot be sent safely")
    socket = installation.socket
    if socket is None:
        return AnswerNow(None, "authdaemond not asked: no socket found (give one with --socket)")
    timeouts = installation.lookup_timeouts
    client = AuthdaemonClient(socket, connect_timeout=timeouts.sock, read_timeout=timeouts.read,
                              write_timeout=timeouts.write)
    result = client.lookup(address)
    if result.outcome is Outcome.FOUND and result.account is not None:
        said = f"authdaemond finds it now (as {result.account.address})"
    else:
        said = f"authdaemond answers {result.outcome.value} now"
    then = _NEXT_RETRY.get(result.outcome, "the next retry will be deferred again")
    return AnswerNow(result.outcome, f"{said}: {then}")

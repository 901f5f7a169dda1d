"""What authdaemond answers for an address now, and so what the next retry will do."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.request import address_problem
from tui.core.installation import Installation

# What the outcome means for mail: (for a retry of the mail waiting, for new mail).
_CONSEQUENCE = {
    Outcome.FOUND: ("the next retry will be delivered", "new mail to it would be delivered"),
    Outcome.NOT_FOUND: ("the next retry will bounce (user unknown)",
                        "new mail to it would bounce (user unknown)"),
}
_TEMPORARY = ("the next retry will be deferred again", "new mail to it would be deferred")


@dataclass(frozen=True)
class AnswerNow:
    outcome: Outcome | None  # None: not asked (no socket, an address we refuse to send)
    sentence: str


def answer_now(installation: Installation, address: str, *, mail_waiting: bool = True
               ) -> AnswerNow:
    """Ask authdaemond the way maildrop does (PRE . login ADDRESS), with maildrop's timeouts.

    With no mail waiting there is no "next retry": the answer says what new mail would do.
    """
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
        account = result.account.address
        other = account is not None and account.lower() != address.lower()
        said = f"authdaemond finds it now (account {account})" if other else \
            "authdaemond finds it now"
    else:
        said = f"authdaemond answers {result.outcome.value} now"
    retry, new_mail = _CONSEQUENCE.get(result.outcome, _TEMPORARY)
    return AnswerNow(result.outcome, f"{said}: {retry if mail_waiting else new_mail}")

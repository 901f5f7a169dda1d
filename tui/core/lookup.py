"""One lookup, fully explained: authlib's answer, what the account means here, and why not.

The `lookup` command and the Lookup pane both call `run_lookup`, so they give
the same answer with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.account.context import AccountContext, account_context
from tui.core.authdaemon.client import AuthdaemonClient, LookupResult
from tui.core.authdaemon.client_timeouts import ClientTimeouts
from tui.core.authdaemon.outcome import Outcome
from tui.core.database.explain import ROW_NOTES, Explanation, Reason, explain_address
from tui.core.installation import Installation

# When the database looks fine, a tempfail comes from the config (marker, old keys…).
_DATABASE_LOOKS_FINE = (Reason.MAILBOX, Reason.CATCH_ALL, Reason.UNKNOWN)


@dataclass(frozen=True, slots=True)
class LookupReport:
    address: str
    service: str
    login: bool  # an AUTH test with a password, not a PRE lookup
    result: LookupResult
    context: AccountContext | None
    explanation: Explanation | None
    # How long maildrop waits here: a slow answer is judged against this, not our own limit.
    delivery: ClientTimeouts = field(default_factory=ClientTimeouts)

    @property
    def outcome(self) -> Outcome:
        return self.result.outcome

    @property
    def row_note(self) -> str:
        """What a found account's row hides (several rows, a line break in a value), or ""."""
        explanation = self.explanation
        if self.result.outcome is Outcome.FOUND and explanation and explanation.reason in ROW_NOTES:
            return explanation.sentence
        return ""

    def sentence(self) -> str:
        """One sentence that says what the outcome means here."""
        result, explanation = self.result, self.explanation
        if result.outcome is Outcome.FOUND:
            kind = "Login accepted" if self.login else "Found"
            delivered_as = result.account.address if result.account else "?"
            found = f"{kind}: {self.address} is delivered as {delivered_as}."
            return f"{found} {self.row_note}".strip()
        if result.outcome is Outcome.NOT_FOUND and self.login:
            detail = explanation.sentence if explanation else ""
            refused = f"Login refused for {self.address}: wrong password, or no such account."
            return f"{refused} {detail}".strip()
        if result.reply_too_long:
            return f"{result.outcome.value}: {result.note}."
        if result.outcome in (Outcome.NOT_FOUND, Outcome.TEMPFAIL) and explanation is not None:
            return f"{result.outcome.value}: {explanation.sentence}"
        if result.outcome is Outcome.TIMEOUT:
            return f"{result.outcome.value}: {self._timeout_sentence()}"
        where = f" ({result.socket_path}: {result.os_error})" if result.os_error else ""
        return f"{result.outcome.value}: {result.outcome.meaning}{where}"

    def _timeout_sentence(self) -> str:
        waited = self.result.latency_ms / 1000
        delivery = self.delivery
        return (
            f"No complete answer after {waited:.1f} s: the worker pool is saturated or the "
            f"database is slow. maildrop waits {delivery.read:g} s for the reply "
            f"({delivery.source}), then defers with 'Temporary authentication failure'."
        )


def run_lookup(
    installation: Installation,
    address: str,
    service: str = "login",
    password: str | None = None,
) -> LookupReport:
    """Ask authdaemond, then explain. Raises RefusedInput before sending a dangerous address."""
    if installation.socket is None:
        raise FileNotFoundError("no authdaemond socket found; give one with --socket")
    settings = installation.settings
    timeouts = installation.lookup_timeouts
    client = AuthdaemonClient(
        installation.socket,
        connect_timeout=timeouts.sock,
        read_timeout=timeouts.read,
        write_timeout=timeouts.write,
    )
    if password is not None:
        result = client.login(address, password, service)
    else:
        result = client.lookup(address, service)
    context = None
    account = result.account
    if account and account.uid is not None and account.gid is not None:
        context = account_context(
            account.uid, account.gid, account.home or "", account.maildir,
            group_file=settings.group_file.value, virtual_root=settings.virtual_root.value,
        )
    explanation = None
    config = installation.authpgsqlrc
    if result.outcome is Outcome.FOUND and config is not None and password is None:
        # Found, but the row may still hide something: several rows, a line break in a value.
        noted = explain_address(config, address, service)
        explanation = noted if noted.reason in ROW_NOTES else None
    if result.outcome in (Outcome.NOT_FOUND, Outcome.TEMPFAIL):
        if config is not None:
            explanation = explain_address(config, address, service)
        if result.outcome is Outcome.TEMPFAIL and (
            explanation is None or explanation.reason in _DATABASE_LOOKS_FINE
        ):
            explanation = installation.config_explanation() or explanation
    return LookupReport(address, service, password is not None, result, context, explanation,
                        installation.delivery_timeouts)

"""The result of one lookup as a card: outcome in words, authtest's fields, what it means here."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.app.formatting import latency_text
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR_STRONG, KEY, LABEL, OK_STRONG, WARN_STRONG
from tui.core.account.context import describe_account
from tui.core.authdaemon.authtest_block import authtest_block
from tui.core.authdaemon.outcome import Outcome
from tui.core.lookup import LookupReport

_OUTCOME_STYLE = {
    Outcome.FOUND: ("✓", OK_STRONG),
    Outcome.NOT_FOUND: ("✗", WARN_STRONG),
}
NEWLINE = Content("\n")


def card_content(report: LookupReport) -> Content:
    """Every value in it sanitised; passwords only ever as `(hidden)`."""
    mark, style = _OUTCOME_STYLE.get(report.outcome, ("✗", ERROR_STRONG))
    kind = "login" if report.login else "lookup"
    lines = [
        styled((f"{mark} {report.outcome.value}", style), "  ", (report.address, LABEL),
               (f"  {kind}, service {report.service}, "
                f"{latency_text(report.result.latency_ms)}", DIM)),
        plain(report.sentence()),
    ]
    if report.result.account is not None:
        lines.append(Content(""))
        lines.extend(plain(line) for line in authtest_block(report.result.account).splitlines())
    if report.context is not None:
        lines.append(Content(""))
        lines.append(styled(("Here: ", LABEL), describe_account(report.context)))
        lines.extend(plain(f"  {note}") for note in report.context.notes)
    explanation = report.explanation
    if explanation is not None and explanation.alias_destination:
        lines.append(Content(""))
        lines.append(styled(("F2", KEY),
                            f" look up the alias target {explanation.alias_destination}"))
    return NEWLINE.join(lines)


class ResultCard(Static, can_focus=True):
    """Focusable so a keyboard user can scroll and copy it."""

    def show(self, report: LookupReport) -> None:
        self.update(card_content(report))

    def show_message(self, text: str) -> None:
        self.update(plain(text))

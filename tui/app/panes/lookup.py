"""Lookup: the better authtest. Address, service, optional password; a result card; history.

Beside authdaemond's answer now, the mail to and from the address: its trace
(`TraceView`), streamed in while the history is read. A queue ID typed here
(digits and capitals, no @) shows its trace alone: authdaemond is not asked.

The address is validated as you type with the same rule the client enforces,
so a refused address never reaches the socket. The password field is masked,
cleared after each use and never kept in history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Static

from tui.app.formatting import latency_text
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.text import plain
from tui.app.widgets.result_card import ResultCard
from tui.app.widgets.trace_view import TraceView
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.authdaemon.request import RefusedInput, address_problem
from tui.core.installation import Installation
from tui.core.lookup import LookupReport, run_lookup
from tui.core.trace.query import Query, QueryError, QueryKind, parse_query
from tui.core.trace.sampled_state import SampledStates

if TYPE_CHECKING:
    from textual.app import App, SystemCommand

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class HistoryEntry:
    address: str
    service: str
    login: bool
    outcome: str
    latency_ms: float


def looks_like_queue_id(text: str) -> bool:
    """Digits and capitals, no @: what Postfix's queue IDs look like, and no login name."""
    return ("@" not in text and any(char.isdigit() for char in text)
            and not any(char.islower() for char in text))


class LookupPane(PaneBase, SaysWorkerFailures, Vertical):
    # What the lookup's worker says, in order: asking, then an answer or a refusal.
    @dataclass
    class Asking(Message):
        address: str

    @dataclass
    class Answered(Message):
        report: LookupReport

    @dataclass
    class Refused(Message):
        text: str

    BINDINGS = [
        Binding("f2", "look_up_alias_target", "Alias target",
                tooltip="Look up the alias target of the last result"),
        Binding("slash,ctrl+l", "focus_address", "Type address",
                tooltip="Type an address (focus the address field)"),
        Binding("escape", "leave_form", "Leave field", show=False,
                tooltip="Leave the form, so 1-5, r, ? and q work again"),
    ]
    widget_keys = (("enter", "Look up the address (with a password: test the login)"),
                   ("tab", "Next field; the history table re-runs a row with enter"))

    def __init__(self, installation: Installation,
                 installation_now: Callable[[bool], Installation] | None = None, *,
                 allow_fixes: bool = False,
                 states: Callable[[], SampledStates | None] = lambda: None) -> None:
        super().__init__(classes="pane-body", id="lookup-pane")
        self._states = states  # the monitor's samples, for the trace's causes
        self.installation = installation
        # A lookup reads the monitor's installation (in the app): a fixed config is seen.
        self._installation_now = installation_now or (lambda _fresh: installation.refreshed())
        self.history: list[HistoryEntry] = []
        self.last_report: LookupReport | None = None
        self.allow_fixes = allow_fixes

    @classmethod
    def build(cls, host: PaneHost) -> LookupPane:
        return cls(host.installation, host.installation_now, allow_fixes=host.allow_fixes,
                   states=lambda: host.sampled_states)

    def compose(self) -> ComposeResult:
        with Horizontal(id="lookup-form"):
            yield Input(placeholder="address, e.g. foo@domain.com", id="lookup-address")
            yield Input(value="login", placeholder="service", id="lookup-service")
            yield Input(placeholder="password (optional)", password=True, id="lookup-password")
            yield Button("Look up", id="lookup-go", variant="primary")
        yield Static("", id="lookup-problem")
        with VerticalScroll(id="lookup-result-scroll"):
            yield ResultCard("Type an address (or a queue ID), then enter. With a password, "
                             "a login is tested (AUTH) instead.", id="lookup-result")
        yield TraceView(lambda: self._installation_now(False), allow_fixes=self.allow_fixes,
                        states=self._states,
                        view_id="lookup-trace")
        yield Static("History (enter re-runs)", id="lookup-history-title")
        table: DataTable[str] = DataTable(id="lookup-history", cursor_type="row",
                                          zebra_stripes=True)
        yield table

    def mounted(self) -> None:
        table = self.query_one("#lookup-history", DataTable)
        # Fixed widths: auto widths are settled only when idle, and rows drawn before
        # that stayed cut ("look" for "lookup").
        for label, width in (("address", 32), ("service", 8), ("kind", 6), ("outcome", 20),
                             ("latency", 10)):
            table.add_column(label, width=width)

    # -- the form ---------------------------------------------------------------
    @on(Input.Changed, "#lookup-address")
    def _validate(self, event: Input.Changed) -> None:
        problem = address_problem(event.value) if event.value else None
        message = self.query_one("#lookup-problem", Static)
        message.update(plain(f"✗ {problem.message}") if problem else "")
        event.input.set_class(problem is not None, "-invalid")

    @on(Input.Submitted)
    @on(Button.Pressed, "#lookup-go")
    def _submit(self) -> None:
        address = self.query_one("#lookup-address", Input).value.strip()
        service = self.query_one("#lookup-service", Input).value.strip() or "login"
        password_input = self.query_one("#lookup-password", Input)
        password = password_input.value or None
        password_input.value = ""  # cleared after use, whatever happens next
        problem = address_problem(address)
        if problem is not None:
            self.query_one("#lookup-problem", Static).update(
                plain(f"✗ refused, nothing was sent: {problem.message}")
            )
            return
        if looks_like_queue_id(address):
            try:
                query = parse_query(address)
            except QueryError as exc:
                self.query_one("#lookup-problem", Static).update(
                    plain(f"✗ refused, nothing was read: {exc}"))
                return
            if query.kind is QueryKind.QUEUE_ID and password is None:
                self.query_one(ResultCard).show_message(
                    f"{address} is a Postfix queue ID: its trace is below (authdaemond is "
                    "not asked).")
                self._trace(query)
                return
        self._run(address, service, password)
        if password is None:
            self._trace_address(address)
        else:
            self.query_one(TraceView).clear("a login test is not traced: look the address up "
                                            "without a password to see its mail")

    def _trace_address(self, address: str) -> None:
        """The mail to and from an address, beside authdaemond's answer (none without @)."""
        if "@" not in address:
            self.query_one(TraceView).clear("a name without @ receives no mail to trace")
            return
        try:
            query = parse_query(address)
        except QueryError as exc:
            self.query_one("#lookup-problem", Static).update(plain(f"✗ no trace: {exc}"))
            self.query_one(TraceView).clear("no trace for this query")
            return
        self._trace(query)

    def _trace(self, query: Query) -> None:
        self.query_one("#lookup-problem", Static).update("")
        self.query_one(TraceView).start(query)

    def look_up(self, address: str) -> None:
        """Fill the form with `address` and look it up (used by links elsewhere)."""
        self.query_one("#lookup-address", Input).value = address
        self._run(address, self.query_one("#lookup-service", Input).value or "login", None)
        self._trace_address(address)
        if address_problem(address) is None:
            self._trace_address(address)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False,
          description="The lookup")
    def _run(self, address: str, service: str, password: str | None) -> None:
        self.post_message(self.Asking(address))
        try:
            report = run_lookup(self._installation_now(False), address, service, password)
        except (RefusedInput, FileNotFoundError) as exc:
            self.post_message(self.Refused(str(exc)))
            return
        finally:
            password = None
        self.post_message(self.Answered(report))

    failing_groups = ("lookup",)

    def worker_failed(self, group: str, sentence: str) -> None:
        """A lookup that raised says so on the card, not "Asking…" forever."""
        self._failed(f"Stale: {sentence}")

    def on_lookup_pane_asking(self, message: Asking) -> None:
        self.query_one(ResultCard).show_message(f"Asking authdaemond about {message.address}…")

    def on_lookup_pane_refused(self, message: Refused) -> None:
        self._failed(message.text)

    def _failed(self, text: str) -> None:
        self.query_one(ResultCard).show_message(text)

    def on_lookup_pane_answered(self, message: Answered) -> None:
        report = message.report
        self.last_report = report
        self.query_one(ResultCard).show(report)
        entry = HistoryEntry(report.address, report.service, report.login,
                             report.outcome.value, report.result.latency_ms)
        self.history.insert(0, entry)
        del self.history[HISTORY_LIMIT:]
        self._render_history()

    def _render_history(self) -> None:
        table = self.query_one("#lookup-history", DataTable)
        table.clear()
        for index, entry in enumerate(self.history):
            table.add_row(plain(entry.address), plain(entry.service),
                          "login" if entry.login else "lookup", entry.outcome,
                          latency_text(entry.latency_ms), key=str(index))

    @on(DataTable.RowSelected, "#lookup-history")
    def _rerun(self, event: DataTable.RowSelected) -> None:
        entry = self.history[int(event.row_key.value or 0)]
        self.query_one("#lookup-address", Input).value = entry.address
        self.query_one("#lookup-service", Input).value = entry.service
        if entry.login:  # passwords are never kept: ask for it again
            self.query_one("#lookup-password", Input).focus()
            self.query_one(ResultCard).show_message(
                f"Type the password again to re-test the login of {entry.address}."
            )
            return
        self._run(entry.address, entry.service, None)

    # -- actions ------------------------------------------------------------------
    def action_look_up_alias_target(self) -> None:
        report = self.last_report
        if report and report.explanation and report.explanation.alias_destination:
            self.look_up(report.explanation.alias_destination)
        else:
            self.app.notify("The last result is not an alias.", timeout=3)

    def home_widget(self) -> Widget:
        """The address field: a form puts the cursor in its field (esc leaves it for 1-5, q)."""
        return self.query_one("#lookup-address", Input)

    def action_focus_address(self) -> None:
        self.query_one("#lookup-address", Input).focus()

    def action_leave_form(self) -> None:
        self.query_one(ResultCard).focus()

    @classmethod
    def palette_commands(cls, app: App[Any]) -> Iterable[SystemCommand]:
        from textual.app import SystemCommand

        async def focus_lookup() -> None:
            await app.run_action("show_pane('lookup')")
            for pane in app.query(LookupPane):
                pane.action_focus_address()

        yield SystemCommand("Look up an address", "Open the Lookup pane, focus the address",
                            focus_lookup)
        yield SystemCommand("Trace mail", "What happened to the mail to/from an address or "
                            "with a queue ID (type it in the Lookup pane)", focus_lookup)

        def alias_target() -> None:
            for pane in app.query(LookupPane):
                pane.action_look_up_alias_target()

        yield SystemCommand("Look up the alias target", "F2 in the Lookup pane", alias_target)

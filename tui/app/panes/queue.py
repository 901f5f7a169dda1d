"""Queue: the mail waiting because of the chain, the mail it lost, and a retry you can watch.

The monitor hands down each queue sample (Postfix's `postqueue -j`, read by the
delivery checks) and what maildrop bounced in the last hour (Postfix's log).
Waiting mail is grouped by reason and listed by age; bounced mail is lost for
its sender and drawn in the strongest look the app has. `enter` on a row, waiting
or bounced, opens that message's trace. With --allow-fixes, `x` retries every
waiting message (`postqueue -f`), and the trace's `x` the one it shows
(`postqueue -i ID`), after a confirmation, audited; a watch then follows each
message in Postfix's own lines until it is delivered, deferred again or bounced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tui.app.formatting import clock
from tui.app.messages import Notice, OpenWizard, TraceWanted
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR_STRONG, LABEL, LOST, MUTED, NOTE, OK, WARN
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.durations import age_text
from tui.core.monitor.observations import FixRan, Observation, QueueSampled
from tui.core.monitor.retry_watch import RetryWatch
from tui.core.monitor.stream import ObservationStream
from tui.core.postfix.commands import flush_command, retry_command

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from textual.app import App, SystemCommand

    from tui.core.installation import Installation
    from tui.core.postfix.queue import QueuedMessage

NEWLINE = Content("\n")
REASONS_SHOWN = 4
BOUNCES_SHOWN = 3


class QueuePane(PaneBase, SaysWorkerFailures, Vertical):
    BINDINGS = [
        Binding("x", "retry_all", "Retry all", tooltip="Retry every waiting message now "
                "(postqueue -f; with --allow-fixes)"),
        Binding("w", "open_wizard", "Wizard", tooltip="Open the wizard at the waiting or lost "
                "mail"),
        Binding("enter", "trace_selected", "Trace", tooltip="Open the selected message's "
                "trace: every attempt, its cause, its end (x there retries it)"),
    ]
    widget_keys = (("↑ ↓", "Move between the waiting and the bounced messages"),)

    # The latest queue sample, set from the monitor's observations; each one redraws the pane.
    sample: var[QueueSampled | None] = var(None, always_update=True, init=False)

    def __init__(self, installation: Installation, *, allow_fixes: bool = False,
                 stream: ObservationStream | None = None,
                 refresh_now: Callable[[], None] | None = None) -> None:
        super().__init__(classes="pane-body", id="queue-pane")
        self.installation = installation
        self.allow_fixes = allow_fixes
        # The app's stream: a retry that ran goes on it, and a retry's watch follows it.
        self.stream = stream
        self.refresh_now = refresh_now  # ask the monitor for a queue sample now
        self.retry_watch: RetryWatch | None = None

    @classmethod
    def build(cls, host: PaneHost) -> QueuePane:
        return cls(host.installation, allow_fixes=host.allow_fixes, stream=host.stream,
                   refresh_now=host.monitor.refresh)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        return (QueueSampled,)

    def compose(self) -> ComposeResult:
        yield Static("Reading the queue…", id="queue-summary")
        yield Static("", id="queue-bounced")
        yield Static("", id="queue-watch")
        table: DataTable[str | Content] = DataTable(id="queue-table", cursor_type="row",
                                                    zebra_stripes=True)
        yield table
        yield Static("", id="queue-keys")

    def mounted(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        for label, width in (("queue id", 12), ("waiting", 8), ("recipient", 26),
                             ("why", 40)):
            table.add_column(label, width=width)
        self.set_interval(1.0, self._draw_watch)
        self._draw()  # the keys line, before any sample

    def home_widget(self) -> Widget:
        return self.query_one("#queue-table", DataTable)

    # -- what the monitor hands down (the pane is mounted: `PaneBase.show`) -------------------
    def show_sample(self, sample: QueueSampled) -> None:
        """A queue sample, at any time (kept until the pane is mounted)."""
        self.show(sample)

    def take(self, observation: Observation) -> None:
        if isinstance(observation, QueueSampled):
            self.sample = observation

    def watch_sample(self) -> None:
        self._draw()

    def _draw(self) -> None:
        sample = self.sample
        summary = self.query_one("#queue-summary", Static)
        bounced = self.query_one("#queue-bounced", Static)
        table = self.query_one("#queue-table", DataTable)
        table.clear()
        # One line that fits 80 columns, the --allow-fixes note included.
        keys = "x retry all · enter trace · w wizard"
        if not self.allow_fixes:
            keys += " (retries need --allow-fixes)"
        self.query_one("#queue-keys", Static).update(styled((keys, DIM)))
        if sample is None:
            return
        if sample.queue is None:
            summary.update(styled(("Queue: ", LABEL), (sample.note, MUTED)))
            bounced.update("")
            return
        queue = sample.queue
        when = f"  (sampled at {clock(sample.at)})"
        if not queue.ok:
            summary.update(styled(("Queue: cannot see it: ", ERROR_STRONG), queue.error,
                                  (when, DIM)))
        else:
            if not queue.deferred_chain:
                lines = [styled(("✓ No mail waits for maildrop or authdaemond", OK),
                                (f" ({len(queue.messages)} message(s) queued in all)", DIM),
                                (when, DIM))]
            else:
                oldest = age_text(queue.oldest_seconds or 0.0)
                lines = [styled((f"{queue.deferred_authlib} message(s) waiting", WARN),
                                f" for the chain, the oldest for {oldest}", (when, DIM))]
                for reason, count in list(queue.reasons.items())[:REASONS_SHOWN]:
                    lines.append(styled((f"{count:>5} × ", LABEL), plain(reason, max_chars=200)))
            if queue.note:  # a cut listing: the counts above are a lower bound
                lines.append(styled((queue.note, WARN)))
            summary.update(NEWLINE.join(lines))
        for message in queue.deferred_chain:
            for recipient in message.chain_recipients:
                why = recipient.signature.short if recipient.signature else recipient.reason
                # Every cell a Content: a str cell is parsed as markup by the DataTable.
                table.add_row(plain(message.queue_id),
                              plain(age_text(sample.at - message.arrival_time)),
                              plain(recipient.address), plain(why or "", max_chars=200),
                              key=f"{message.queue_id} {recipient.address}")
        self._draw_bounces(bounced, sample)
        self._bounced_rows(table, sample)

    @staticmethod
    def _bounced_rows(table: DataTable[str | Content], sample: QueueSampled) -> None:
        """The lost mail as rows too, in the strongest look: enter opens its trace."""
        report = sample.bounces
        if report is None:
            return
        for bounce in report.bounces:
            why = bounce.signature.short if bounce.signature else bounce.reason
            table.add_row(plain(bounce.queue_id), styled((" lost ", LOST)),
                          plain(bounce.recipient), plain(why or "", max_chars=200),
                          key=f"{bounce.queue_id} {bounce.recipient} lost")

    def _draw_bounces(self, bounced: Static, sample: QueueSampled) -> None:
        report = sample.bounces
        if report is None or not report.known:
            bounced.update(styled(("Bounces: no mail log could be read", MUTED)))
            return
        if not report.bounces:
            bounced.update(styled(("✓ No mail bounced by maildrop in the last hour", OK)))
            return
        recipients = ", ".join(report.recipients[:BOUNCES_SHOWN])
        if len(report.recipients) > BOUNCES_SHOWN:
            recipients += f" and {len(report.recipients) - BOUNCES_SHOWN} more"
        last = report.bounces[-1]
        lines = [
            styled((f" MAIL LOST: {report.count} message(s) bounced in the last hour ", LOST)),
            styled(("to ", LABEL), plain(recipients, max_chars=300)),
        ]
        if last.signature is not None:
            lines.append(styled(("meaning ", LABEL), plain(last.signature.short or
                                                           last.signature.meaning, 300)))
        lines += [styled(("Postfix ", LABEL), (f"{last.dsn} ", DIM), plain(last.reason, 300)),
                  styled(("Their senders got a bounce; they must send again. w: why", NOTE))]
        bounced.update(NEWLINE.join(lines))

    def _draw_watch(self) -> None:
        watch = self.retry_watch
        line = self.query_one("#queue-watch", Static)
        if watch is None:
            line.update("")
            return
        state = "done" if watch.done else "watching"
        line.update(styled((f"Retry at {clock(watch.started)} ({state}): ", LABEL),
                           plain(watch.summary(), max_chars=600)))

    # -- retrying ---------------------------------------------------------------------
    def action_retry_all(self) -> None:
        self._retry(None)

    @on(DataTable.RowSelected, "#queue-table")
    def _trace_row(self, event: DataTable.RowSelected) -> None:
        self.post_message(TraceWanted(str(event.row_key.value or "").split(" ", 1)[0]))

    def action_trace_selected(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        if table.row_count == 0:
            self.app.notify("No message listed: nothing to trace.", timeout=3)
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.post_message(TraceWanted(str(row_key.value or "").split(" ", 1)[0]))

    def retry_one(self, queue_id: str) -> None:
        """Retry one waiting message (asked from its trace): the same confirmation, audit
        and watch as every retry here."""
        self._retry(queue_id)

    def _retry(self, queue_id: str | None) -> None:
        sample = self.sample
        queue = sample.queue if sample is not None else None
        if queue is None or not queue.ok or not queue.deferred_chain:
            self.app.notify("No mail waits for the chain: nothing to retry.", timeout=4)
            return
        if not self.allow_fixes:
            self.app.notify("Read-only: start authlib-tui with --allow-fixes to retry mail from "
                            "here. Nothing was changed.", severity="warning", timeout=6)
            return
        waiting = tuple(m for m in queue.deferred_chain
                        if queue_id is None or m.queue_id == queue_id)
        if not waiting:
            self.app.notify(f"{queue_id} no longer waits.", timeout=4)
            return
        try:
            command = (flush_command(queue.config_dir) if queue_id is None
                       else retry_command(queue.config_dir, queue_id))
        except ValueError as exc:  # a queue id that is not one
            self.app.notify(str(exc), severity="error", markup=False)
            return
        what = ("every waiting message" if queue_id is None
                else f"message {queue_id}")

        def confirmed(run: bool | None) -> None:
            if run:
                self._run_retry(command, waiting)

        self.app.push_screen(ConfirmFixScreen(
            f"Retry {what}", "Postfix tries the delivery now instead of at its next retry; "
            "the watch then follows each message in Postfix's own lines.", (command,)),
            confirmed)

    @work(thread=True, exclusive=True, group="queue-retry", exit_on_error=False,
          description="Retrying the waiting mail")
    def _run_retry(self, command: str, waiting: tuple[QueuedMessage, ...]) -> None:
        from tui.core.fixes.runner import run_fix

        watch = RetryWatch(waiting, time.time())
        if self.stream is not None:
            if self.retry_watch is not None:
                self.stream.unsubscribe(self.retry_watch.observe)  # one watch at a time
            self.stream.subscribe(watch.observe)  # before the retry: no line of it is missed
        self.retry_watch = watch
        runs = run_fix((command,), allowed=self.allow_fixes,
                       audit_log=self.installation.settings.audit_log.value, check="mail-retry")
        for run in runs:
            if run.refused is not None:
                self.post_message(Notice(run.refused, severity="error"))
                continue
            if self.stream is not None:
                self.stream.publish(FixRan(time.time(), run.command, run.exit_code))
            if not run.ok:
                self.post_message(Notice(f"{run.command} → exit {run.exit_code}: "
                                         f"{run.output.strip()[:300]}", severity="error"))
        if self.refresh_now is not None:
            self.refresh_now()  # a queue sample now, not at the next interval

    failing_groups = ("queue-retry",)

    def worker_failed(self, group: str, sentence: str) -> None:
        self.query_one("#queue-watch", Static).update(styled(("Stale: ", ERROR_STRONG), sentence))

    def action_open_wizard(self) -> None:
        sample = self.sample
        lost = sample is not None and sample.bounces is not None and bool(sample.bounces.bounces)
        self.post_message(OpenWizard("mail-bounced" if lost else "mail-deferred",
                                     "the Queue pane"))

    @classmethod
    def palette_commands(cls, app: App[Any]) -> Iterable[SystemCommand]:
        from textual.app import SystemCommand

        async def trace_selected() -> None:
            await app.run_action("show_pane('queue')")
            for pane in app.query(QueuePane):
                pane.action_trace_selected()

        yield SystemCommand("Trace the selected queued message", "enter in the Queue pane",
                            trace_selected)

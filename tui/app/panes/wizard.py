"""Wizard: from the symptom to the cause to the fix, with the evidence at each step.

The checks live in the core (`tui.core.checks`); this pane runs a branch of them in
a thread worker and shows each result as it arrives. Fixes run only when the app
was started with --allow-fixes, after a confirmation that shows the exact commands,
and every run is audited and followed by a verify of the same check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.messages import Notice, RetryMail
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.app.screens.fix_text import FixTextScreen
from tui.app.text import plain, styled
from tui.app.text_roles import (
    ACCENT,
    DIM,
    ERROR_STRONG,
    KEY,
    LABEL,
    MUTED,
    NOTE,
    OK,
    OK_STRONG,
    WARN,
    WARN_STRONG,
)
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import (
    BRANCH_TITLES,
    Branch,
    Diagnosis,
    branch_for_step,
    check_by_id,
    run_checks,
)
from tui.core.checks.incident_note import IncidentNote
from tui.core.checks.registry import check_for_step
from tui.core.checks.result import CheckResult, Status
from tui.core.checks.walk import verdict, walk
from tui.core.fixes.runner import run_fix
from tui.core.installation import Installation
from tui.core.monitor.observations import FixRan, Observation, QueueSampled
from tui.core.safe_files import write_file
from tui.core.safe_text import pasteable, safe_text
from tui.core.timeline import Timeline

if TYPE_CHECKING:
    from textual.app import App, SystemCommand

    from tui.core.trace.trace import TraceReport

NEWLINE = Content("\n")
_STATUS_STYLE = {Status.OK: OK, Status.WARN: WARN, Status.FAIL: ERROR_STRONG,
                 Status.SKIP: MUTED}
_STATUS_WORD = {Status.OK: "✔ ok  ", Status.WARN: "⚠ warn", Status.FAIL: "✘ FAIL",
                Status.SKIP: "– skip"}
ENTRY_ORDER = (Branch.FIND, Branch.S_CONNECT, Branch.TEMPFAIL, Branch.ADDRESS, Branch.QUEUED,
               Branch.BOUNCED, Branch.LOGIN)


class WizardPane(PaneBase, SaysWorkerFailures, Vertical):
    # What the wizard's workers say, each as it happens (posted: thread-safe).
    @dataclass
    class Checked(Message):
        """One check of the walk ran."""

        result: CheckResult

    @dataclass
    class Diagnosed(Message):
        """The walk ended: its diagnosis."""

        diagnosis: Diagnosis
        branch: Branch

    @dataclass
    class Verified(Message):
        """A step's check ran again."""

        result: CheckResult

    @dataclass
    class FixSaid(Message):
        """A line of a running fix's output."""

        line: str

    @dataclass
    class FixCommandRan(Message):
        """One command of a fix ran, with its exit code."""

        command: str
        exit_code: int | None

    @dataclass
    class FixWorked(Message):
        """Every command of the fix succeeded: verify its check, offer the waiting mail."""

        check_id: str

    BINDINGS = [
        Binding("f", "find", "Find it",
                tooltip="Find it for me: run every check and name the cause"),
        Binding("c", "copy_fix", "Copy fix",
                tooltip="Copy the fix (OSC 52), and show it as selectable text"),
        Binding("v", "verify", "Verify", tooltip="Verify: run the step's check again"),
        Binding("x", "run_fix", "Run fix",
                tooltip="Run the fix (only with --allow-fixes, after a confirmation)"),
        Binding("e", "export", "Export", tooltip="Export the walk as a Markdown incident note"),
        Binding("m", "retry_mail", "Retry mail", tooltip="Retry the waiting mail now and watch "
                "it (Queue pane; --allow-fixes)"),
        Binding("escape", "entries", "Start over", show=False, tooltip="Back to the symptoms"),
    ]
    widget_keys = (("enter", "Start from the highlighted symptom"),
                   ("↑ ↓", "Move between steps; the right side shows evidence and fix"))

    def __init__(self, installation: Installation, *, allow_fixes: bool = False,
                 notes_dir: Path | None = None, timeline: Timeline | None = None,
                 publish: Callable[[Observation], None] | None = None,
                 last_trace: Callable[[], TraceReport | None] = lambda: None) -> None:
        super().__init__(classes="pane-body", id="wizard-pane")
        # The trace the user saw end last: the note tells that mail's story too.
        self.last_trace = last_trace
        # The app's stream: a fix that ran goes to the timeline and the recording through it.
        self.publish = publish
        self.waiting_mail = 0  # messages deferred for the chain, from the latest queue sample
        self.installation = installation
        self.allow_fixes = allow_fixes
        self.notes_dir = notes_dir or Path.home()
        self.timeline = timeline
        self.results: dict[str, CheckResult] = {}
        self.diagnosis: Diagnosis | None = None
        self.note = IncidentNote(installation)
        self._focus_check = ""
        self._fix_output: list[str] = []

    @classmethod
    def build(cls, host: PaneHost) -> WizardPane:
        return cls(host.installation, allow_fixes=host.allow_fixes, timeline=host.timeline,
                   publish=host.stream.publish, last_trace=lambda: host.last_trace)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        return (QueueSampled,)

    def take(self, observation: Observation) -> None:
        if isinstance(observation, QueueSampled):
            queue = observation.queue
            self.waiting_mail = queue.deferred_authlib if queue is not None and queue.ok else 0

    def compose(self) -> ComposeResult:
        yield Static("", id="wizard-request")
        yield OptionList(*[Option(BRANCH_TITLES[b], id=b.value) for b in ENTRY_ORDER],
                         id="wizard-entry")
        yield Input(placeholder="address to diagnose (enter runs the checks)",
                    id="wizard-address", classes="-hidden")
        yield Static(styled(("Choose where you start; ", DIM), ("f", LABEL),
                            (" runs every check.", DIM)), id="wizard-headline")
        with Horizontal(id="wizard-walk"):
            yield OptionList(id="wizard-steps")
            with VerticalScroll(id="wizard-detail"):
                yield Static("", id="wizard-step")
                yield Static("", id="wizard-output")

    def home_widget(self) -> Widget:
        steps = self.query_one("#wizard-steps", OptionList)
        return steps if steps.option_count else self.query_one("#wizard-entry", OptionList)

    # -- starting a walk -------------------------------------------------------------
    @on(OptionList.OptionSelected, "#wizard-entry")
    def _entry_chosen(self, event: OptionList.OptionSelected) -> None:
        branch = Branch(event.option.id or Branch.FIND.value)
        if branch is Branch.ADDRESS:
            address = self.query_one("#wizard-address", Input)
            address.remove_class("-hidden")
            address.focus()
            return
        self.start(branch)

    @on(Input.Submitted, "#wizard-address")
    def _address_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.start(Branch.ADDRESS, event.value.strip())

    def action_find(self) -> None:
        self.start(Branch.FIND)

    def action_entries(self) -> None:
        entry = self.query_one("#wizard-entry", OptionList)
        entry.remove_class("-collapsed")
        entry.focus()

    def show_request(self, step: str, evidence: str) -> None:
        """Opened from a log line or the Workers pane: run the branch that holds this step."""
        self.query_one("#wizard-request", Static).update(styled(
            ("You came here for step: ", LABEL), (step, KEY), "  ",
            ("evidence: ", DIM), (evidence, DIM)))
        self._focus_check = check_for_step(step) or ""
        self.start(branch_for_step(step))

    def start(self, branch: Branch, address: str = "") -> None:
        self.results.clear()
        self.diagnosis = None
        self._fix_output = []
        self.note = IncidentNote(self.installation)
        title = BRANCH_TITLES[branch] + (f": {address}" if address else "")
        self.note.start(title)
        self.query_one("#wizard-steps", OptionList).clear_options()
        self.query_one("#wizard-output", Static).update("")
        # The walk needs the room at 80×24; esc brings the symptoms back.
        self.query_one("#wizard-entry", OptionList).add_class("-collapsed")
        self.query_one("#wizard-address", Input).add_class("-hidden")
        self.query_one("#wizard-headline", Static).update(styled(
            (f"{title} — checking…", NOTE), ("  (esc: symptoms)", DIM)))
        self._walk(branch, address)

    @work(thread=True, exclusive=True, group="wizard", exit_on_error=False,
          description="The wizard's checks")
    def _walk(self, branch: Branch, address: str) -> None:
        context = CheckContext.fresh(self.installation)
        results = []
        for result in walk(context, branch, address):
            results.append(result)
            self.post_message(self.Checked(result))
        diagnosis = verdict(tuple(results), context, branch)
        self.post_message(self.Diagnosed(diagnosis, branch))

    failing_groups = ("wizard",)  # the walk, wizard-verify and wizard-fix

    def worker_failed(self, group: str, sentence: str) -> None:
        """A walk, verify or fix that raised says so where its result would have been."""
        if group == "wizard":
            self.action_entries()  # the symptoms again, with the keyboard: f runs it again
            self.query_one("#wizard-headline", Static).update(styled(
                ("Stale: ", ERROR_STRONG), sentence, ("  (f: again)", DIM)))
        else:
            self._show_output(sentence)

    # -- showing (UI thread) -------------------------------------------------------------
    def _line(self, result: CheckResult) -> Content:
        return styled((_STATUS_WORD[result.status], _STATUS_STYLE[result.status]), " ",
                      result.title)

    def on_wizard_pane_checked(self, message: Checked) -> None:
        self._add_result(message.result)

    def on_wizard_pane_diagnosed(self, message: Diagnosed) -> None:
        self._show_diagnosis(message.diagnosis, message.branch)

    def _add_result(self, result: CheckResult) -> None:
        self.results[result.id] = result
        self.note.add_result(result)
        steps = self.query_one("#wizard-steps", OptionList)
        steps.add_option(Option(self._line(result), id=result.id))
        if steps.highlighted is None or result.id == self._focus_check:
            steps.highlighted = steps.option_count - 1
            self._show_step(result)

    def _show_diagnosis(self, diagnosis: Diagnosis, branch: Branch) -> None:
        self.diagnosis = diagnosis
        self.note.set_diagnosis(diagnosis)
        style = {Status.OK: OK_STRONG, Status.WARN: WARN_STRONG}.get(
            diagnosis.status, ERROR_STRONG)
        self.query_one("#wizard-headline", Static).update(styled(
            ("Diagnosis: ", LABEL), (diagnosis.id, style), " — ", diagnosis.headline))
        steps = self.query_one("#wizard-steps", OptionList)
        target = self._focus_check or (diagnosis.cause.id if diagnosis.cause else "")
        self._focus_check = ""
        for index in range(steps.option_count):
            if steps.get_option_at_index(index).id == target:
                steps.highlighted = index
        steps.focus()

    @on(OptionList.OptionHighlighted, "#wizard-steps")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        result = self.results.get(event.option.id or "")
        if result is not None:
            self._show_step(result)

    def _show_step(self, result: CheckResult) -> None:
        lines = [styled((_STATUS_WORD[result.status], _STATUS_STYLE[result.status]), " ",
                        (result.title, LABEL)),
                 plain(result.finding)]
        if result.evidence:
            lines.append(styled(("evidence", LABEL)))
            lines += [styled("• ", item) for item in result.evidence if item]
        fix = result.fix
        if fix is not None and result.status in (Status.FAIL, Status.WARN):
            lines.append(styled(("fix", LABEL), "  ", (fix.why, NOTE)))
            lines += [styled(("$ ", LABEL), (command, ACCENT)) for command in fix.commands]
            if fix.diff:
                lines += [styled((line, WARN)) for line in fix.diff.splitlines()]
            if fix.refusal:
                lines.append(styled(("not run here: ", LABEL), (fix.refusal, WARN)))
            keys = "c copy · v verify" + (" · x run" if fix.runnable else "")
            if fix.runnable and not self.allow_fixes:
                keys += " (start with --allow-fixes to run it here)"
            lines.append(styled((keys, DIM)))
        elif result.status in (Status.FAIL, Status.WARN):
            lines.append(styled(("v verify", DIM)))
        self.query_one("#wizard-step", Static).update(NEWLINE.join(lines))

    def selected(self) -> CheckResult | None:
        steps = self.query_one("#wizard-steps", OptionList)
        if steps.highlighted is None:
            return None
        return self.results.get(steps.get_option_at_index(steps.highlighted).id or "")

    # -- actions on a step -----------------------------------------------------------------
    def action_copy_fix(self) -> None:
        result = self.selected()
        if result is None or result.fix is None:
            self.app.notify("This step has no fix to copy.", timeout=3)
            return
        text = result.fix.as_text() or result.fix.why
        if not pasteable(text):
            self.app.notify("This fix holds control characters (an escape sequence or a "
                            "carriage return); it was not copied, so nothing hidden can be "
                            "pasted into a shell.", severity="error", timeout=10)
            return
        self.app.copy_to_clipboard(text)
        self.app.push_screen(FixTextScreen(text))

    def action_verify(self) -> None:
        result = self.selected()
        if result is None:
            return
        if check_by_id(result.id) is None:
            self.app.notify("Re-run the address walk to check it again.", timeout=3)
            return
        self._verify(result.id)

    @work(thread=True, group="wizard-verify", exit_on_error=False,
          description="Verifying the check")
    def _verify(self, check_id: str) -> None:
        check = check_by_id(check_id)
        if check is None:
            return
        result = next(run_checks(CheckContext.fresh(self.installation), (check,)))
        self.post_message(self.Verified(result))

    def on_wizard_pane_verified(self, message: Verified) -> None:
        result = message.result
        self.results[result.id] = result
        self.note.add_verify(result)
        steps = self.query_one("#wizard-steps", OptionList)
        for index in range(steps.option_count):
            if steps.get_option_at_index(index).id == result.id:
                steps.replace_option_prompt_at_index(index, self._line(result))
        self._show_step(result)
        word = "green" if result.status is Status.OK else result.status.value
        self.app.notify(f"{result.title}: {word}", timeout=4,
                        severity="information" if result.status is Status.OK else "warning")

    def action_run_fix(self) -> None:
        result = self.selected()
        if result is None or result.fix is None or not result.fix.runnable:
            self.app.notify("This step has no command to run; copy its fix (c) instead.",
                            timeout=4)
            return
        if not self.allow_fixes:
            self.app.notify("Read-only: start authlib-tui with --allow-fixes to run fixes "
                            "from here. Nothing was changed.", severity="warning", timeout=6)
            return
        fix = result.fix

        def confirmed(run: bool | None) -> None:
            if run:
                self._fix_output = []
                self._run_fix(result.id, fix.commands)

        self.app.push_screen(ConfirmFixScreen(result.title, fix.why, fix.commands), confirmed)

    @work(thread=True, exclusive=True, group="wizard-fix", exit_on_error=False,
          description="Running the fix")
    def _run_fix(self, check_id: str, commands: tuple[str, ...]) -> None:
        def output(line: str) -> None:
            self.post_message(self.FixSaid(line))

        runs = run_fix(commands, allowed=self.allow_fixes,
                       audit_log=self.installation.settings.audit_log.value, check=check_id,
                       on_output=output)
        for run in runs:
            if run.refused is not None:  # never ran: nothing to note, time or record
                self.post_message(Notice(run.refused, severity="error"))
                continue
            self.post_message(self.FixCommandRan(run.command, run.exit_code))
            if self.publish is not None:
                self.publish(FixRan(time.time(), run.command, run.exit_code))
        if runs and all(run.ok for run in runs):
            self.post_message(self.FixWorked(check_id))

    def on_wizard_pane_fix_said(self, message: FixSaid) -> None:
        self._show_output(message.line)

    def on_wizard_pane_fix_command_ran(self, message: FixCommandRan) -> None:
        self.note.add_fix_run(message.command, message.exit_code)

    def on_wizard_pane_fix_worked(self, message: FixWorked) -> None:
        self._verify(message.check_id)
        self._offer_retry()

    def _offer_retry(self) -> None:
        """After a fix: the mail that waited meanwhile can go now (m), and be watched."""
        if self.waiting_mail:
            self._show_output(f"{self.waiting_mail} message(s) wait for the chain: m retries "
                              "them now (postqueue -f) and the Queue pane watches each one.")

    def _show_output(self, line: str) -> None:
        self._fix_output = [*self._fix_output, line][-40:]
        self.query_one("#wizard-output", Static).update(
            NEWLINE.join([styled(("fix output", LABEL))] + [plain(x) for x in self._fix_output]))

    def action_retry_mail(self) -> None:
        self.post_message(RetryMail())

    def action_export(self) -> None:
        if not self.note.results:
            self.app.notify("Nothing to export yet: run a walk first (f).", timeout=3)
            return
        path = self.notes_dir / time.strftime("authlib-incident-%Y%m%d-%H%M%S.md")
        incident = start = None
        if self.timeline is not None:  # the app's timeline, from the incident mark if set
            start = self.timeline.incident_start
            incident = [(e.at, f"{e.kind.value}: {e.text}") for e in self.timeline.events()]
        from tui.core.trace.report_section import trace_section

        trace = self.last_trace()
        sections = [trace_section(trace)] if trace is not None else []
        try:
            # Never through a link planted at the predictable name (the dir may be $HOME).
            write_file(path, self.note.render(incident, start, sections))
        except OSError as exc:
            self.app.notify(f"Cannot write {path}: {exc.strerror}", severity="error")
            return
        told = (f", with the trace of {safe_text(trace.query.text, 200)}" if trace is not None
                else "")
        self.app.notify(f"Incident note written to {path}{told}", timeout=6, markup=False)

    @classmethod
    def palette_commands(cls, app: App[Any]) -> Iterable[SystemCommand]:
        from textual.app import SystemCommand

        async def find_it() -> None:
            await app.run_action("find_it")  # the app's: the wizard may not be built yet

        yield SystemCommand("Find it for me", "Run every check and name the cause (wizard)",
                            find_it)

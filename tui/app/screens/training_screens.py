"""Training's modal screens: the symptom at the start, the diagnosis picker, the result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.app.screens.modal import Modal
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR_STRONG, LABEL, NOTE, OK_STRONG
from tui.core.checks.diagnosis import DIAGNOSIS_ORDER, HEALTHY, TRAINEE_LABELS
from tui.core.training.session import TrainingResult, TrainingSession


class SymptomScreen(Modal[None]):
    """What the trainee is told: only what an admin would get."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Start")]

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        with VerticalScroll(classes="training-body"):
            yield Static(styled(("Incident: ", LABEL), scenario.title,
                                f"  ({scenario.difficulty})"))
            yield Static(styled(("You practise: ", DIM), scenario.practises))
            yield Static(styled(("The maillog shows:", LABEL)))
            yield Static(plain(self.session.scenario.symptom), classes="training-symptom")
            root = self.session.settings_file.parent
            yield Static(styled(("Find the cause, tell the trainer (F7), fix it, then F8. Fix "
                                 "from the wizard (fixes are allowed on the lab) or in another "
                                 "terminal: ", NOTE),
                                (f"authlib-tui lab --dir {root} shell", LABEL),
                                (" (ApisCP's paths, cpcmd and upcp). Enter starts the clock.",
                                 NOTE)))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)




class DiagnosisScreen(Modal[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="training-body"):
            yield Static(styled(("I think it is …", LABEL), "  (enter answers, esc cancels; "
                                "the first answer counts)"))
            yield OptionList(*[Option(TRAINEE_LABELS[name], id=name)
                               for name in (*DIAGNOSIS_ORDER, HEALTHY)], id="training-answers")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResultScreen(Modal[None]):
    """The grade, and what the fault was, with the part of the Authlib page it is about."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, session: TrainingSession, result: TrainingResult) -> None:
        super().__init__()
        self.session = session
        self.result = result

    def compose(self) -> ComposeResult:
        result, scenario = self.result, self.session.scenario
        verdict = ("right", OK_STRONG) if result.right else ("wrong", ERROR_STRONG)
        with VerticalScroll(classes="training-body"):
            yield Static(styled(("Diagnosis ", LABEL), verdict, f": you said "
                                f"{result.diagnosis or 'nothing'}, it was "
                                f"{' + '.join(sorted(scenario.faults))}"))
            yield Static(plain(
                f"time to diagnosis {_seconds(result.seconds_to_diagnosis)} · time to fix "
                f"{_seconds(result.seconds_to_fix)} · hints used {result.hints_used}/"
                f"{len(scenario.hints)} · fixed: {'yes' if result.fixed else 'no'}"))
            yield Static(styled(("What happened", LABEL)))
            yield Static(plain(scenario.explanation))
            yield Static(styled(("From the Authlib page", LABEL)))
            yield Static(plain(scenario.page))
            yield Static(styled(("Enter closes; the result is in the training history.",
                                 DIM)))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} s"

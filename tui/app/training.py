"""Training on the lab: the symptom first, F6 a hint, F7 the answer, F8 checks the fix.

The app composes one `Training` when it runs a training session: it yields the
trainer bar, delegates F6–F8 here and hands back the check's result, which the
check's worker posts as a `TrainingChecked` message (the worker never touches the UI).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

from tui.app.actions import AppAction

if TYPE_CHECKING:  # the session's modules (the checks) are the lab's: not at start-up
    from tui.app.widgets.trainer_bar import TrainerBar  # built in training only
    from tui.core.training.session import TrainingSession

# Their keys work only in training (the app's check_action hides them otherwise).
TRAINING_ACTIONS: tuple[AppAction, ...] = (
    AppAction("f6", "training_hint", "Hint", "Training: a hint (counted)"),
    AppAction("f7", "training_answer", "I think it is…",
              "Training: I think it is… (the first answer counts)"),
    AppAction("f8", "training_check", "Check my fix",
              "Training: check my fix (every check, on the lab)"),
)


class TrainingChecked(Message):
    """The trainee's fix was checked with every check: the diagnosis now."""

    def __init__(self, diagnosis: str, headline: str) -> None:
        super().__init__()
        self.diagnosis = diagnosis
        self.headline = headline


class Training:
    def __init__(self, app: App[Any], session: TrainingSession) -> None:
        self.app = app
        self.session = session
        from tui.app.widgets.trainer_bar import TrainerBar

        # Held: a modal may be in front when it is redrawn.
        self.bar: TrainerBar = TrainerBar(session)

    def start(self) -> None:
        from tui.app.screens.training_screens import SymptomScreen

        self.app.push_screen(SymptomScreen(self.session), self._started)

    def _started(self, _result: None = None) -> None:
        self.session.started = time.monotonic()  # the clock starts when the trainee does

    def hint(self) -> None:
        hint = self.session.next_hint()
        self.bar.refresh_bar()
        self.app.notify(hint or "No more hints: the wizard (5, f) shows every check.",
                        title="Hint", timeout=12, markup=False)

    def answer(self) -> None:
        from tui.app.screens.training_screens import DiagnosisScreen

        self.app.push_screen(DiagnosisScreen(), self._answered)

    def _answered(self, diagnosis: str | None) -> None:
        if diagnosis is None:
            return
        session = self.session
        first = session.submitted is None
        session.submit(diagnosis)
        self.bar.answered = session.submitted or ""
        self.app.notify(("Recorded: " if first else "Already answered; the first answer "
                         "counts: ") + f"{session.submitted}. Fix it, then F8.",
                        title="Trainer", timeout=8, markup=False)

    def check(self) -> None:
        """Every check, in a worker; its failure is toasted by the app (SaysWorkerFailures)."""
        self.app.run_worker(self._verify, thread=True, exclusive=True, group="training",
                            exit_on_error=False,
                            description="check the trainee's fix with every check")

    def _verify(self) -> None:
        diagnosis = self.session.verify()
        self.app.post_message(TrainingChecked(diagnosis.id, diagnosis.headline))

    def checked(self, message: TrainingChecked) -> None:
        session = self.session
        if not session.fixed:
            self.app.notify(f"Not fixed yet: {message.diagnosis} — {message.headline}",
                            title="Trainer", severity="warning", timeout=10, markup=False)
            return
        from tui.app.screens.training_screens import ResultScreen
        from tui.core.training.session import trainee

        result = session.result(trainee())
        self.app.push_screen(ResultScreen(session, result), lambda _: self.app.exit(0))

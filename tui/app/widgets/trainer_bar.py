"""The trainer bar: the scenario, the clock, hints used, and the keys to answer and to check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.widgets import Static

from tui.app.text import styled
from tui.app.text_roles import KEY, LABEL, NOTE

if TYPE_CHECKING:  # the session's modules (the checks) are the lab's: not at start-up
    from tui.core.training.session import TrainingSession


def clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


class TrainerBar(Static):
    """Redrawn every second; the session itself lives in the app (attributes down)."""

    answered: reactive[str] = reactive("")

    def __init__(self, session: TrainingSession) -> None:
        super().__init__(id="trainer-bar")
        self.session = session

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_bar)
        self.refresh_bar()

    def watch_answered(self) -> None:
        self.refresh_bar()

    def refresh_bar(self) -> None:
        session = self.session
        answer = f"answered: {session.submitted}" if session.submitted else "not answered yet"
        self.update(styled(
            ("Training ", LABEL), (session.scenario.title, NOTE), "  ",
            (clock(session.elapsed()), KEY),
            f"  hints {session.hints_used}/{len(session.scenario.hints)} · {answer}  ",
            ("F6", LABEL), " hint  ", ("F7", LABEL), " I think it is…  ",
            ("F8", LABEL), " check my fix",
        ), layout=False)

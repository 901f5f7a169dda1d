"""One training run: a lab broken by a scenario, the clock, hints, the diagnosis and the verdict.

The trainer never trusts the trainee: "fixed" means the same checks the wizard
runs come back healthy on the lab, and "right" means the submitted diagnosis is
one the scenario accepts. Abandoning a run takes the lab down completely.
"""

from __future__ import annotations

import getpass
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import HEALTHY, Diagnosis, find_it
from tui.core.checks.result import Status
from tui.core.installation import Installation
from tui.core.safe_files import open_for_append
from tui.core.training.scenarios import Scenario

VERIFY_TIMEOUT = 10.0
MAIL_DEFERRED_CHECK = "mail-deferred"


def trainee() -> str:
    """Who is training: sudo's caller when run as root through sudo."""
    return os.environ.get("SUDO_USER") or getpass.getuser()


def default_history_path() -> Path:
    """`$XDG_DATA_HOME/authlib-tui/training.jsonl` (a team lead reads it with --history)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "authlib-tui" / "training.jsonl"


@dataclass
class TrainingResult:
    scenario: str
    trainee: str
    started: str
    diagnosis: str | None
    right: bool
    seconds_to_diagnosis: float | None
    seconds_to_fix: float | None
    hints_used: int
    fixed: bool
    abandoned: bool = False


@dataclass
class TrainingSession:
    """The trainee's progress on one scenario; `settings_file` points the app at the lab."""

    scenario: Scenario
    settings_file: Path
    started: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)
    hints_used: int = 0
    submitted: str | None = None
    diagnosed_after: float | None = None
    fixed_after: float | None = None
    last_check: Diagnosis | None = None

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def next_hint(self) -> str | None:
        """The next hint, counted; None when there are no more."""
        if self.hints_used >= len(self.scenario.hints):
            return None
        self.hints_used += 1
        return self.scenario.hints[self.hints_used - 1]

    def submit(self, diagnosis: str) -> bool:
        """The first submission counts; later ones are only answered."""
        right = diagnosis in self.scenario.answers
        if self.submitted is None:
            self.submitted = diagnosis
            self.diagnosed_after = self.elapsed()
        return right

    @property
    def right(self) -> bool:
        return self.submitted in self.scenario.answers

    def verify(self) -> Diagnosis:
        """Run every check on the lab: fixed means healthy AND the waiting mail delivered."""
        installation = Installation.from_flags({"config": str(self.settings_file)})
        self.last_check = find_it(CheckContext(installation, VERIFY_TIMEOUT))
        if (self.last_check.id == HEALTHY and mail_delivered(self.last_check)
                and self.fixed_after is None):
            self.fixed_after = self.elapsed()
        return self.last_check

    @property
    def fixed(self) -> bool:
        return self.fixed_after is not None

    def result(self, trainee: str, *, abandoned: bool = False) -> TrainingResult:
        return TrainingResult(
            scenario=self.scenario.id,
            trainee=trainee,
            started=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started_wall)),
            diagnosis=self.submitted,
            right=self.right,
            seconds_to_diagnosis=_rounded(self.diagnosed_after),
            seconds_to_fix=_rounded(self.fixed_after),
            hints_used=self.hints_used,
            fixed=self.fixed,
            abandoned=abandoned,
        )


def mail_delivered(diagnosis: Diagnosis) -> bool:
    """The queue holds no mail deferred by maildrop or authlib (the check looked and said so).

    A repaired chain with the scenario's mail still deferred is not fixed yet: the
    trainee retries it (`postqueue -f`) or waits for Postfix to.
    """
    queue = next((r for r in diagnosis.results if r.id == MAIL_DEFERRED_CHECK), None)
    return queue is not None and queue.status is Status.OK


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def append_history(path: Path, result: TrainingResult) -> None:
    """One line onto the history: a private file of ours, never through a planted link."""
    fd = open_for_append(path)
    with os.fdopen(fd, "a", encoding="utf-8") as history:
        history.write(json.dumps(asdict(result)) + "\n")


def history_problem(path: Path) -> str | None:
    """Why the result could not be kept at `path`, asked before the lab starts, or None.

    Under `sudo -E` the default is in the caller's home, which root refuses to write
    under; better said now than after the trainee's run.
    """
    try:
        os.close(open_for_append(path))
    except OSError as exc:
        return (f"cannot keep the training history in {path}: {exc.strerror}; "
                "name another with --history-file")
    return None


def read_history(path: Path) -> list[TrainingResult]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    results = []
    for line in lines:
        try:
            results.append(TrainingResult(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a line from another version: skip it, keep the rest
    return results

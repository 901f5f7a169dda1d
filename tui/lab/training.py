"""A training run on its own lab: break it as the scenario says, and always take it down after.

The lab is the one `lab up` starts; the scenario's faults are applied before the
trainee sees anything, and whatever happens (a right answer, a crash, Ctrl+C) the
result is recorded and the lab removed with nothing left behind.
"""

from __future__ import annotations

from pathlib import Path

from tui.core.training.scenarios import Scenario
from tui.core.training.session import (
    TrainingResult,
    TrainingSession,
    append_history,
    trainee,
)
from tui.lab.apiscp_tools import install_tools
from tui.lab.lab import COURIER_WORKERS_FILE, Lab

TRAINING_RECIPIENT = "foo@domain.com"


def start_training(scenario: Scenario, root: Path | None = None) -> tuple[Lab, TrainingSession]:
    lab = Lab.create(root)
    try:
        lab.wait_found()
        lab.apply(scenario.faults)
        # Real mail meets the fault: its deferral is the symptom, and "fixed" includes it
        # being delivered.
        lab.send(TRAINING_RECIPIENT)
        install_tools(lab.root, COURIER_WORKERS_FILE)
    except BaseException:
        lab.down()
        raise
    return lab, TrainingSession(scenario, lab.settings_file)


def finish_training(lab: Lab, session: TrainingSession, history: Path) -> TrainingResult:
    """Record the run (abandoned unless fixed) and remove the lab."""
    try:
        result = session.result(trainee(), abandoned=not session.fixed)
        append_history(history, result)
        return result
    finally:
        lab.down()

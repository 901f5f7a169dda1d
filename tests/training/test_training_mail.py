"""Training grades the mail too: a repaired chain with the scenario's mail still deferred is
not fixed until that mail reaches the Maildir."""

from __future__ import annotations

import subprocess
import time

from tui.core.checks.diagnosis import HEALTHY, WARNINGS
from tui.core.postfix.queue import QueueSampler
from tui.core.training.scenarios import SCENARIOS_BY_ID
from tui.core.training.session import TrainingSession
from tui.lab.lab import Lab
from tui.lab.training import TRAINING_RECIPIENT, start_training


def _retry_and_grade(trained: Lab, session: TrainingSession) -> None:
    """The waiting mail retried and delivered, the queue empty: only then is it fixed."""
    flushed = trained.log_size()
    trained.postfix.flush()
    assert "status=sent" in trained.wait_for_delivery(TRAINING_RECIPIENT, flushed)
    sampler = QueueSampler(trained.postfix.config_dir)
    deadline = time.monotonic() + 20
    while sampler.sample().messages:
        assert time.monotonic() < deadline, "the queue did not drain"
        time.sleep(0.05)
    assert trained.delivered()
    assert session.verify().id == HEALTHY and session.fixed

def test_fixed_means_healthy_and_the_waiting_mail_delivered(lab: Lab) -> None:
    trained, session = start_training(SCENARIOS_BY_ID["daemon-stopped"])
    try:
        line = trained.wait_for_delivery(TRAINING_RECIPIENT, 0)
        assert "status=deferred" in line and "Connection refused" in line
        assert session.verify().id == "daemon-stopped" and not session.fixed

        trained.fix_start()
        waiting = session.verify()
        assert waiting.id == WARNINGS and waiting.cause is not None
        assert waiting.cause.id == "mail-deferred" and not session.fixed

        _retry_and_grade(trained, session)
    finally:
        trained.down()


def test_socket_permission_is_fixed_by_the_offered_fix_and_a_retry(lab: Lab) -> None:
    """The scenario's symptom is the line the lab's Postfix really writes; the fix the checks
    offer (the lab's setuid-maildrop, never the host's binary) and a retry grade it fixed."""
    scenario = SCENARIOS_BY_ID["socket-permission"]
    trained, session = start_training(scenario)
    try:
        line = trained.wait_for_delivery(TRAINING_RECIPIENT, 0)
        assert "status=deferred" in line
        assert scenario.symptom.split("status=deferred", 1)[1] in line
        diagnosis = session.verify()
        assert diagnosis.id == "socket-permission" and not session.fixed
        assert diagnosis.fix is not None
        for command in diagnosis.fix.commands:
            subprocess.run(command, shell=True, check=True, timeout=120, capture_output=True)

        waiting = session.verify()
        assert waiting.id == WARNINGS and waiting.cause is not None
        assert waiting.cause.id == "mail-deferred" and not session.fixed

        _retry_and_grade(trained, session)
    finally:
        trained.down()

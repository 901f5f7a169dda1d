"""Training on the real lab: a scripted trainee solves scenarios and is graded by the checks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from functools import partial
from pathlib import Path

from textual.widgets import OptionList

from tests.app.conftest import screen_text, until
from tui.app.app import AuthlibApp
from tui.app.panes.wizard import WizardPane
from tui.app.screens.confirm_fix import ConfirmFixScreen
from tui.app.screens.training_screens import DiagnosisScreen, ResultScreen, SymptomScreen
from tui.core.installation import Installation
from tui.core.training.scenarios import SCENARIOS, SCENARIOS_BY_ID
from tui.core.training.session import TrainingResult, TrainingSession, read_history
from tui.lab.apiscp_tools import install_tools
from tui.lab.lab import COURIER_WORKERS_FILE, Lab
from tui.lab.process import pid_alive
from tui.lab.training import finish_training, start_training

_until = partial(until, timeout=30.0)  # this file's waits are longer


def training_app(lab: Lab, scenario_id: str) -> tuple[AuthlibApp, TrainingSession]:
    session = TrainingSession(SCENARIOS_BY_ID[scenario_id], lab.settings_file)
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    return AuthlibApp(installation, health_interval=3600, allow_fixes=True,
                      training=session), session


async def answer(app: AuthlibApp, pilot, diagnosis: str) -> None:
    await pilot.press("f7")
    await _until(lambda: isinstance(app.screen, DiagnosisScreen))
    options = app.screen.query_one(OptionList)
    options.highlighted = next(i for i in range(options.option_count)
                               if options.get_option_at_index(i).id == diagnosis)
    await pilot.press("enter")
    await _until(lambda: not isinstance(app.screen, DiagnosisScreen))


def in_lab_shell(lab: Lab, *command: str) -> subprocess.CompletedProcess[str]:
    """What the trainee types in `authlib-tui lab shell` (ApisCP's paths, cpcmd/upcp)."""
    return subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "--dir", str(lab.root),
                           "shell", "--", *command],
                          capture_output=True, text=True, timeout=120)



def shown_result(app: AuthlibApp) -> TrainingResult:
    """The grade on the result screen in front."""
    assert isinstance(app.screen, ResultScreen)
    return app.screen.result

async def test_trainee_fixes_a_stopped_daemon_from_the_wizard(break_lab) -> None:
    lab = break_lab("daemon-stopped")
    app, session = training_app(lab, "daemon-stopped")
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(lambda: isinstance(app.screen, SymptomScreen))
        assert "s_connect() failed: Connection refused" in " ".join(screen_text(app).split())
        await pilot.press("enter")
        await pilot.press("f6")  # one hint
        assert session.hints_used == 1
        await answer(app, pilot, "daemon-stopped")
        assert session.submitted == "daemon-stopped"
        await pilot.press("f8")  # not fixed yet: the trainer checks, it does not believe
        await app.wait_for_work()
        assert not session.fixed
        await pilot.press("5", "f")
        wizard = app.query_one(WizardPane)
        await _until(lambda: wizard.diagnosis is not None)
        await pilot.press("x")
        await _until(lambda: isinstance(app.screen, ConfirmFixScreen))
        await pilot.click("#confirm-run")
        await _until(lambda: wizard.results["daemon-listening"].status.value == "ok")
        await pilot.press("f8")
        await _until(lambda: isinstance(app.screen, ResultScreen))
        text = " ".join(screen_text(app).split())
        assert "Diagnosis" in text and "right" in text
        result = shown_result(app)
        assert result.right and result.fixed and result.hints_used == 1
        assert result.seconds_to_fix is not None
        await pilot.press("enter")
    assert app.return_code == 0


async def test_trainee_repairs_with_upcp_in_the_lab_shell(break_lab) -> None:
    lab = break_lab("db-password-wrong")
    app, _ = training_app(lab, "db-password-wrong")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await answer(app, pilot, "db-password-wrong")
        done = await asyncio.to_thread(in_lab_shell, lab, "upcp", "-sb",
                                       "mail/configure-courier-authlib")
        assert done.returncode == 0, done.stderr
        assert "Bootstrapper role mail/configure-courier-authlib" in done.stdout
        await pilot.press("f8")
        await _until(lambda: isinstance(app.screen, ResultScreen))
        result = shown_result(app)
        assert result.right and result.fixed
        assert result.hints_used == 0


async def test_a_wrong_diagnosis_is_graded_wrong(break_lab) -> None:
    lab = break_lab("daemon-stopped")
    app, _ = training_app(lab, "daemon-stopped")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await answer(app, pilot, "workers-saturated")  # the classic wrong guess
        await answer(app, pilot, "daemon-stopped")  # too late: the first answer counts
        await asyncio.to_thread(lab.fix_start)
        await pilot.press("f8")
        await _until(lambda: isinstance(app.screen, ResultScreen))
        result = shown_result(app)
        assert not result.right and result.fixed
        assert result.diagnosis == "workers-saturated"
        assert "wrong" in " ".join(screen_text(app).split())


def test_cpcmd_and_upcp_fix_a_saturated_pool(break_lab) -> None:
    lab = break_lab("workers-saturated")
    install_tools(lab.root, COURIER_WORKERS_FILE)
    session = TrainingSession(SCENARIOS_BY_ID["workers-saturated"], lab.settings_file)
    assert session.verify().id == "workers-saturated"
    done = in_lab_shell(lab, "cpcmd", "scope:set", "cp.bootstrapper", "courier_workers", "5")
    assert done.returncode == 0, done.stderr
    assert in_lab_shell(lab, "cpcmd", "something", "else").returncode == 2
    assert in_lab_shell(lab, "upcp", "-sb", "mail/configure-courier-authlib").returncode == 0
    assert lab.state.workers is None  # the shell's lab object is another process's
    assert Lab.load(lab.root).state.workers == 5
    assert "daemons=5" in lab.authdaemonrc.read_text()
    assert session.verify().id == "healthy" and session.fixed
    lab.state = Lab.load(lab.root).state  # so the fixture's teardown sees the override


def test_an_abandoned_scenario_leaves_nothing_behind(tmp_path: Path) -> None:
    history = tmp_path / "training.jsonl"
    lab, session = start_training(SCENARIOS_BY_ID["stopped-and-marker"])
    root = lab.root
    assert session.verify().id == "daemon-stopped"
    pids = [lab.state.holder_pid, lab.state.sink_pid, lab.pg.postmaster_pid()]
    assert all(pid is not None and pid_alive(pid) for pid in pids)
    result = finish_training(lab, session, history)
    assert result.abandoned and not result.fixed and result.diagnosis is None
    assert not root.exists()
    assert [pid for pid in pids if pid is not None and pid_alive(pid)] == []
    assert str(root) not in Path("/proc/self/mountinfo").read_text()
    recorded = read_history(history)
    assert [r.scenario for r in recorded] == ["stopped-and-marker"]


def test_every_scenario_is_complete() -> None:
    ids = [scenario.id for scenario in SCENARIOS]
    assert len(ids) == len(set(ids)) == 11
    assert sum(len(s.faults) > 1 for s in SCENARIOS) == 2
    for scenario in SCENARIOS:
        assert scenario.hints and scenario.symptom and scenario.explanation and scenario.page
        assert scenario.answers and scenario.difficulty in ("easy", "medium", "hard")

"""The debug-login check: DEBUG_LOGIN=2 in the lab's real authdaemonrc is reported with its fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import check_by_id, run_checks
from tui.core.checks.registry import check_for_step
from tui.core.checks.result import Status
from tui.core.installation import Installation
from tui.lab.lab import Lab

pytestmark = pytest.mark.lab


def debug_login_result(lab: Lab):
    check = check_by_id("debug-login")
    assert check is not None
    context = CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))
    return next(run_checks(context, (check,)))


def test_debug_login_2_is_a_warning_with_the_fix(break_lab: Callable[..., Lab]) -> None:
    lab = break_lab("debug-login-passwords")
    result = debug_login_result(lab)
    assert result.status is Status.WARN
    assert "DEBUG_LOGIN=2" in result.finding and "cleartext password" in result.finding
    assert result.fix is not None
    assert any("DEBUG_LOGIN=0" in command for command in result.fix.commands)
    assert result.fix.commands[-1].endswith(" restart")  # the lab's stand-in for stop+start
    assert check_for_step("debug-login-passwords") == "debug-login"


def test_debug_login_off_or_1_is_fine(lab: Lab, break_lab: Callable[..., Lab]) -> None:
    assert debug_login_result(break_lab("debug-login")).status is Status.OK
    assert debug_login_result(break_lab()).status is Status.OK

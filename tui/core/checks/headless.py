"""`authlib-tui check` without the CLI around it: every check, under one overall deadline.

Each network call has its own timeout, but a run makes several; the deadline
bounds the whole run, so a monitoring system that waits S seconds gets an
answer (UNKNOWN, saying why) even when authdaemond or PostgreSQL hangs.
"""

from __future__ import annotations

import threading
import time

from tui.core.checks.address_checks import address_checks
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, diagnose, run_checks
from tui.core.checks.output import CheckRun
from tui.core.checks.result import CheckResult
from tui.core.installation import Installation

DEFAULT_DEADLINE = 30.0


def run_check(installation: Installation, deadline: float = DEFAULT_DEADLINE,
              address: str | None = None) -> CheckRun:
    # Each call may use a third of the run: a hang in one still leaves time to report it.
    context = CheckContext(installation, timeout=max(0.5, deadline / 3))
    results: list[CheckResult] = []
    started = time.monotonic()

    def work() -> None:
        for result in run_checks(context, ALL_CHECKS):
            results.append(result)
        if address:
            results.extend(address_checks(context, address))

    worker = threading.Thread(target=work, name="authlib-check", daemon=True)
    worker.start()
    worker.join(deadline)
    seconds = time.monotonic() - started
    if worker.is_alive():
        done = ", ".join(r.id for r in results) or "none"
        return CheckRun(None, context, seconds,
                        unknown=f"the checks did not finish within {deadline:g} s: authdaemond "
                        f"or PostgreSQL does not answer (finished: {done})")
    return CheckRun(diagnose(tuple(results)), context, seconds)

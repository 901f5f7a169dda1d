"""Run a fix's commands one after another, streaming their output, each audited.

Commands are shell lines (`a && b`, redirections) exactly as shown in the
confirmation, run by /bin/sh with a timeout; the first failure stops the rest.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.core.fixes.audit import append_audit

FIX_TIMEOUT = 180.0

OnOutput = Callable[[str], None]


class FixesNotAllowed(Exception):
    """Fixes change the system: they run only when the user started with --allow-fixes."""


@dataclass(frozen=True)
class FixRun:
    command: str
    exit_code: int | None  # None: killed at the timeout
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _run_one(command: str, on_output: OnOutput, timeout: float) -> tuple[int | None, str]:
    process = subprocess.Popen(
        ["/bin/sh", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True,
    )
    lines: list[str] = []
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            on_output(line.rstrip("\n"))
        code = process.wait()
    finally:
        killed = not timer.is_alive()
        timer.cancel()
    return (None if killed and code < 0 else code), "".join(lines)


def run_fix(commands: tuple[str, ...], *, allowed: bool, audit_log: Path, check: str,
            on_output: OnOutput = lambda _line: None,
            timeout: float = FIX_TIMEOUT) -> list[FixRun]:
    """Run `commands` in order; stop at the first that fails. Raises if fixes are not allowed."""
    if not allowed:
        raise FixesNotAllowed("fixes change the system: start authlib-tui with --allow-fixes")
    runs: list[FixRun] = []
    for command in commands:
        started = time.time()
        on_output(f"$ {command}")
        code, output = _run_one(command, on_output, timeout)
        seconds = time.time() - started
        append_audit(audit_log, check=check, command=command, exit_code=code,
                     started=started, seconds=seconds)
        runs.append(FixRun(command, code, output, seconds))
        if code != 0:
            on_output(f"exit code {code}: stopped" if code is not None
                      else f"killed after {timeout:g} s")
            break
    return runs

"""Run a fix's commands one after another, streaming their output, each audited.

Commands are shell lines (`a && b`, redirections) exactly as shown in the
confirmation, run by /bin/sh with a timeout; the first failure stops the rest.
Each command is written to the audit log before it starts (no line, no run) and
again with its outcome once it has ended.

The shell leads its own process group, so the timeout kills everything it
started (a `sleep &` in a fix, a stuck `psql`), not only the shell.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.core.fixes.audit import AuditNotWritten, audit_about_to_run, audit_ended
from tui.core.shell_words import REFUSED_CONTROL, unsafe_in_command

FIX_TIMEOUT = 180.0
# After the shell has ended, how long output may still trickle in from what it left behind
# before the pipe is given up on (a daemon in its own session may hold it open for ever).
_AFTER_EXIT_GRACE = 2.0

OnOutput = Callable[[str], None]


class FixesNotAllowed(Exception):
    """Fixes change the system: they run only when the user started with --allow-fixes."""


@dataclass(frozen=True)
class FixRun:
    command: str
    exit_code: int | None  # None: killed at the timeout, or never started (see `refused`)
    output: str
    seconds: float
    # Why the command was not run (its audit line could not be written); None when it ran.
    refused: str | None = None
    # Why its outcome is missing from the audit log, when the "ended" line failed.
    audit_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.exit_code == 0


class _Lines:
    """Splits a byte stream into lines for `on_output`, keeping everything for the record."""

    def __init__(self, on_output: OnOutput) -> None:
        self.on_output = on_output
        self.pending = b""
        self.text: list[str] = []

    def feed(self, chunk: bytes) -> None:
        self.pending += chunk
        *complete, self.pending = self.pending.split(b"\n")
        for raw in complete:
            self._emit(raw)

    def close(self) -> str:
        if self.pending:
            self._emit(self.pending)
            self.pending = b""
        return "".join(self.text)

    def _emit(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace")
        self.text.append(line + "\n")
        self.on_output(line)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is already gone
        os.killpg(process.pid, signal.SIGKILL)


def _run_one(command: str, on_output: OnOutput, timeout: float) -> tuple[int | None, str]:
    """The command's exit code (None if killed at the timeout) and its combined output."""
    process = subprocess.Popen(
        ["/bin/sh", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    assert process.stdout is not None
    fd = process.stdout.fileno()
    os.set_blocking(fd, False)
    lines = _Lines(on_output)
    deadline = time.monotonic() + timeout
    killed = False
    exited_at: float | None = None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                now = time.monotonic()
                if exited_at is None and process.poll() is not None:
                    exited_at = now
                if exited_at is None and now >= deadline and not killed:
                    _kill_group(process)  # the shell and everything it started in its group
                    killed = True
                if exited_at is not None and now >= exited_at + _AFTER_EXIT_GRACE:
                    break  # what still holds the pipe is not waited for (a started daemon)
                wake = exited_at + _AFTER_EXIT_GRACE if exited_at is not None else deadline
                # Short steps once killed: the shell's exit is noticed by polling.
                step = 0.05 if killed and exited_at is None else max(0.0, wake - now)
                if not selector.select(timeout=min(step, 1.0)):
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    break  # end of output: everything that held the pipe has closed it
                lines.feed(chunk)
    finally:
        process.stdout.close()
        code = _wait(process, deadline)
    return (None if killed or code is None else code), lines.close()


def _wait(process: subprocess.Popen[bytes], deadline: float) -> int | None:
    """The shell's exit code; at the deadline its whole group is killed and None returned."""
    try:
        return process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.wait()
        return None


def run_fix(commands: tuple[str, ...], *, allowed: bool, audit_log: Path, check: str,
            on_output: OnOutput = lambda _line: None,
            timeout: float = FIX_TIMEOUT) -> list[FixRun]:
    """Run `commands` in order; stop at the first that fails. Raises if fixes are not allowed.

    A command whose "about to run" audit line cannot be written, or that holds a control
    character, is not run: its FixRun carries the reason in `refused` (also sent to
    `on_output`) and nothing after it runs.
    """
    if not allowed:
        raise FixesNotAllowed("fixes change the system: start authlib-tui with --allow-fixes")
    runs: list[FixRun] = []
    for command in commands:
        if unsafe_in_command(command):
            # A newline is a second command to /bin/sh whatever the quoting looked like.
            refused = f"Not run: {REFUSED_CONTROL}."
            on_output(refused)
            runs.append(FixRun(command, None, "", 0.0, refused=refused))
            break
        started = time.time()
        try:
            audit_about_to_run(audit_log, check=check, command=command, started=started)
        except AuditNotWritten as exc:
            refused = f"Not run: {exc}; a fix runs only once it is on record."
            on_output(refused)
            runs.append(FixRun(command, None, "", 0.0, refused=refused))
            break
        on_output(f"$ {command}")
        code, output = _run_one(command, on_output, timeout)
        seconds = time.time() - started
        audit_problem = None
        try:
            audit_ended(audit_log, check=check, command=command, exit_code=code,
                        started=started, seconds=seconds)
        except AuditNotWritten as exc:
            audit_problem = f"It ran, but its outcome is not on record: {exc}."
            on_output(audit_problem)
        runs.append(FixRun(command, code, output, seconds, audit_problem=audit_problem))
        if code != 0:
            on_output(f"exit code {code}: stopped" if code is not None
                      else f"killed after {timeout:g} s")
            break
    return runs

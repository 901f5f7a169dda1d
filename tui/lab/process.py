"""Running the lab's system commands with timeouts and readable failures."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence


class LabError(RuntimeError):
    """A lab step failed; the message names the command and what it printed."""


def run_checked(
    args: Sequence[str], *, timeout: float = 30, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            list(args), capture_output=True, text=True, timeout=timeout, input=input_text,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"{args[0]} did not finish within {timeout:g} s: {' '.join(args)}") from exc
    except FileNotFoundError as exc:
        raise LabError(f"{args[0]} is not installed ({exc})") from exc
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise LabError(f"{' '.join(args)} failed (exit {result.returncode}): {output}")
    return result


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def process_identity(pid: int) -> tuple[int, int] | None:
    """(pid, start time in clock ticks since boot): names one process even after its pid has
    been reused by another. None when no such process runs (or only its zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3 of the file); the start time is field 22.
    return None if fields[0] == "Z" else (pid, int(fields[19]))


def verified_pid(pid: int, started: int) -> int:
    """`pid` when it still names the process that was recorded as starting at `started` ticks,
    else 0: a pid read back from a file may since belong to someone else's process (or a
    planted file may name one), and the lab must never signal or enter that."""
    if pid <= 0 or started <= 0:
        return 0
    return pid if process_identity(pid) == (pid, started) else 0


def started_ticks(pid: int) -> int:
    """The start time recorded with a pid the lab just started (0 if it already ended)."""
    identity = process_identity(pid)
    return identity[1] if identity else 0


def reap(pid: int) -> None:
    """Collect `pid`'s exit status if it is our own child that ended (no zombie is left);
    sends nothing, and does nothing for anyone else's process."""
    if pid <= 0:
        return  # waitpid would take any child (or a process group's) instead
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def terminate(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, wait, then SIGKILL: a lab teardown must never leave a process behind."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                waited, _ = os.waitpid(pid, os.WNOHANG)
                if waited == pid:
                    return
            except ChildProcessError:
                pass
            if not pid_alive(pid):
                return
            time.sleep(0.02)

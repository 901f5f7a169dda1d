"""Running the lab's system commands with timeouts and readable failures."""

from __future__ import annotations

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

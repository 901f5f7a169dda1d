"""End to end in a real terminal (tmux): hostile log text is shown escaped, never executed.

An OSC in a log line retitled the tmux pane with Textual's own widgets.
Here the app runs in tmux on the lab, a hostile authdaemond
line is in its mail log, and the pane title must not change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.lab.lab import Lab

SESSION = "authlib-tui-hostile"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[41;97m\u202eevil"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def tmux_session() -> object:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required (apt-get install tmux)")
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    yield SESSION
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def test_hostile_log_line_does_not_retitle_the_pane(healthy_lab: Lab, tmux_session) -> None:
    stamp = time.strftime("%b %e %H:%M:%S")
    with healthy_lab.maillog.open("a") as log:
        log.write(f"{stamp} lab authdaemond: Bad line in /etc/courier/authdaemonrc: {HOSTILE}\n")
    exe = Path(sys.executable).parent / "authlib-tui"
    command = f"AUTHLIB_TUI_CONFIG={healthy_lab.settings_file} {exe}"
    tmux("new-session", "-d", "-s", SESSION, "-x", "100", "-y", "30", "sh -c 'sleep 0.5; " +
         command + "'")
    tmux("select-pane", "-t", SESSION, "-T", "original-title")
    screen = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-t", SESSION, "-p")
        if "pwned" in screen:
            break
        time.sleep(0.3)
    assert "\\x1b]0;pwned\\x07" in screen
    assert tmux("display", "-t", SESSION, "-p", "#{pane_title}").strip() == "original-title"
    tmux("send-keys", "-t", SESSION, "q")

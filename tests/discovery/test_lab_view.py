"""Discovery inside the lab's ApisCP view, where the healthy lab's Overview is shown.

There /etc/authlib/authdaemonrc is the one config file; RHEL's and openSUSE's
layouts both point at it. One file is one installation: no ambiguity finding.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tui.core.platforms.layouts import OPENSUSE, RHEL_APISCP
from tui.lab.lab import Lab
from tui.lab.namespace import view_command

# Runs in the view: the same discovery the app's Overview shows, as JSON.
DISCOVER_SCRIPT = """
import json, sys
from tui.core.installation import Installation
found = Installation.from_flags({"config": sys.argv[1]}).discovery
print(json.dumps({"layout": found.layout.value.name if found.layout.value else None,
                  "problems": [[p.id, p.message] for p in found.problems]}))
"""


def test_the_lab_view_has_one_layout_and_no_ambiguity(healthy_lab: Lab) -> None:
    assert RHEL_APISCP.authdaemonrc == OPENSUSE.authdaemonrc  # the shared path in question
    completed = subprocess.run(
        view_command(healthy_lab.root, [sys.executable, "-c", DISCOVER_SCRIPT,
                                        str(healthy_lab.settings_file)]),
        capture_output=True, text=True, timeout=60, check=True,
    )
    found = json.loads(completed.stdout)
    assert found["layout"] == RHEL_APISCP.name
    assert [message for pid, message in found["problems"]
            if pid == "discovery.ambiguous-layout"] == []

"""The lab leaves nothing behind, and its view shows ApisCP's paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.lab.lab import Lab
from tui.lab.namespace import view_command
from tui.lab.process import pid_alive


def test_down_leaves_no_process_mount_or_dir(lab: Lab) -> None:
    """A second lab, brought up and down beside the session's."""
    second = Lab.create()
    root = second.root
    pids = [*second.daemon_pids(), second.state.holder_pid, second.state.sink_pid]
    postmaster = second.pg.postmaster_pid()
    assert postmaster is not None
    pids.append(postmaster)
    assert all(pid_alive(pid) for pid in pids)
    second.down()
    assert not root.exists()
    assert [pid for pid in pids if pid_alive(pid)] == []
    assert str(root) not in Path("/proc/self/mountinfo").read_text()
    # the session's lab is untouched
    assert lab.client().lookup("foo@domain.com").found


def test_view_shows_the_lab_at_apiscp_paths(healthy_lab: Lab) -> None:
    script = (
        "getent group 1000; ls /etc/authlib; test -S /var/spool/authdaemon/socket && echo sock; "
        "ls -d /home/virtual/site2/fst/home/bar/Mail; test -e /etc/courier/authdaemonrc || "
        "echo no-debian-config"
    )
    completed = subprocess.run(
        view_command(healthy_lab.root, ["/bin/sh", "-c", script]),
        capture_output=True, text=True, timeout=30, check=True,
    )
    out = completed.stdout
    assert "admin2:x:1000:" in out
    assert "authdaemonrc" in out and "authpgsqlrc" in out
    assert "sock" in out.split()
    assert "/home/virtual/site2/fst/home/bar/Mail" in out
    assert "no-debian-config" in out
    # and the host is unchanged
    assert not Path("/etc/authlib").exists()
    assert "admin2" not in Path("/etc/group").read_text()


def test_orphaned_labs_are_found_for_clean_up(lab: Lab) -> None:
    """`lab clean` finds labs whose creator died (here: the session's own, still running)."""
    roots = [found.root for found in Lab.orphans()]
    assert lab.root in roots

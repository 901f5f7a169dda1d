"""The lab leaves nothing behind, and its view shows ApisCP's paths."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tui.lab.lab import Lab
from tui.lab.namespace import view_command
from tui.lab.process import pid_alive


def _mounts_mentioning(root: Path) -> list[str]:
    """Every process's mount table entry that names `root` (any namespace)."""
    found = []
    for mountinfo in Path("/proc").glob("[0-9]*/mountinfo"):
        try:
            text = mountinfo.read_text()
        except OSError:
            continue  # the process ended while we looked
        found += [f"{mountinfo}: {line}" for line in text.splitlines() if str(root) in line]
    return found


def _wait_for_maildrop(lab: Lab, timeout: float = 20.0) -> int:
    """The pid of a maildrop running in the lab's Postfix namespace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in lab.postfix.namespace_pids():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "maildrop":
                    return pid
            except OSError:
                continue
        time.sleep(0.02)
    raise AssertionError("no maildrop started")


def test_down_leaves_no_process_mount_queue_file_or_dir(lab: Lab) -> None:
    """A second lab, with mail queued and a maildrop still waiting on a slow lookup, brought
    up and down beside the session's."""
    second = Lab.create()
    root = second.root
    try:
        second.wait_found()
        second.apply(frozenset({"home-missing"}))
        assert "status=deferred" in second.send_and_wait("foo@domain.com")
        assert list((second.postfix.queue_dir / "deferred").rglob("*"))  # a queue file
        second.apply(frozenset({"workers-saturated"}))  # each lookup takes 3 s
        second.send("baz@domain.com")
        maildrop = _wait_for_maildrop(second)  # it calls setsid: `postfix stop` misses it
        pids = [*second.daemon_pids(), second.state.holder_pid, second.state.sink_pid,
                second.postfix.holder_pid(), *second.postfix.namespace_pids()]
        postmaster = second.pg.postmaster_pid()
        assert postmaster is not None and second.postfix.master_pid() is not None
        pids.append(postmaster)
        assert maildrop in pids and all(pid_alive(pid) for pid in pids)
        # Postfix listens on no address: no TCP or UDP socket belongs to its processes.
        sockets = subprocess.run(["ss", "-tulpnH"], capture_output=True, text=True,
                                 check=True).stdout
        assert not [pid for pid in second.postfix.namespace_pids() if f"pid={pid}," in sockets]
    finally:
        second.down()
    assert not root.exists()
    assert [pid for pid in pids if pid_alive(pid)] == []
    assert _mounts_mentioning(root) == []
    # the session's lab is untouched
    assert lab.client().lookup("foo@domain.com").found
    assert lab.postfix.running()


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


def test_clean_removes_a_killed_runs_lab_and_keeps_labs_in_use(lab: Lab) -> None:
    """`lab clean` takes down a lab whose run died, and leaves this session's own lab alone."""
    import sys

    # A real run that creates a lab and dies without taking it down (as a killed test would).
    created = subprocess.run(
        [sys.executable, "-c", "from tui.lab.lab import Lab; print(Lab.create().root)"],
        capture_output=True, text=True, check=True, timeout=180,
    )
    left = Lab.load(Path(created.stdout.strip().splitlines()[-1]))
    try:
        assert left.state.owner and not left.in_use  # its owner has exited
        assert lab.in_use  # this process owns the session's lab and is alive
        orphans = [found.root for found in Lab.orphans()]
        assert left.root in orphans and lab.root not in orphans
        completed = subprocess.run(
            [str(Path(sys.executable).parent / "authlib-tui"), "lab", "clean"],
            capture_output=True, text=True, check=True, timeout=120,
        )
        assert f"removed the lab in {left.root}" in completed.stdout
        assert f"kept the lab in {lab.root}: in use" in completed.stdout
        assert not left.root.exists() and not pid_alive(left.state.holder_pid)
        assert lab.root.exists() and lab.client().lookup("foo@domain.com").outcome == "found"
    finally:
        if left.root.exists():
            left.down()

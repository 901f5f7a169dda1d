"""socket-access and maildrop-setuid judge the same maildrop and the same socket directory.

On the real lab, whose Postfix runs in a mount namespace of its own: the maildrop
that counts is the one Postfix's pipe runs, not the host's /usr/bin/maildrop.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.zombie import unreaped_authdaemond
from tui.core.authdaemon.socket_state import SocketState
from tui.core.checks.context import CheckContext
from tui.core.checks.delivery_checks import maildrop_setuid
from tui.core.checks.result import CheckResult, Status
from tui.core.checks.socket_checks import daemon_processes, socket_access
from tui.core.checks.socket_reach import socket_dir_reach
from tui.core.discovery.processes import DaemonProcesses
from tui.core.installation import Installation
from tui.lab.lab import Lab
from tui.lab.postfix import DEBIAN_MAILDROP


def context_for(lab: Lab, **flags: str) -> CheckContext:
    return CheckContext(Installation.from_flags({"config": str(lab.settings_file), **flags}))


def evidence(result: CheckResult) -> str:
    return "\n".join(result.evidence)


def host_maildrop_is_setuid_root() -> bool:
    info = DEBIAN_MAILDROP.stat()
    return bool(info.st_mode & stat.S_ISUID) and info.st_uid == 0


def test_a_closed_dir_is_fine_when_the_pipes_maildrop_is_setuid(healthy_lab: Lab) -> None:
    """The lab's Postfix runs a setuid-root maildrop; the host's is Debian's setgid one. The
    closed directory is then ApisCP's normal state, whatever the host's binary is."""
    if host_maildrop_is_setuid_root():
        pytest.fail(f"{DEBIAN_MAILDROP} is setuid root here: this test needs Debian's mode")
    healthy_lab.apply(frozenset(), socket_dir_closed=True)
    context = context_for(healthy_lab)
    master = healthy_lab.postfix.master_pid()

    access = socket_access(context)
    assert access.status is Status.OK, access.finding
    assert "setuid root" in access.finding and "cannot enter" in access.finding
    assert f"as Postfix's master, pid {master}, sees it), setuid root" in evidence(access)
    assert maildrop_setuid(context).status is Status.OK


def test_the_shut_socket_is_named_by_both_checks(break_lab) -> None:
    lab = break_lab("socket-permission")
    context = context_for(lab)
    master = lab.postfix.master_pid()

    access = socket_access(context)
    assert (access.status, access.diagnosis) == (Status.FAIL, "socket-permission")
    assert f"-rwxr-sr-x root:mail (as Postfix's master, pid {master}, sees it)" in evidence(
        access)
    assert "0750, owner courier:courier" in evidence(access)

    setuid = maildrop_setuid(context)
    assert (setuid.status, setuid.diagnosis) == (Status.FAIL, "socket-permission")
    assert "deferred at the socket now" in setuid.finding
    assert "would bounce" in setuid.finding
    for result in (access, setuid):
        assert result.fix is not None and result.fix.commands == (
            f"{context.commands.lab} setuid-maildrop",)


def test_with_the_socket_reachable_a_setgid_maildrop_bounces(break_lab) -> None:
    lab = break_lab("maildrop-not-setuid")  # the socket dir is open (0755 root:root)
    context = context_for(lab)
    assert socket_access(context).status is Status.OK
    setuid = maildrop_setuid(context)
    assert (setuid.status, setuid.diagnosis) == (Status.FAIL, "maildrop-not-setuid")
    assert "every delivery bounces" in setuid.finding


def test_without_a_postfix_it_judges_the_hosts_maildrop(break_lab, tmp_path: Path) -> None:
    """No Postfix configuration to read (an empty config dir): the host's binary, said so."""
    lab = break_lab("socket-permission")
    context = context_for(lab, postfix_dir=str(tmp_path))
    assert not context.postfix.configured
    access = socket_access(context)
    assert access.status is not Status.SKIP
    assert f"maildrop looked at: {DEBIAN_MAILDROP}: " in evidence(access)
    assert "(as this host sees it)" in evidence(access)
    assert maildrop_setuid(context).status is Status.SKIP


def test_a_setgid_binarys_group_counts(tmp_path: Path) -> None:
    """A directory its group may enter lets a setgid-`mail` maildrop in, run as anyone."""
    directory = tmp_path / "authdaemon"
    directory.mkdir()
    shutil.chown(directory, "root", "mail")
    directory.chmod(0o750)
    socket = directory / "socket"
    assert socket_dir_reach(socket, "nobody", "mail").may_enter
    assert not socket_dir_reach(socket, "nobody").may_enter
    assert socket_dir_reach(socket, "root").may_enter
    with pytest.raises(KeyError):
        socket_dir_reach(socket, "no-such-user-here")
    os.rmdir(directory)
    with pytest.raises(OSError):
        socket_dir_reach(socket, "nobody")


@pytest.fixture
def zombie_authdaemond(tmp_path: Path) -> Iterator[int]:
    """A real exited process named `authdaemond` that nobody has reaped, as a restarted daemon
    leaves on a host whose PID 1 reaps no orphans; yields its pid."""
    with unreaped_authdaemond(tmp_path) as pid:
        yield pid


def test_a_zombie_beside_the_running_daemon_is_no_stopped_daemon(
        healthy_lab: Lab, zombie_authdaemond: int) -> None:
    context = context_for(healthy_lab)

    processes = daemon_processes(context)

    assert processes.status is Status.OK, processes.finding
    assert str(zombie_authdaemond) not in evidence(processes)
    assert processes.diagnosis != "daemon-stopped"


def test_a_listener_that_answers_outweighs_a_process_scan_that_finds_none(
        healthy_lab: Lab) -> None:
    """The scan can miss a running daemon (another pid namespace, hidepid=2); the socket's
    listener is the kernel's own word, so the check never says "stopped" while it answers."""
    seen = context_for(healthy_lab).installation
    unseen = dataclasses.replace(seen.discovery, processes=DaemonProcesses())
    context = CheckContext(Installation(seen.settings, unseen, seen.read_errors))
    assert context.socket_state is SocketState.LISTENING

    processes = daemon_processes(context)

    assert processes.status is Status.WARN
    assert processes.diagnosis == ""
    assert "listener answers" in processes.finding

"""Mount namespaces that show the lab's files at the paths the real programs expect.

Debian's authdaemond has `/etc/courier` and `/run/courier/authdaemon` compiled
in. The daemon namespace binds the lab's config and run dirs there (and a
private /dev whose `log` is the lab's syslog sink); it is held open by a
`sleep` so the daemon can be stopped and started in it again. The socket file
lives in the lab dir, so the host reaches it at the lab's path.

The view namespace is for people: it shows the same lab at ApisCP's paths
(`/etc/authlib`, `/var/spool/authdaemon`, `/home/virtual/siteN`, an /etc/group
with `admin2:x:1000:`, the lab's maillog as /var/log/maillog), with overlays so
nothing on the host changes.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tui.lab.process import LabError, run_checked, started_ticks, verified_pid

DEVICES = ("null", "zero", "random", "urandom", "full")


def private_dev_lines(dev: Path) -> list[str]:
    """Shell lines that make `dev` the namespace's /dev: the usual devices and the lab's
    syslog socket (`dev/log`), so a program's syslog(3) reaches the lab's sink."""
    q = shlex.quote
    lines = []
    for device in DEVICES:
        lines.append(f"touch {q(str(dev / device))}")
        lines.append(f"mount --bind /dev/{device} {q(str(dev / device))}")
    lines.append(f"mount --rbind {q(str(dev))} /dev")
    return lines


def _daemon_ns_script(etc: Path, run: Path, dev: Path) -> str:
    q = shlex.quote
    lines = [
        "set -e",
        "mkdir -p /etc/courier /run/courier/authdaemon",
        f"mount --bind {q(str(etc))} /etc/courier",
        f"mount --bind {q(str(run))} /run/courier/authdaemon",
        *private_dev_lines(dev),
        "echo ready",
        "exec sleep infinity </dev/null >/dev/null 2>&1",
    ]
    return "\n".join(lines)


def hold_namespace(script: str, what: str) -> int:
    """Run `script` (its last lines `echo ready` and a `sleep` that holds the namespace) in a
    new private mount namespace; the pid of the process holding it."""
    holder = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, text=True,
    )
    assert holder.stdout is not None
    if holder.stdout.readline().strip() != "ready":
        holder.wait(timeout=5)
        error = holder.stderr.read() if holder.stderr else ""
        raise LabError(f"could not set up {what}: {error.strip()}")
    holder.stdout.close()
    return holder.pid


def record_holder(holder_file: Path, pid: int) -> None:
    """The holder's pid and start time, so a later run enters only that very process."""
    holder_file.write_text(f"{pid} {started_ticks(pid)}\n")


def recorded_holder(holder_file: Path) -> int:
    """The recorded holder's pid while it is still the process that was started; 0 otherwise,
    so nothing else is entered."""
    try:
        pid, started = (int(word) for word in holder_file.read_text().split())
    except (OSError, ValueError):
        return 0
    return verified_pid(pid, started)


def start_holder(etc: Path, run: Path, dev: Path) -> int:
    """Create the daemon's namespace and return the pid of the process holding it."""
    return hold_namespace(_daemon_ns_script(etc, run, dev),
                          "the daemon's mount namespace (root needed)")


def run_in_namespace(holder_pid: int, args: Sequence[str], timeout: float = 30) -> str:
    """Run a command inside the daemon's namespace and return its combined output."""
    result = run_checked(["nsenter", "-t", str(holder_pid), "-m", "--", *args], timeout=timeout)
    return (result.stdout + result.stderr).strip()


def mount_namespace_id(pid: int) -> str | None:
    try:
        return str(Path(f"/proc/{pid}/ns/mnt").readlink())
    except OSError:
        return None


def pids_in_namespace(holder: int) -> list[int]:
    """Every process in `holder`'s mount namespace but the holder itself; none without a
    holder (0: it is no longer the process the lab started, so its namespace is not ours)."""
    ns = mount_namespace_id(holder) if holder else None
    if ns is None:
        return []
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and int(entry.name) != holder
            and mount_namespace_id(int(entry.name)) == ns]


def view_command(lab_root: Path, args: Sequence[str]) -> list[str]:
    """`args` wrapped to run in a fresh view namespace showing the lab at ApisCP paths."""
    q = shlex.quote
    view = lab_root / "view"
    lines = ["set -e"]
    for index, target in enumerate(("/etc", "/var/spool", "/home")):
        upper, work = view / f"upper{index}", view / f"work{index}"
        lines += [
            f"rm -rf {q(str(upper))} {q(str(work))}",
            f"mkdir -p {q(str(upper))} {q(str(work))}",
            f"mount -t overlay overlay -o lowerdir={target},upperdir={q(str(upper))},"
            f"workdir={q(str(work))} {target}",
        ]
    lines += [
        "mkdir -p /etc/authlib /var/spool/authdaemon /home/virtual /etc/postfix",
        f"mount --bind {q(str(lab_root / 'etc'))} /etc/authlib",
        f"mount --bind {q(str(lab_root / 'run'))} /var/spool/authdaemon",
        f"mount --bind {q(str(lab_root / 'virtual'))} /home/virtual",
        # The lab's Postfix is the view's /etc/postfix, as on a server (its main.cf names
        # the lab's own queue directory, so postqueue there reads the lab's queue).
        f"mount --bind {q(str(lab_root / 'postfix'))} /etc/postfix",
        # The lab's logs are the view's /var/log (ApisCP's maillog lives there).
        f"mount --bind {q(str(lab_root / 'log'))} /var/log",
        f"cat {q(str(lab_root / 'group'))} > /etc/group",
        # Hide Debian's own (unconfigured) files so the view looks like an ApisCP server.
        "if [ -d /etc/courier ]; then",
        "  mount -t tmpfs -o size=64k,mode=755 lab-empty /etc/courier",
        "fi",
        'exec "$@"',
    ]
    return [
        "unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", "\n".join(lines), "authlib-lab-view", *args,
    ]

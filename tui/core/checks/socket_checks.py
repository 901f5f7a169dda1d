"""The `s_connect() failed` branch: can maildrop reach the socket?

Order follows the connect: the file, its type, a listener behind it, the daemon
processes, what the daemon said when it (failed to) start, and whether the
delivery user may open the socket directory at all.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.authdaemon.socket_state import SocketState
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, check
from tui.core.checks.result import Fix, Status
from tui.core.checks.socket_reach import socket_dir_reach
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.platforms.platform import Platform
from tui.core.postfix.maildrop_binary import MaildropBinary, examine_maildrop
from tui.core.shell_words import shell_command

MAILDROP = Path("/usr/bin/maildrop")
STARTUP_SIGNATURES = frozenset({"authdaemonrc-bad-line", "module-not-found", "module-init-missing",
                                "config-file-missing", "config-file-unreadable",
                                "authdaemonrc-shell-error", "authdaemonrc-unreadable",
                                "socket-create-failed", "daemon-misinvoked", "ltdl-failed",
                                "module-dependency-missing", "module-undefined-symbol",
                                "module-load-failed"})


def _start_fix(context: CheckContext, why: str) -> Fix:
    return Fix(why, (context.commands.start,))


@check(CheckId.SOCKET_PRESENT, "The socket file exists", hop=HopId.SOCKET,
       steps=(WizardStep.SOCKET_MISSING,),
       decides={DiagnosisId.SOCKET_MISSING: WizardStep.SOCKET_MISSING})
def socket_present(context: CheckContext) -> Answer:
    path = context.socket
    if path is None:
        return Answer(Status.FAIL,
                      "No authdaemond socket path was found; give it with --socket.",
                      diagnosis=DiagnosisId.SOCKET_MISSING)
    state = context.socket_state
    if state is SocketState.MISSING:
        return Answer(
            Status.FAIL,
            f"{path} does not exist: maildrop gets 's_connect() failed: No such file or "
            "directory'. authdaemond was never started, or /run was cleared.",
            (f"stat {path}: No such file or directory",),
            _start_fix(context, "Starting authdaemond creates the socket."),
            diagnosis=DiagnosisId.SOCKET_MISSING,
        )
    if state is SocketState.NO_ACCESS:
        return Answer(Status.WARN,
                      f"Cannot see {path} as this user: run as root to check it.",
                      (f"stat {path}: Permission denied",))
    return Answer(Status.OK, f"{path} exists.", (f"path {path}",))


@check(CheckId.SOCKET_IS_SOCKET, "It is a socket", hop=HopId.SOCKET,
       decides={DiagnosisId.SOCKET_MISSING: WizardStep.SOCKET_MISSING})
def socket_is_socket(context: CheckContext) -> Answer:
    if context.socket_state is SocketState.NOT_A_SOCKET:
        return Answer(Status.FAIL,
                      f"{context.socket} exists but is not a socket (a leftover file?).",
                      (f"stat {context.socket}: not S_IFSOCK",),
                      _start_fix(context, "Remove the file, then start authdaemond."),
                      diagnosis=DiagnosisId.SOCKET_MISSING)
    if context.socket_state in (None, SocketState.MISSING, SocketState.NO_ACCESS):
        return Answer(Status.SKIP, "No socket file to look at.")
    return Answer(Status.OK, "It is a Unix socket.")


@check(CheckId.DAEMON_LISTENING, "authdaemond listens on it", hop=HopId.SOCKET,
       steps=(WizardStep.DAEMON_NOT_RUNNING,),
       decides={DiagnosisId.DAEMON_STOPPED: WizardStep.DAEMON_NOT_RUNNING})
def daemon_listening(context: CheckContext) -> Answer:
    state = context.socket_state
    if state is SocketState.STALE:
        processes = context.installation.discovery.processes
        evidence = [f"sock_diag: no listener bound to {context.socket}",
                    "connect(): Connection refused"]
        if not processes.running:
            evidence.append("no authdaemond process is running")
        return Answer(
            Status.FAIL,
            f"{context.socket} is stale: nothing listens, so maildrop gets 's_connect() failed: "
            "Connection refused'. authdaemond is stopped or died (the workers are not the "
            "problem).",
            tuple(evidence),
            _start_fix(context, "The daemon is not running; starting it re-creates the listener."),
            diagnosis=DiagnosisId.DAEMON_STOPPED,
        )
    if state is SocketState.LISTENING:
        return Answer(Status.OK,
                      "A listener is bound to the socket.")
    return Answer(Status.SKIP, "No socket to test.")


@check(CheckId.DAEMON_PROCESSES, "authdaemond processes run", hop=HopId.POOL,
       decides={DiagnosisId.DAEMON_STOPPED: WizardStep.DAEMON_NOT_RUNNING})
def daemon_processes(context: CheckContext) -> Answer:
    processes = context.installation.discovery.processes
    unit = context.installation.discovery.unit.value
    if processes.running:
        return Answer(
            Status.OK,
            f"authdaemond parent {processes.parent_pid} with {len(processes.worker_pids)} "
            "worker(s).", tuple(processes.notes))
    evidence = ["no authdaemond process in /proc", *processes.notes]
    if context.socket_state is SocketState.LISTENING:
        # A listener bound to the socket is the kernel's word that a daemon runs; the scan can
        # miss it (another pid namespace, hidepid, a tree we could not tell apart), so this
        # is a warning about what we see, never "stopped".
        return Answer(
            Status.WARN,
            "A listener answers on the socket, but no authdaemond process could be told "
            "apart in /proc, so the workers cannot be counted.",
            ("sock_diag: a listener is bound to the socket", *evidence))
    if context.platform in (Platform.APISCP, Platform.RHEL) and unit:
        evidence.append(f"{unit} has RemainAfterExit=true: `systemctl is-active` can say "
                        "active while nothing runs; trust the processes")
    return Answer(Status.FAIL,
                  "No authdaemond process is running.", tuple(evidence),
                  _start_fix(context, "Start it; if it exits again, read the start-up "
                             "errors below."),
                  diagnosis=DiagnosisId.DAEMON_STOPPED)


@check(CheckId.STARTUP_ERRORS, "No start-up errors in the log", hop=HopId.POOL,
       steps=(WizardStep.DAEMON_START_FAILED,),
       decides={DiagnosisId.DAEMON_STOPPED: WizardStep.DAEMON_NOT_RUNNING})
def startup_errors(context: CheckContext) -> Answer:
    # The Logs pane's source: the journal on a journald-only host, else the mail log files.
    found = context.recent_errors
    startup = [e for e in found.errors if e.signature.id in STARTUP_SIGNATURES]
    if not found.read_from:
        return Answer(Status.SKIP,
                      "No mail log file and no journal with authdaemond entries to read.")
    processes = context.installation.discovery.processes
    if processes.running and processes.worker_started:
        # Errors from before the running daemon started are history, not its problem: those
        # before its start line in the log, and (seconds are all a syslog stamp has) those
        # from before its workers began.
        ours = {id(e) for e in found.since_last_start()}
        started = min(processes.worker_started.values()) - 2.0
        startup = [e for e in startup if id(e) in ours
                   and (e.line.timestamp is None or e.line.timestamp >= started)]
    rc = context.installation.authdaemonrc
    if rc is not None and rc.starts:
        # The file has no bad line now: a logged one (even at the last stop) was mended since.
        startup = [e for e in startup if e.signature.id != "authdaemonrc-bad-line"]
    if not startup:
        return Answer(Status.OK,
                      "authdaemond logged no start-up error since it started.",
                      (f"read: {found.read_from}",))
    newest = startup[-1]
    running = processes.running
    evidence = tuple(f"{e.source}: {e.line.message}" for e in startup[-3:])
    if running and newest.signature.id == "authdaemonrc-bad-line":
        # Logged on a reload: the daemon did not exit, it kept the settings it had.
        return Answer(
            Status.WARN,
            "authdaemond logged 'Bad line' when it re-read authdaemonrc and runs on with the "
            "settings it had: the file on disk is not what runs; the next restart will fail.",
            evidence,
            Fix("Correct authdaemonrc before anything restarts authdaemond."),
        )
    if not running and newest.signature.id == "authdaemonrc-bad-line":
        return Answer(
            Status.FAIL,
            "authdaemond logged 'Bad line' in authdaemonrc and exited at start-up: the "
            "left-over socket refuses every lookup until the line is corrected.",
            evidence,
            Fix("Correct the line (NAME=value, comment it out with '#', or delete it), then "
                "start authdaemond."),
            diagnosis=DiagnosisId.DAEMON_STOPPED,
        )
    return Answer(
        Status.WARN if running else Status.FAIL,
        f"authdaemond logged: {newest.signature.short or newest.signature.meaning}",
        evidence,
        Fix(newest.signature.meaning),
        diagnosis="" if running else DiagnosisId.DAEMON_STOPPED,
    )


_USER_OPTION = re.compile(r"\buser=([A-Za-z0-9._-]+)")


def delivery_user(context: CheckContext) -> tuple[str, str]:
    """(user maildrop runs as, where that came from): master.cf's vmaildrop, else the mail user."""
    master_cf = context.installation.settings.postfix_dir.value / "master.cf"
    try:
        text = master_cf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    service: list[str] = []
    for line in text.splitlines():
        if line and not line[0].isspace():
            service = line.split()
        elif service and service[0] == "vmaildrop" and (match := _USER_OPTION.search(line)):
            return match.group(1), f"user= of vmaildrop in {master_cf}"
    layout = context.installation.discovery.layout.value
    user = layout.mail_user if layout is not None else "daemon"
    return user, "the platform's mail user (no vmaildrop in master.cf)"


def pipe_maildrop(context: CheckContext) -> MaildropBinary:
    """The maildrop Postfix's pipe runs, as its master sees it; the host's when that is unknown.

    In a Postfix of its own mount namespace (a container, the lab) /usr/bin/maildrop
    may be another file than the host's: the one the pipe runs is the one that counts.
    """
    postfix = context.postfix
    if postfix.configured and postfix.maildrop is not None and postfix.maildrop.exists:
        return postfix.maildrop
    return examine_maildrop(str(MAILDROP), None)


@check(CheckId.SOCKET_ACCESS, "The delivery user may open the socket", hop=HopId.MAILDROP,
       steps=(WizardStep.SOCKET_PERMISSION,),
       decides={DiagnosisId.SOCKET_PERMISSION: WizardStep.SOCKET_PERMISSION})
def socket_access(context: CheckContext) -> Answer:
    path = context.socket
    if path is None or context.socket_state in (SocketState.MISSING, None):
        return Answer(Status.SKIP, "No socket to open.")
    user, source = delivery_user(context)
    binary = pipe_maildrop(context)
    try:
        reach = socket_dir_reach(path, user, binary.setgid_group)
    except KeyError:
        return Answer(Status.WARN,
                      f"The delivery user {user!r} ({source}) does not exist here.")
    except OSError as exc:
        return Answer(Status.WARN,
                      f"Cannot stat {path.parent}: {exc.strerror}")
    maildrop_text = (f"maildrop looked at: {binary.describe}, "
                     f"{'setuid root' if binary.setuid_root else 'not setuid root'}"
                     if binary.exists else
                     f"maildrop looked at: {binary.describe} (it would need to be setuid root)")
    evidence = (f"maildrop runs as {user} ({source})", reach.describe, maildrop_text)
    if reach.may_enter:
        return Answer(Status.OK,
                      f"{user} can reach {path}.", evidence)
    if binary.setuid_root:
        return Answer(Status.OK,
                      f"{user} cannot enter {path.parent}, but {binary.path} is setuid "
                      f"root and reaches {path} as root (the directory may stay closed).",
                      evidence)
    layout = context.installation.discovery.layout.value
    mail_user = layout.mail_user if layout is not None else "daemon"
    lab = context.lab_command
    return Answer(
        Status.FAIL,
        f"{user} cannot enter {path.parent} (mode {reach.mode:04o}, {reach.owner}:"
        f"{reach.group}) and {binary.path} is not setuid root: maildrop gets 's_connect() "
        "failed: Permission denied' and the mail is deferred.",
        evidence,
        Fix(f"Give maildrop its setuid bit (it needs root to reach the {mail_user}-only dir). "
            "Do not open the directory to everyone: whoever can connect can read every "
            "account's password.",
            (f"{lab} setuid-maildrop",) if lab
            else (shell_command("chmod", "u+s", "--", binary.path),)),
        diagnosis=DiagnosisId.SOCKET_PERMISSION,
    )

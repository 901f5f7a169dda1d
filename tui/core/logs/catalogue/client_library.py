"""libcourierauth's client side, in maildrop: connecting to authdaemond's socket.

It prints `authdaemon: s_connect() failed: REASON` to maildrop's stderr, which Postfix
logs after `Command output:`.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import AUTHLIB, MAILDROP_PROGRAM
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import APISCP_BOOTSTRAP, Remedy
from tui.core.logs.catalogue.source import Source

_S_CONNECT = r"^\s*(?:(?:ERR|CRIT): )?authdaemon: s_connect\(\) failed"

SIGNATURES: tuple[Signature, ...] = (
    # Before the s_connect ones: the same connect error, but maildrop then bounced the mail.
    Signature(
        "maildrop-bounced-outage",
        rf"{_S_CONNECT}.*Invalid user specified",
        Severity.ERROR,
        "maildrop could not reach authdaemond and, not told to treat that as temporary (no -a "
        "in the transport's argv), looked the address up as a system user, found none and "
        "bounced the mail (5.1.1): an authdaemond outage is losing mail.",
        wizard_step=WizardStep.MAILDROP_TEMPFAIL_FLAG,
        short="authdaemond unreachable and maildrop lacks -a: mail bounced",
        mail_lost=True,
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Invalid user specified."),
        ),
        examples=("ERR: authdaemon: s_connect() failed: Connection refused Invalid "
                  "user specified. ",),
        remedy=Remedy(
            "authdaemond was unreachable and maildrop runs without -a, so the outage made it "
            "bounce the mail as an unknown user: mail is being lost, not deferred.",
            "`postconf -M` / master.cf: the maildrop pipe's argv lacks -a; `authlib-tui check` "
            "(maildrop-tempfail-flag, daemon-listening).",
            "Start authdaemond ({start}), add -a to maildrop's argv in master.cf and `postfix "
            "reload`, so the next outage defers; ask the senders to send again.",
        ),
    ),
    Signature(
        "s-connect-refused",
        rf"{_S_CONNECT}: Connection refused",
        Severity.ERROR,
        "The socket file exists but nothing listens on it: authdaemond is stopped, crashed or "
        "exited at start-up on a config error (a full pool queues, it does not refuse).",
        wizard_step=WizardStep.DAEMON_NOT_RUNNING,
        short="authdaemond is not running (stale socket)",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
        ),
        examples=("ERR: authdaemon: s_connect() failed: Connection refused "
                  "/usr/bin/maildrop: Temporary authentication failure. ",),
        remedy=Remedy(
            "The socket file {socket} exists but no authdaemond listens on it: it stopped, "
            "crashed, or exited at start-up on a config error.",
            "`authlib-tui check` (daemon-listening); `{start}` prints a start-up error if any.",
            "`{start}`; if it exits again, explain its start-up lines in {mail_log}.",
        ),
    ),
    Signature(
        "s-connect-no-socket",
        rf"{_S_CONNECT}: No such file or directory",
        Severity.ERROR,
        "There is no socket file: authdaemond never started, /run was cleared, or the client "
        "was built for a different authdaemonvar.",
        wizard_step=WizardStep.SOCKET_MISSING,
        short="no authdaemond socket file",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
        ),
        examples=("ERR: authdaemon: s_connect() failed: No such file or directory "
                  "/usr/bin/maildrop: Temporary authentication failure. ",),
        remedy=Remedy(
            "There is no socket file {socket}: authdaemond is not running (at boot /run is empty), "
            "or maildrop was built for another socket directory.",
            "`ls -l {socket}`; `authlib-tui check` (socket-present).",
            "`{start}`; if the socket appears elsewhere, maildrop was built for another "
            "authdaemonvar.",
        ),
    ),
    Signature(
        "s-connect-denied",
        rf"{_S_CONNECT}: Permission denied",
        Severity.ERROR,
        "The delivering process may not enter the socket directory: maildrop is not setuid "
        "root, or the directory's mode or owner changed.",
        wizard_step=WizardStep.SOCKET_PERMISSION,
        short="maildrop may not reach the socket",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
        ),
        examples=("ERR: authdaemon: s_connect() failed: Permission denied "
                  "/usr/bin/maildrop: Temporary authentication failure. ",),
        remedy=Remedy(
            "The delivering user may not enter {socket_dir}: maildrop lost its setuid bit, or the "
            "directory's mode or owner changed.",
            "`ls -ld {socket_dir}` and `ls -l $(command -v maildrop)` (expect -rwsr-xr-x root).",
            "Restore `chmod 4755 $(command -v maildrop)` or the directory's owner "
            "{mail_user}:{mail_group} mode 0750. Do not open the directory to everyone: whoever "
            "connects can read every account's password.",
        ),
    ),
    Signature(
        "s-connect-again",
        rf"{_S_CONNECT}: Resource temporarily unavailable",
        Severity.ERROR,
        "The listen backlog is full: every worker is busy and the queue too; more workers or a "
        "faster database are needed.",
        wizard_step=WizardStep.BACKLOG_FULL,
        short="worker pool and backlog full",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
        ),
        examples=("ERR: authdaemon: s_connect() failed: Resource temporarily unavailable "
                  "/usr/bin/maildrop: Temporary authentication failure. ",),
        remedy=Remedy(
            "Every worker is busy and the listen queue is full.",
            "`authlib-tui check` (pool-saturation).",
            "Raise daemons= in {authdaemonrc} and find the slow query, then `{restart}`.",
            "`cpcmd scope:set cp.bootstrapper courier_workers N`, then "
            f"`{APISCP_BOOTSTRAP}`; and find the slow query.",
        ),
    ),
    Signature(
        "s-connect-failed",
        _S_CONNECT,
        Severity.ERROR,
        "maildrop could not connect to authdaemond (see the reason after the colon).",
        wizard_step=WizardStep.DAEMON_NOT_RUNNING,
        short="maildrop could not connect to authdaemond",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("ERR: authdaemon: s_connect() failed")'),
        ),
        examples=("ERR: authdaemon: s_connect() failed: Connection timed out ERR: "
                  "[Hint: perhaps authdaemond is not running?] /usr/bin/maildrop: "
                  "Temporary authentication failure. ",),
        remedy=Remedy(
            "maildrop could not connect to authdaemond; the reason follows the colon.",
            "`authlib-tui check` (daemon-listening).",
            "Explain the reason (Connection refused, No such file, Permission denied…); most "
            "often `{start}`.",
        ),
    ),
    Signature(
        "s-connect-hint",
        r"^\s*(?:ERR: )?\[Hint: perhaps authdaemond is not running\?\]",
        Severity.ERROR,
        "The client's hint after a failed connect: the reason is on the s_connect() line "
        "before it.",
        wizard_step=WizardStep.DAEMON_NOT_RUNNING,
        short="maildrop could not connect to authdaemond",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", "ERR: [Hint: perhaps authdaemond is not running?]"),
        ),
        examples=("ERR: [Hint: perhaps authdaemond is not running?] ",),
        remedy=Remedy(
            "The connect to authdaemond failed; the reason is on the s_connect() line before it.",
            "`authlib-tui check` (daemon-listening).",
            "Explain the s_connect() line; most often `{start}`.",
        ),
    ),
    Signature(
        "client-socket-failed",
        r"^\s*CRIT: authdaemon: socket\(\) failed",
        Severity.ERROR,
        "The client could not even create a socket: it ran out of descriptors or memory.",
        wizard_step=WizardStep.SYSTEM_RESOURCES,
        short="client out of sockets",
        sources=(
            Source(AUTHLIB, "authdaemonlib.c", 'perror("CRIT: authdaemon: socket() failed")'),
        ),
        examples=("CRIT: authdaemon: socket() failed: Too many open files ",),
        remedy=Remedy(
            "The delivering process could not create a socket (out of descriptors or memory).",
            "`ulimit -n` for Postfix's pipe; the kernel log.",
            "Raise the limits or free memory; Postfix retries deferred mail.",
        ),
    ),
)

FAMILY = Family("client_library", Channel.COMMAND_OUTPUT, SIGNATURES)

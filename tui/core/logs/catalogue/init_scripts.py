"""What the init scripts and units print when authdaemond is started or stopped.

The units (Debian's courier-authdaemon.service, upstream's and the RPM's
courier-authlib.service) print nothing themselves, nor does the RPM spec's scriptlets
but for systemctl's own output; systemd writes the lines about a unit that failed.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import INIT_SCRIPTS, SYSTEMD
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "initscript-action-failed",
        r'^invoke-rc\.d: initscript (?P<unit>courier\S*), action "(?P<action>[\w-]+)" failed\.',
        Severity.ERROR,
        "A package upgrade (or an admin) asked the init script to start or stop a Courier "
        "service and it failed; on stop, usually because the daemon was not running or its "
        "pid file is stale, on start because the daemon exited at once.",
        wizard_step=WizardStep.DAEMON_START_FAILED,
        short="the init script's start/stop failed",
        sources=(Source(INIT_SCRIPTS, "script/invoke-rc.d",
                        'initscript ${INITSCRIPTID}, action \\"${saction}\\" failed.'),),
        examples=('invoke-rc.d: initscript courier-authdaemon, action "stop" failed.',),
        remedy=Remedy(
            "The service's start or stop returned an error: a stop of a daemon that is not "
            "running, or a start whose daemon logged why it exited.",
            "`authlib-tui check` (daemon-running), and authdaemond's lines in {mail_log} at "
            "that moment.",
            "For a failed stop: make sure no old authdaemond runs (`pgrep -a authdaemond`), then "
            "`{restart}` and re-run the upgrade (`dpkg --configure -a`). For a start: explain "
            "authdaemond's own line.",
        ),
    ),
    Signature(
        "initscript-authdaemonrc-missing",
        r"^\S*authdaemonrc does not exist, forgot make install-configure\?",
        Severity.ERROR,
        "The source build's init script found no authdaemonrc and did not start authdaemond.",
        wizard_step=WizardStep.CONFIG_FILE_ACCESS,
        short="authdaemonrc missing: not started",
        sources=(Source(INIT_SCRIPTS, "courier-authlib/courier-authlib.sysvinit.in",
                        "@authdaemonrc@ does not exist, forgot make install-configure?"),),
        examples=("/usr/local/etc/authlib/authdaemonrc does not exist, forgot make "
                  "install-configure?",),
        remedy=Remedy(
            "A source install without `make install-configure`: the config files were never "
            "written.",
            "`ls -l {authdaemonrc}`.",
            "Run `make install-configure` in the build tree (or copy authdaemonrc.dist), then "
            "`{start}`.",
        ),
    ),
    Signature(
        "unit-start-failed",
        r"^(?:courier-auth(?:daemon|lib)\.service: (?:(?:Control|Main) process exited, "
        r"code=\w+, status=(?!0/)\d+/|Failed with result ')|Failed to start (?:courier-auth"
        r"(?:daemon|lib)\.service|Courier Authenti(?:fi)?cation (?:Daemon|Library)))",
        Severity.ERROR,
        "systemd started (or stopped) the authlib unit and `authdaemond start` failed: "
        "authdaemond exited at once, and its own lines just before say why.",
        wizard_step=WizardStep.DAEMON_START_FAILED,
        short="systemd could not start authdaemond",
        sources=(
            Source(SYSTEMD, "src/core/service.c", "Main process exited, code=%s, status=%i/%s"),
            Source(SYSTEMD, "src/core/service.c",
                   "Control process exited, code=%s, status=%i/%s"),
            Source(SYSTEMD, "src/core/unit.c", "Failed with result '%s'."),
            Source(SYSTEMD, "src/core/job.c", "Failed to start %s."),
        ),
        examples=(
            "courier-authdaemon.service: Control process exited, code=exited, "
            "status=1/FAILURE",
            "courier-authlib.service: Failed with result 'exit-code'.",
            "Failed to start courier-authdaemon.service - Courier Authentification Daemon.",
            "Failed to start Courier Authentication Library.",
        ),
        remedy=Remedy(
            "`authdaemond start` returned an error: a bad authdaemonrc line, a module it "
            "cannot load, or a socket directory it cannot create; its own lines say which.",
            "`journalctl -u UNIT -n 50` (authdaemond's lines before systemd's); "
            "`authlib-tui check` (startup-errors, authdaemonrc-valid).",
            "Correct what authdaemond's line names, then `{start}`.",
        ),
    ),
    Signature(
        "initscript-progress",
        r"^(?:Starting|Stopping) Courier authentication services:",
        Severity.INFO,
        "The init script starting or stopping authdaemond.",
        short="authdaemond being started or stopped",
        sources=(
            Source(INIT_SCRIPTS, "courier-authlib/courier-authlib.sysvinit.in",
                   "Starting Courier authentication services:"),
            Source(INIT_SCRIPTS, "courier-authlib/courier-authlib.sysvinit.in",
                   "Stopping Courier authentication services:"),
        ),
        examples=("Starting Courier authentication services: authdaemond",),
    ),
)

FAMILY = Family("init_scripts", Channel.PROGRAM, SIGNATURES)

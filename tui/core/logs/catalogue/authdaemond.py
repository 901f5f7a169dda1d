"""authdaemond itself: start-up, authdaemonrc, its socket, loading modules, resources.

Also the information lines of its control (workers stopping and restarting, modules
loaded), which need nothing done.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.pattern_parts import FILE
from tui.core.logs.catalogue.programs import AUTHLIB
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import APISCP_BOOTSTRAP, Remedy
from tui.core.logs.catalogue.source import Source

_DAEMON_START_CONFIRM = ("Start it by hand in the foreground and read what it prints: "
                         "`{start}`, then `authlib-tui check` (startup-errors).")
_MODULE_CONFIRM = "`ls -l {module_dir}/libauthpgsql.so*` and `ldd {module_dir}/libauthpgsql.so`."

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "authdaemonrc-bad-line",
        rf"^Bad line in {FILE}: ",
        Severity.ERROR,
        "authdaemonrc has a non-blank line without '='. At start-up authdaemond exits and the "
        "left-over socket refuses connections; after a reload (just after 'restarting "
        "authdaemond children') it runs on with the settings it had: the file on disk is not "
        "what runs; the next restart will fail.",
        wizard_step=WizardStep.AUTHDAEMONRC_BAD_LINE,
        short="bad authdaemonrc line: exits at start-up, or the next restart will fail",
        sources=(Source(AUTHLIB, "authdaemond.c", "ERR: Bad line in %s: %s"),),
        examples=("Bad line in /etc/courier/authdaemonrc: daemons 5",),
        remedy=Remedy(
            "{authdaemonrc} has a non-blank line without '=' (often a pasted value on its own "
            "line); authdaemond exits at start-up, and after a reload keeps running on the old "
            "settings until its next restart, which fails.",
            "`grep -vnE '^[[:space:]]*(#|$)|=' {authdaemonrc}` lists such lines; `authlib-tui "
            "check` (daemon-listening) says whether the daemon still runs.",
            "Remove or comment out the line, then `{start}` if it stopped (a running daemon needs "
            "nothing: the next restart reads the corrected file).",
        ),
    ),
    Signature(
        "authdaemonrc-shell-error",
        r"^(?P<file>/\S*authdaemonrc): (?:line )?\d+: .*(?:not found|[Ss]yntax error)",
        Severity.ERROR,
        "The start script sources authdaemonrc with /bin/sh and a line is not valid shell; "
        "the settings after it may be lost or the daemon may not start.",
        wizard_step=WizardStep.AUTHDAEMONRC_BAD_LINE,
        short="authdaemonrc is not valid shell",
        logged_at="the init system's log (the start script's stderr)",
        sources=(
            Source(AUTHLIB, "authdaemond.in", "%s: %d: %s: not found"),
        ),
        examples=("/etc/courier/authdaemonrc: 12: garbage: not found",),
        remedy=Remedy(
            "The start script sources {authdaemonrc} with /bin/sh; a line is not valid shell (a "
            "stray word, an unbalanced quote).",
            "`sh -n {authdaemonrc}`",
            "Correct the line the message names, then `{restart}`.",
        ),
    ),
    Signature(
        "authdaemonrc-unreadable",
        r"^(?P<file>/\S*authdaemonrc): (?P<reason>[A-Z][\w -]+)$",
        Severity.ERROR,
        "authdaemond cannot open authdaemonrc at the path it was built with, so it exits at "
        "start-up.",
        wizard_step=WizardStep.DAEMON_START_FAILED,
        short="authdaemonrc cannot be opened: the daemon exited",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "perror(AUTHDAEMONRC)"),),
        examples=("/etc/courier/authdaemonrc: No such file or directory",),
        remedy=Remedy(
            "authdaemond cannot open {authdaemonrc} (missing, or not readable), so it exits.",
            _DAEMON_START_CONFIRM,
            "Restore {authdaemonrc} (mode 0660 or 0640, owner {mail_user}), then `{start}`.",
        ),
    ),
    Signature(
        "socket-create-failed",
        r"^(?P<file>/\S*/socket(?:\.tmp)?): (?P<reason>[A-Z][\w -]+)$",
        Severity.ERROR,
        "authdaemond cannot create its socket (the directory is missing, read-only or full, or "
        "the path is taken), so it exits at start-up: every lookup fails.",
        wizard_step=WizardStep.DAEMON_START_FAILED,
        short="socket cannot be created: the daemon exited",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "perror(AUTHDAEMONSOCK)"),),
        examples=("/run/courier/authdaemon/socket: Read-only file system",),
        remedy=Remedy(
            "authdaemond cannot create {socket}: the directory {socket_dir} is missing, read-only, "
            "full, or not writable by root; so it exits and every lookup fails.",
            "`ls -ld {socket_dir}` and `touch {socket_dir}/probe && rm {socket_dir}/probe` as "
            "root.",
            "Recreate {socket_dir} (owner {mail_user}:{mail_group}, mode 0750), make its file "
            "system writable, then `{start}`.",
        ),
    ),
    Signature(
        "daemon-misinvoked",
        r"^Error: authdaemond no longer handles its own daemonizing",
        Severity.ERROR,
        "The authdaemond binary was run with arguments; it is started by its wrapper script "
        "(authdaemond start) or the service unit.",
        wizard_step=WizardStep.DAEMON_START_FAILED,
        short="authdaemond binary run directly",
        logged_at="the terminal or the init system's log",
        sources=(
            Source(AUTHLIB, "authdaemond.c (0.66)",
                   "Error: authdaemond no longer handles its own daemonizing."),
        ),
        examples=("Error: authdaemond no longer handles its own daemonizing.",),
        remedy=Remedy(
            "The authdaemond program was run directly with arguments; only its wrapper daemonizes.",
            _DAEMON_START_CONFIRM,
            "Start it the platform's way: `{start}`.",
        ),
    ),
    Signature(
        "daemons-missing",
        r"^Configuration error - missing 'daemons' setting",
        Severity.ERROR,
        "authdaemonrc has no usable daemons= value; authdaemond runs a single worker.",
        wizard_step=WizardStep.AUTHDAEMONRC_DAEMONS,
        short="no daemons= setting: one worker only",
        sources=(
            Source(AUTHLIB, "authdaemond.c",
                   "ERR: Configuration error - missing 'daemons' setting, using %u"),
        ),
        examples=("Configuration error - missing 'daemons' setting, using 1",),
        remedy=Remedy(
            "{authdaemonrc} has no daemons= (or it is 0 or not a number); authdaemond runs a "
            "single worker, so lookups queue behind each other.",
            "`grep ^daemons= {authdaemonrc}`; `authlib-tui check` (pool-saturation).",
            "Set daemons=5 (or what the load needs) in {authdaemonrc}, then `{restart}`.",
            "Set the worker count: `cpcmd scope:set cp.bootstrapper courier_workers 5`, then "
            f"`{APISCP_BOOTSTRAP}`.",
        ),
    ),
    Signature(
        "ltdl-failed",
        r"^lt_dl(?:init|setsearchpath)\(\) failed",
        Severity.ERROR,
        "libltdl, which loads the modules, failed to start: no module can be loaded and every "
        "lookup fails.",
        wizard_step=WizardStep.MODULE_MISSING,
        short="the module loader failed: no modules",
        sources=(
            Source(AUTHLIB, "authdaemond.c", "ERR: lt_dlinit() failed: %s"),
            Source(AUTHLIB, "authdaemond.c", "ERR: lt_dlsetsearchpath() failed: %s"),
        ),
        examples=("lt_dlsetsearchpath() failed: not enough memory",),
        remedy=Remedy(
            "libltdl could not start or find the module directory; the installation is damaged.",
            _MODULE_CONFIRM,
            "Reinstall courier-authlib (and libltdl), then `{restart}`.",
        ),
    ),
    Signature(
        "module-not-found",
        r"^(?:file not found$"
        r"|(?:\S*/)?libauth\w*(?:\.so[.\d]*)?: cannot open shared object file: "
        r"No such file or directory)",
        Severity.ERROR,
        "A module in authmodulelist could not be loaded (the `Installing lib…` line before "
        "names it): its package is not installed, or the file is not a library this system "
        "can load (libltdl says 'file not found' for both).",
        wizard_step=WizardStep.MODULE_MISSING,
        short="auth module not installed",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: %s"),),
        examples=("file not found",),
        remedy=Remedy(
            "authmodulelist in {authdaemonrc} names a module whose library is not installed "
            "(authpgsql: {pgsql_package}), or whose file is damaged or built for another system.",
            _MODULE_CONFIRM,
            "Install (or reinstall) {pgsql_package}, or remove the module from authmodulelist, "
            "then `{restart}`.",
        ),
    ),
    Signature(
        "module-dependency-missing",
        r"^(?:dependency library not found$|\S+: cannot open shared object file: )",
        Severity.ERROR,
        "A module's own library (e.g. libpq) is missing or unreadable, so the module does not "
        "load and its addresses are 'Invalid user'.",
        wizard_step=WizardStep.MODULE_MISSING,
        short="a library the module needs is missing",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: %s"),),
        examples=("libpq.so.5: cannot open shared object file: No such file or "
                  "directory",),
        remedy=Remedy(
            "A library the module links against (usually libpq) is missing or unreadable.",
            _MODULE_CONFIRM + " (`not found` names the missing library)",
            "Install the missing library (libpq5 / postgresql-libs), then `{restart}`.",
        ),
    ),
    Signature(
        "module-undefined-symbol",
        r"^\S+: undefined symbol: \S+",
        Severity.ERROR,
        "A module was built against another authlib or libpq version than the one installed, "
        "so it does not load.",
        wizard_step=WizardStep.MODULE_MISSING,
        short="module built for another authlib/libpq",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: %s"),),
        examples=("/usr/lib/courier-authlib/libauthpgsql.so: undefined symbol: "
                  "PQsslAttribute",),
        remedy=Remedy(
            "The module was built against a different authlib or libpq than the installed one "
            "(a partial upgrade, or a module from another build).",
            _MODULE_CONFIRM,
            "Install the module package that matches the installed courier-authlib "
            "({pgsql_package}), then `{restart}`.",
        ),
    ),
    Signature(
        "module-load-failed",
        r"^(?:can't open the module$|not a valid libtool archive$"
        r"|\S+: (?:invalid ELF header|wrong ELF class|file too short))",
        Severity.ERROR,
        "A module file exists but is not a loadable library for this system.",
        wizard_step=WizardStep.MODULE_MISSING,
        short="module file is not a loadable library",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: %s"),),
        examples=("/usr/lib/courier-authlib/libauthpgsql.so: invalid ELF header",),
        remedy=Remedy(
            "The module file is damaged or for another architecture.",
            _MODULE_CONFIRM,
            "Reinstall {pgsql_package}, then `{restart}`.",
        ),
    ),
    Signature(
        "module-init-missing",
        r"^Can't locate init function",
        Severity.ERROR,
        "A module library loaded but is not an authlib module of this version.",
        wizard_step=WizardStep.MODULE_MISSING,
        short="library is not an authlib module of this version",
        sources=(Source(AUTHLIB, "authdaemond.c", "ERR: Can't locate init function %s."),),
        examples=("Can't locate init function courier_authfoo_init.",),
        remedy=Remedy(
            "The library loaded but is not an authlib module of this version.",
            _MODULE_CONFIRM,
            "Install the module package matching courier-authlib, then `{restart}`.",
        ),
    ),
    Signature(
        "resource-failure",
        r"^(?:fork|pipe|fcntl|malloc)\(\) failed",
        Severity.ERROR,
        "authdaemond ran out of a system resource (processes, descriptors or memory).",
        wizard_step=WizardStep.SYSTEM_RESOURCES,
        short="out of processes, descriptors or memory",
        logged_at="crit",
        sources=(
            Source(AUTHLIB, "authdaemond.c", 'perror("CRIT: fork() failed")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("CRIT: pipe() failed")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("CRIT: malloc() failed")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("CRIT: fcntl() failed")'),
        ),
        examples=("fork() failed",),
        remedy=Remedy(
            "authdaemond ran out of processes, file descriptors or memory.",
            "`free -m`, `ulimit -a` for the service, and the kernel log (`dmesg`).",
            "Free memory or raise the service's limits (LimitNOFILE/LimitNPROC), then `{restart}`.",
        ),
    ),
    Signature(
        "resource-perror",
        r"^(?:(?:malloc|strdup|pipe|open): \S.*|Cannot allocate memory)$",
        Severity.ERROR,
        "authdaemond ran out of memory or descriptors while starting or answering.",
        wizard_step=WizardStep.SYSTEM_RESOURCES,
        short="out of memory or descriptors",
        logged_at="info",
        sources=(
            Source(AUTHLIB, "authdaemond.c", 'perror("malloc")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("strdup")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("pipe")'),
            Source(AUTHLIB, "authdaemond.c", 'perror("open")'),
        ),
        examples=("malloc: Cannot allocate memory",),
        remedy=Remedy(
            "authdaemond ran out of memory or file descriptors.",
            "`free -m`, `ulimit -a` for the service, and the kernel log (`dmesg`).",
            "Free memory or raise the service's limits, then `{restart}`.",
        ),
    ),
    Signature(
        "children-stopping",
        r"^stopping authdaemond children",
        Severity.INFO,
        "The workers are being replaced: a restart (SIGHUP) or a worker died.",
        short="workers stopping (restart or a worker died)",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: stopping authdaemond children"),),
        examples=("stopping authdaemond children",),
    ),
    Signature(
        "children-restarting",
        r"^restarting authdaemond children",
        Severity.INFO,
        "A fresh set of workers is starting after authdaemonrc was re-read.",
        short="workers restarting",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: restarting authdaemond children"),),
        examples=("restarting authdaemond children",),
    ),
    Signature(
        "daemon-started",
        r'^modules="(?P<modules>[^"]*)", daemons=(?P<daemons>\d+)',
        Severity.INFO,
        "authdaemond (re)started with these modules and this many workers.",
        short="authdaemond started",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", 'INFO: modules="%s", daemons=%u'),),
        examples=('modules="authpgsql", daemons=5',),
    ),
    Signature(
        "module-installing",
        r"^Installing (?P<library>lib\S+)",
        Severity.INFO,
        "authdaemond is loading a module library.",
        short="loading a module",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: Installing %s"),),
        examples=("Installing libauthpgsql.so",),
    ),
    Signature(
        "module-installed",
        r"^Installation complete: (?P<module>\S+)",
        Severity.INFO,
        "The module loaded.",
        short="module loaded",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: Installation complete: %s"),),
        examples=("Installation complete: authpgsql",),
    ),
    Signature(
        "module-uninstalling",
        r"^Uninstalling (?P<module>\S+)",
        Severity.INFO,
        "A module is being unloaded (the workers are stopping).",
        short="module unloading",
        logged_at="info",
        sources=(Source(AUTHLIB, "authdaemond.c", "INFO: Uninstalling %s"),),
        examples=("Uninstalling authpgsql",),
    ),
)

FAMILY = Family("authdaemond", Channel.AUTHDAEMOND, SIGNATURES)

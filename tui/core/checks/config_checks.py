"""The config files: what makes every lookup fail, or the next start of authdaemond.

The linter already knows each problem; these checks turn its findings into the
wizard's steps, with the platform's way to put the file right.

authdaemonrc is special: authdaemond refuses a broken one only when it starts.
When it re-reads the file on a reload (or after a worker died) and finds a bad
line, it logs it and carries on with the settings it already had. So a running
daemon and a broken file on disk is not an outage yet, but the next restart is.
"""

from __future__ import annotations

from tui.core.checks.context import CheckContext
from tui.core.checks.result import CheckResult, Fix, Status
from tui.core.findings import Finding
from tui.core.platforms.platform import Platform
from tui.core.shell_words import shell_command

MODULE_FILE = "libauthpgsql.so"


def _finding(context: CheckContext, *ids: str) -> Finding | None:
    return next((f for f in context.config_findings if f.id in ids), None)


def _bootstrap_or(context: CheckContext, why: str, hand_fix: str) -> Fix:
    """On ApisCP the Bootstrapper owns the file: re-run it instead of editing."""
    if context.platform is Platform.APISCP:
        return Fix(why + " The Bootstrapper writes this file; let it write it again.",
                   ("upcp -sb mail/configure-courier-authlib",))
    return Fix(why, diff=hand_fix)


def authdaemonrc_valid(context: CheckContext) -> CheckResult:
    title = "authdaemonrc can start authdaemond"
    rc = context.installation.authdaemonrc
    if rc is None:
        return CheckResult("authdaemonrc-valid", title, Status.SKIP, "No authdaemonrc to read.")
    bad = [problem for problem in rc.problems if problem.id == "bad-line"]
    if not bad:
        return CheckResult("authdaemonrc-valid", title, Status.OK,
                           "Every line of authdaemonrc is NAME=value: authdaemond can start.")
    first = bad[0]
    evidence = tuple(f"{problem.where}: {problem.message}" for problem in bad[:3])
    diff = f"{first.where}: {first.fix or 'make it NAME=value, or delete it'}"
    if context.installation.discovery.processes.running:
        return CheckResult(
            "authdaemonrc-valid", title, Status.WARN,
            f"{first.where} has a line without '=': the file on disk is not what runs; the next "
            "restart will fail. The running authdaemond keeps the settings it had (a reload "
            "logs 'Bad line' and changes nothing), so mail flows now; a restart makes it exit "
            "and maildrop then gets 's_connect() failed: Connection refused'.",
            evidence,
            Fix("Correct the line before anything restarts authdaemond; the running daemon "
                "needs nothing.", diff=diff),
            diagnosis="authdaemonrc-bad-line",
        )
    return CheckResult(
        "authdaemonrc-valid", title, Status.FAIL,
        f"{first.where} has a line without '=': authdaemond logs 'Bad line' and exits at "
        "start-up, so it cannot run until the line is corrected.",
        evidence, Fix("Correct the line, then start authdaemond.",
                      (context.commands.start,), diff=diff),
    )


def authpgsqlrc_readable(context: CheckContext) -> CheckResult:
    title = "authpgsqlrc can be read"
    path = context.installation.discovery.authpgsqlrc
    context.installation.authpgsqlrc  # noqa: B018  (reading it records a read error)
    error = context.installation.read_errors.get("authpgsqlrc")
    if path is None:
        return CheckResult("authpgsqlrc-readable", title, Status.FAIL,
                           "No authpgsqlrc was found in the config dir.",
                           diagnosis="config-missing")
    if error is not None:
        return CheckResult("authpgsqlrc-readable", title, Status.FAIL, str(error),
                           (str(path),), Fix("Run as root, or restore the file's mode "
                                             "(0640, owner root, group the mail group)."),
                           diagnosis="config-unreadable")
    return CheckResult("authpgsqlrc-readable", title, Status.OK, f"{path} was read.")


def config_marker(context: CheckContext) -> CheckResult:
    title = "authpgsqlrc has its marker line"
    if context.installation.authpgsqlrc is None:
        return CheckResult("config-marker", title, Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "marker-missing")
    if finding is None:
        return CheckResult("config-marker", title, Status.OK,
                           "The `##NAME: MARKER:` line is there.")
    return CheckResult(
        "config-marker", title, Status.FAIL,
        "authpgsqlrc lost its `##NAME: MARKER:` line: authpgsql refuses the whole file, so every "
        "lookup fails temporarily ('marker line not found' in the log).",
        (finding.message, finding.where),
        _bootstrap_or(context, finding.fix or "Put the marker line back.",
                      "+##NAME: MARKER:0\n(at column 0, usually before the last section)"),
        diagnosis="marker-missing",
    )


def config_old_keys(context: CheckContext) -> CheckResult:
    title = "authpgsqlrc uses PGSQL_CONNECTION, not the old keys"
    if context.installation.authpgsqlrc is None:
        return CheckResult("config-old-keys", title, Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "old-style-keys")
    if finding is None:
        return CheckResult("config-old-keys", title, Status.OK,
                           "No PGSQL_HOST/PGSQL_USERNAME… keys that this authlib ignores.")
    return CheckResult(
        "config-old-keys", title, Status.FAIL,
        "authpgsqlrc sets PGSQL_HOST/PGSQL_USERNAME/…, which authlib 0.67+ no longer reads: "
        "it finds no PGSQL_CONNECTION and fails every lookup.",
        (finding.message, finding.where),
        _bootstrap_or(context, finding.fix or "Convert to one PGSQL_CONNECTION line.",
                      "-PGSQL_HOST …\n-PGSQL_PORT …\n-PGSQL_USERNAME …\n-PGSQL_PASSWORD …\n"
                      "-PGSQL_DATABASE …\n+PGSQL_CONNECTION host=… port=… user=… "
                      "password=<the mail role's password> dbname=…"),
        diagnosis="old-style-keys",
    )


def config_connection(context: CheckContext) -> CheckResult:
    title = "PGSQL_CONNECTION is present, with dbname="
    if context.installation.authpgsqlrc is None:
        return CheckResult("config-connection", title, Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "connection-missing", "connection-invalid")
    if finding is None:
        return CheckResult("config-connection", title, Status.OK,
                           "PGSQL_CONNECTION is usable.",
                           (str(context.connection.masked()) if context.connection else "",))
    if _finding(context, "old-style-keys") is not None:
        return CheckResult("config-connection", title, Status.SKIP,
                           "Missing because the file uses the old keys (see above).")
    return CheckResult("config-connection", title, Status.FAIL, finding.message,
                       (finding.where,), Fix(finding.fix or "Write a PGSQL_CONNECTION line."),
                       diagnosis="connection-missing")


def authpgsql_module(context: CheckContext) -> CheckResult:
    title = "The authpgsql module is installed and listed"
    rc = context.installation.authdaemonrc
    layout = context.installation.discovery.layout.value
    dirs = layout.module_dirs if layout is not None else ()
    present = [d / MODULE_FILE for d in dirs if (d / MODULE_FILE).exists()]
    evidence = [f"looked for {MODULE_FILE} in {', '.join(map(str, dirs)) or '(no layout)'}"]
    if rc is not None:
        evidence.append(f'authmodulelist="{" ".join(rc.module_list)}"')
    if rc is not None and not rc.uses_authpgsql:
        return CheckResult(
            "authpgsql-module", title, Status.FAIL,
            "authmodulelist does not name authpgsql: every address is 'Invalid user' (bounced).",
            tuple(evidence), Fix('Set authmodulelist="authpgsql", then restart authdaemond.',
                                 (context.commands.restart,)),
            diagnosis="module-missing")
    if dirs and not present:
        package = ("courier-authlib-postgresql" if context.platform is Platform.DEBIAN
                   else "courier-authlib-pgsql")
        return CheckResult(
            "authpgsql-module", title, Status.FAIL,
            f"{MODULE_FILE} is not installed: authdaemond logs 'file not found' at start and "
            "every address bounces as 'Invalid user'.", tuple(evidence),
            Fix(f"Install the {package} package, then restart authdaemond."),
            diagnosis="module-missing")
    return CheckResult("authpgsql-module", title, Status.OK,
                       f"{present[0] if present else MODULE_FILE} is installed and listed.",
                       tuple(evidence))


def debug_login(context: CheckContext) -> CheckResult:
    """DEBUG_LOGIN=2 puts every found mailbox's cleartext password and hash in the mail log."""
    title = "DEBUG_LOGIN does not write passwords to the log"
    rc = context.installation.authdaemonrc
    if rc is None:
        return CheckResult("debug-login", title, Status.SKIP, "No authdaemonrc to read.")
    where = str(rc.path) if rc.path else "authdaemonrc"
    evidence = (f"DEBUG_LOGIN={rc.debug_login} in {where}",)
    if rc.debug_login >= 2:
        edit = shell_command("sed", "-i", "s/^DEBUG_LOGIN=.*/DEBUG_LOGIN=0/", "--", where)
        return CheckResult(
            "debug-login", title, Status.WARN,
            f"DEBUG_LOGIN={rc.debug_login} is set: authdaemond writes each found mailbox's "
            "cleartext password and hash to the mail log (authlib-tui masks them; the log "
            "file itself does not).",
            evidence,
            Fix("Set DEBUG_LOGIN=0 and stop/start authdaemond (a HUP does not re-read it); "
                "then purge the passwords from the mail log and its rotated copies.",
                (edit, context.commands.restart)),
        )
    if rc.debug_login == 1:
        return CheckResult("debug-login", title, Status.OK,
                           "DEBUG_LOGIN=1: lookups are logged at debug level, without passwords.",
                           evidence)
    return CheckResult("debug-login", title, Status.OK, "DEBUG_LOGIN is off.", evidence)

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
from tui.core.checks.declaration import Answer, check
from tui.core.checks.result import Fix, Status
from tui.core.findings import Finding
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
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


@check(CheckId.AUTHDAEMONRC_VALID, "authdaemonrc can start authdaemond", hop=HopId.POOL,
       steps=(WizardStep.AUTHDAEMONRC_BAD_LINE,),
       decides={DiagnosisId.AUTHDAEMONRC_BAD_LINE: WizardStep.AUTHDAEMONRC_BAD_LINE})
def authdaemonrc_valid(context: CheckContext) -> Answer:
    rc = context.installation.authdaemonrc
    if rc is None:
        return Answer(Status.SKIP, "No authdaemonrc to read.")
    bad = [problem for problem in rc.problems if problem.id == "bad-line"]
    if not bad:
        return Answer(Status.OK,
                      "Every line of authdaemonrc is NAME=value: authdaemond can start.")
    first = bad[0]
    evidence = tuple(f"{problem.where}: {problem.message}" for problem in bad[:3])
    diff = f"{first.where}: {first.fix or 'make it NAME=value, or delete it'}"
    if context.installation.discovery.processes.running:
        return Answer(
            Status.WARN,
            f"{first.where} has a line without '=': the file on disk is not what runs; the next "
            "restart will fail. The running authdaemond keeps the settings it had (a reload "
            "logs 'Bad line' and changes nothing), so mail flows now; a restart makes it exit "
            "and maildrop then gets 's_connect() failed: Connection refused'.",
            evidence,
            Fix("Correct the line before anything restarts authdaemond; the running daemon "
                "needs nothing.", diff=diff),
            diagnosis=DiagnosisId.AUTHDAEMONRC_BAD_LINE,
        )
    return Answer(
        Status.FAIL,
        f"{first.where} has a line without '=': authdaemond logs 'Bad line' and exits at "
        "start-up, so it cannot run until the line is corrected.",
        evidence, Fix("Correct the line, then start authdaemond.",
                      (context.commands.start,), diff=diff),
    )


@check(CheckId.AUTHPGSQLRC_READABLE, "authpgsqlrc can be read", hop=HopId.CONFIG,
       steps=(WizardStep.CONFIG_FILE_ACCESS,),
       decides={DiagnosisId.CONFIG_MISSING: WizardStep.CONFIG_FILE_ACCESS,
                DiagnosisId.CONFIG_UNREADABLE: WizardStep.CONFIG_FILE_ACCESS})
def authpgsqlrc_readable(context: CheckContext) -> Answer:
    path = context.installation.discovery.authpgsqlrc
    context.installation.authpgsqlrc  # noqa: B018  (reading it records a read error)
    error = context.installation.read_errors.get("authpgsqlrc")
    if path is None:
        return Answer(Status.FAIL,
                      "No authpgsqlrc was found in the config dir.",
                      diagnosis=DiagnosisId.CONFIG_MISSING)
    if error is not None:
        return Answer(Status.FAIL, str(error),
                      (str(path),), Fix("Run as root, or restore the file's mode "
                                        "(0640, owner root, group the mail group)."),
                      diagnosis=DiagnosisId.CONFIG_UNREADABLE)
    return Answer(Status.OK, f"{path} was read.")


@check(CheckId.CONFIG_MARKER, "authpgsqlrc has its marker line", hop=HopId.CONFIG,
       steps=(WizardStep.AUTHPGSQLRC_MARKER,),
       decides={DiagnosisId.MARKER_MISSING: WizardStep.AUTHPGSQLRC_MARKER})
def config_marker(context: CheckContext) -> Answer:
    if context.installation.authpgsqlrc is None:
        return Answer(Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "marker-missing")
    if finding is None:
        return Answer(Status.OK,
                      "The `##NAME: MARKER:` line is there.")
    return Answer(
        Status.FAIL,
        "authpgsqlrc lost its `##NAME: MARKER:` line: authpgsql refuses the whole file, so every "
        "lookup fails temporarily ('marker line not found' in the log).",
        (finding.message, finding.where),
        _bootstrap_or(context, finding.fix or "Put the marker line back.",
                      "+##NAME: MARKER:0\n(at column 0, usually before the last section)"),
        diagnosis=DiagnosisId.MARKER_MISSING,
    )


@check(CheckId.CONFIG_OLD_KEYS, "authpgsqlrc uses PGSQL_CONNECTION, not the old keys",
       hop=HopId.CONFIG, steps=(WizardStep.AUTHPGSQLRC_OLD_KEYS,),
       decides={DiagnosisId.OLD_STYLE_KEYS: WizardStep.AUTHPGSQLRC_OLD_KEYS})
def config_old_keys(context: CheckContext) -> Answer:
    if context.installation.authpgsqlrc is None:
        return Answer(Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "old-style-keys")
    if finding is None:
        return Answer(Status.OK,
                      "No PGSQL_HOST/PGSQL_USERNAME… keys that this authlib ignores.")
    return Answer(
        Status.FAIL,
        "authpgsqlrc sets PGSQL_HOST/PGSQL_USERNAME/…, which authlib 0.67+ no longer reads: "
        "it finds no PGSQL_CONNECTION and fails every lookup.",
        (finding.message, finding.where),
        _bootstrap_or(context, finding.fix or "Convert to one PGSQL_CONNECTION line.",
                      "-PGSQL_HOST …\n-PGSQL_PORT …\n-PGSQL_USERNAME …\n-PGSQL_PASSWORD …\n"
                      "-PGSQL_DATABASE …\n+PGSQL_CONNECTION host=… port=… user=… "
                      "password=<the mail role's password> dbname=…"),
        diagnosis=DiagnosisId.OLD_STYLE_KEYS,
    )


@check(CheckId.CONFIG_CONNECTION, "PGSQL_CONNECTION is present, with dbname=", hop=HopId.CONFIG,
       steps=(WizardStep.AUTHPGSQLRC_REQUIRED_KEYS,),
       decides={DiagnosisId.CONNECTION_MISSING: WizardStep.AUTHPGSQLRC_REQUIRED_KEYS})
def config_connection(context: CheckContext) -> Answer:
    if context.installation.authpgsqlrc is None:
        return Answer(Status.SKIP, "No authpgsqlrc to read.")
    finding = _finding(context, "connection-missing", "connection-invalid")
    if finding is None:
        return Answer(Status.OK,
                      "PGSQL_CONNECTION is usable.",
                      (str(context.connection.masked()) if context.connection else "",))
    if _finding(context, "old-style-keys") is not None:
        return Answer(Status.SKIP,
                      "Missing because the file uses the old keys (see above).")
    return Answer(Status.FAIL, finding.message,
                  (finding.where,), Fix(finding.fix or "Write a PGSQL_CONNECTION line."),
                  diagnosis=DiagnosisId.CONNECTION_MISSING)


@check(CheckId.AUTHPGSQL_MODULE, "The authpgsql module is installed and listed", hop=HopId.CONFIG,
       steps=(WizardStep.MODULE_MISSING,),
       decides={DiagnosisId.MODULE_MISSING: WizardStep.MODULE_MISSING})
def authpgsql_module(context: CheckContext) -> Answer:
    rc = context.installation.authdaemonrc
    layout = context.installation.discovery.layout.value
    dirs = layout.module_dirs if layout is not None else ()
    present = [d / MODULE_FILE for d in dirs if (d / MODULE_FILE).exists()]
    evidence = [f"looked for {MODULE_FILE} in {', '.join(map(str, dirs)) or '(no layout)'}"]
    if rc is not None:
        evidence.append(f'authmodulelist="{" ".join(rc.module_list)}"')
    if rc is not None and not rc.uses_authpgsql:
        return Answer(
            Status.FAIL,
            "authmodulelist does not name authpgsql: every address is 'Invalid user' (bounced).",
            tuple(evidence), Fix('Set authmodulelist="authpgsql", then restart authdaemond.',
                                 (context.commands.restart,)),
            diagnosis=DiagnosisId.MODULE_MISSING)
    if dirs and not present:
        package = ("courier-authlib-postgresql" if context.platform is Platform.DEBIAN
                   else "courier-authlib-pgsql")
        return Answer(
            Status.FAIL,
            f"{MODULE_FILE} is not installed: authdaemond logs 'file not found' at start and "
            "every address bounces as 'Invalid user'.", tuple(evidence),
            Fix(f"Install the {package} package, then restart authdaemond."),
            diagnosis=DiagnosisId.MODULE_MISSING)
    return Answer(Status.OK,
                  f"{present[0] if present else MODULE_FILE} is installed and listed.",
                  tuple(evidence))


@check(CheckId.DEBUG_LOGIN, "DEBUG_LOGIN does not write passwords to the log",
       steps=(WizardStep.DEBUG_LOGIN_PASSWORDS,))
def debug_login(context: CheckContext) -> Answer:
    """DEBUG_LOGIN=2 puts every found mailbox's cleartext password and hash in the mail log."""
    rc = context.installation.authdaemonrc
    if rc is None:
        return Answer(Status.SKIP, "No authdaemonrc to read.")
    where = str(rc.path) if rc.path else "authdaemonrc"
    evidence = (f"DEBUG_LOGIN={rc.debug_login} in {where}",)
    if rc.debug_login >= 2:
        edit = shell_command("sed", "-i", "s/^DEBUG_LOGIN=.*/DEBUG_LOGIN=0/", "--", where)
        return Answer(
            Status.WARN,
            f"DEBUG_LOGIN={rc.debug_login} is set: authdaemond writes each found mailbox's "
            "cleartext password and hash to the mail log (authlib-tui masks them; the log "
            "file itself does not).",
            evidence,
            Fix("Set DEBUG_LOGIN=0 and stop/start authdaemond (a HUP does not re-read it); "
                "then purge the passwords from the mail log and its rotated copies.",
                (edit, context.commands.restart)),
        )
    if rc.debug_login == 1:
        return Answer(Status.OK,
                      "DEBUG_LOGIN=1: lookups are logged at debug level, without passwords.",
                      evidence)
    return Answer(Status.OK, "DEBUG_LOGIN is off.", evidence)

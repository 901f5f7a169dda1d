"""The login side: why a Courier IMAP/POP3 user cannot log in, and who is guessing passwords.

A refused login (`LOGIN FAILED, user=…`) is authdaemond's answer for that user: no such
account, an account whose home or Maildir is gone, or a wrong password. The walk asks
authdaemond for the user the way the login did (without the password: only the user
knows it; `authlib-tui lookup --password-stdin` tests one), then looks at the home and
Maildir. Many failures from one address are password guessing: not an authlib fault,
and fail2ban's courier filters are the tool for it.
"""

from __future__ import annotations

import time

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.request import address_problem
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, address_check, check
from tui.core.checks.delivery_checks import mail_root
from tui.core.checks.mailbox_home import examine_mailbox, home_fix_commands
from tui.core.checks.result import Fix, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.wizard_step import WizardStep
from tui.core.log_sources.login_history import LoginHistory, recent_logins
from tui.core.logs.login_attempts import GUESSING_FAILURES, GUESSING_WINDOW, guessers
from tui.core.logs.login_line import LoginEvent
from tui.core.platforms.platform import Platform
from tui.core.safe_text import safe_text
from tui.core.shell_words import shell_command

LOOK_BACK = 3600.0  # the login lines of the last hour
FAIL2BAN_FIX = ("Block the address with fail2ban's courier-auth jail (it reads these LOGIN "
                "FAILED lines): enable it in /etc/fail2ban/jail.local ([courier-auth] "
                "enabled = true) and restart fail2ban. Nothing in authlib needs fixing.")
# The monitor's run every few seconds reads only the logins written since its last run.
_PERIODIC = LoginHistory()


def _not_here(context: CheckContext) -> Answer | None:
    services = context.installation.discovery.login_services
    if services.installed:
        return None
    return Answer(Status.SKIP, safe_text(services.sentence, 400))


def last_failed_login(context: CheckContext) -> str | None:
    """The user of the newest `LOGIN FAILED` line of the last hour (what the walk explains)."""
    lines = recent_logins(context.installation, since=time.time() - LOOK_BACK)
    failed = [line for _at, line in lines if line.event is LoginEvent.FAILED and line.user]
    return failed[-1].user if failed else None


@address_check(CheckId.LOGIN_ANSWER, "authdaemond's answer for the login {address}",
               steps=(WizardStep.LOGIN_FAILED,),
               decides={DiagnosisId.LOGIN_PASSWORD_WRONG: WizardStep.LOGIN_FAILED,
                        DiagnosisId.NOT_A_MAILBOX: WizardStep.NOT_A_MAILBOX,
                        DiagnosisId.HOME_MISSING: WizardStep.MAILBOX_HOME,
                        DiagnosisId.HOME_WRONG_OWNER: WizardStep.MAILBOX_HOME,
                        DiagnosisId.HOME_WORLD_WRITABLE: WizardStep.MAILBOX_HOME,
                        DiagnosisId.HOME_SYMLINK: WizardStep.MAILBOX_HOME,
                        DiagnosisId.HOME_OUTSIDE_MAIL_ROOT: WizardStep.MAILBOX_HOME,
                        DiagnosisId.MAILDIR_MISSING: WizardStep.MAILDIR_MISSING})
def login_answer(context: CheckContext, user: str) -> Answer:
    if (skipped := _not_here(context)) is not None:
        return skipped
    problem = address_problem(user)
    if problem is not None:
        return Answer(Status.FAIL, f"The login name cannot be asked for: {problem}.")
    if context.socket is None:
        return Answer(Status.SKIP, "No authdaemond socket was found to ask.")
    result = AuthdaemonClient(context.socket, connect_timeout=min(context.timeout, 5.0),
                              read_timeout=context.timeout).lookup(user)
    shown = safe_text(user, 200)
    test = shell_command("authlib-tui", "lookup", "--password-stdin", user)
    if result.outcome not in (Outcome.FOUND, Outcome.NOT_FOUND):
        return Answer(Status.FAIL,
                      f"authdaemond could not answer for {shown} ({result.outcome.value}): the "
                      "login failed because authlib did, not because of the password.",
                      (result.os_error or result.note,) if result.os_error or result.note else (),
                      Fix("Run the tempfail walk (`authlib-tui check`): it names the cause."))
    if result.outcome is not Outcome.FOUND or result.account is None:
        return Answer(Status.FAIL,
                      f"authdaemond knows no account {shown}: the login name is wrong (a typo, "
                      "the local part without the domain) or the mailbox is disabled.",
                      (f"lookup {shown}: {result.outcome.value}",),
                      Fix("Log in with the full address as the mailbox has it, or create or "
                          "enable the mailbox."), diagnosis=DiagnosisId.NOT_A_MAILBOX)
    # The mailbox as the mail programs see it: through the Postfix master's root where it
    # runs (the lab's live in a mount namespace of their own), else this host's.
    master = context.postfix.master_pid
    mailbox = examine_mailbox(result.account, f"/proc/{master}/root" if master else "",
                              mail_root(context))
    evidence = (f"lookup {shown}: found, home {safe_text(str(result.account.home), 300)}",
                *mailbox.evidence)
    if mailbox.diagnosis:
        return Answer(Status.FAIL,
                      f"{shown} exists, but its mailbox is not usable ({mailbox.diagnosis}): "
                      "imapd and pop3d log in, then cannot chdir to the home or Maildir.",
                      evidence,
                      Fix("Give the mailbox its home (owned by its uid) and Maildir.",
                          home_fix_commands(mailbox)), diagnosis=mailbox.diagnosis)
    return Answer(Status.FAIL,
                  f"{shown} exists and its home and Maildir are right: authdaemond refused the "
                  "password. The user (or a mail client with a stale saved password) sent a "
                  "wrong one.", evidence,
                  Fix(f"Test the password the user believes in: `{test}` (it reads the password "
                      "from stdin, never from the command line); if it fails, reset the "
                      "mailbox's password."), diagnosis=DiagnosisId.LOGIN_PASSWORD_WRONG)


@check(CheckId.LOGIN_GUESSING, "No address is guessing IMAP/POP3 passwords",
       steps=(WizardStep.PASSWORD_GUESSING,),
       decides={DiagnosisId.PASSWORD_GUESSING: WizardStep.PASSWORD_GUESSING})
def login_guessing(context: CheckContext) -> Answer:
    if (skipped := _not_here(context)) is not None:
        return skipped
    since = time.time() - LOOK_BACK
    lines = (_PERIODIC.since(context.installation, since) if context.periodic
             else recent_logins(context.installation, since=since))
    failed = sum(1 for _at, line in lines if line.event is LoginEvent.FAILED)
    found = guessers(lines)
    if not found:
        return Answer(Status.OK,
                      f"{failed} failed login(s) in the last hour; no address failed "
                      f"{GUESSING_FAILURES} times within {GUESSING_WINDOW / 60:.0f} min.",
                      details={"failed_logins": failed})
    top = found[0]
    users = ", ".join(safe_text(user, 100) for user in top.users[:5])
    more = f" and {len(top.users) - 5} more" if len(top.users) > 5 else ""
    evidence = tuple(f"{safe_text(g.ip, 100)}: {g.failures} failures in "
                     f"{(g.last - g.first) / 60:.0f} min, users {len(g.users)}"
                     for g in found[:5])
    platform_note = (" (Debian: apt-get install fail2ban)"
                     if context.platform is Platform.DEBIAN else "")
    return Answer(Status.WARN,
                  f"{safe_text(top.ip, 100)} failed {top.failures} logins within "
                  f"{GUESSING_WINDOW / 60:.0f} min (users {users}{more}): that is password "
                  "guessing, not an authlib fault; authdaemond answered every one correctly.",
                  evidence, Fix(FAIL2BAN_FIX + platform_note),
                  diagnosis=DiagnosisId.PASSWORD_GUESSING,
                  details={"failed_logins": failed, "guessers": [g.ip for g in found]})

"""Every check, grouped by the symptom the admin starts from, and the diagnosis they come to.

"Find it for me" runs every check once and names the first cause in
DIAGNOSIS_PRIORITY that a check found: causes upstream in the chain (no socket, no
daemon) explain everything downstream, so they win. The ids are the lab's fault
names, so a test can break the lab and expect its name back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from tui.core.checks import (
    config_checks,
    database_checks,
    delivery_checks,
    login_checks,
    pool_checks,
    postfix_map_checks,
    socket_checks,
)
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import DeclaredCheck
from tui.core.checks.registry import check_for_step
from tui.core.checks.result import CheckResult, Fix, Status
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.wizard_step import WizardStep
from tui.core.safe_text import safe_text

Check = DeclaredCheck  # a check of the whole chain, declared in a `*_checks` module


class Branch(StrEnum):
    S_CONNECT = "s-connect"
    TEMPFAIL = "tempfail"
    ADDRESS = "address"
    FIND = "find"
    QUEUED = "queued"
    BOUNCED = "bounced"
    LOGIN = "login"


BRANCH_TITLES = {
    Branch.S_CONNECT: "Mail is deferred with `s_connect() failed`",
    Branch.TEMPFAIL: "Mail is deferred with `Temporary authentication failure`",
    Branch.ADDRESS: "A lookup fails for one address",
    Branch.FIND: "Find it for me (run every check)",
    Branch.QUEUED: "Mail waits in the queue",
    Branch.BOUNCED: "Mail bounced: `Invalid user specified` / user unknown",
    Branch.LOGIN: "Users cannot log in (IMAP/POP3)",
}

S_CONNECT_CHECKS: tuple[Check, ...] = (
    socket_checks.socket_present,
    socket_checks.socket_is_socket,
    socket_checks.daemon_listening,
    socket_checks.daemon_processes,
    socket_checks.startup_errors,
    config_checks.authdaemonrc_valid,
    socket_checks.socket_access,
    pool_checks.pool_saturation,
    pool_checks.lookup_speed,
)
TEMPFAIL_CHECKS: tuple[Check, ...] = (
    pool_checks.lookup_answers,
    pool_checks.pool_saturation,
    pool_checks.lookup_speed,
    config_checks.authpgsqlrc_readable,
    config_checks.config_marker,
    config_checks.config_old_keys,
    config_checks.config_connection,
    database_checks.db_connect,
    database_checks.apiscp_password,
    database_checks.select_runs,
    config_checks.authpgsql_module,
    config_checks.debug_login,
)
# The Postfix → maildrop side: what happens to the mail itself.
DELIVERY_CHECKS: tuple[Check, ...] = (
    delivery_checks.postfix_transport,
    delivery_checks.maildrop_setuid,
    delivery_checks.maildrop_tempfail_flag,
    delivery_checks.mail_deferred,
    delivery_checks.mail_bounced,
    postfix_map_checks.postfix_pgsql_maps,
)
ALL_CHECKS: tuple[Check, ...] = tuple(
    dict.fromkeys((*S_CONNECT_CHECKS, *TEMPFAIL_CHECKS, *DELIVERY_CHECKS,
                   login_checks.login_guessing))
)

# Waiting mail: what the queue says first, then everything it may be waiting for.
QUEUED_CHECKS: tuple[Check, ...] = tuple(
    dict.fromkeys((*DELIVERY_CHECKS, *S_CONNECT_CHECKS, *TEMPFAIL_CHECKS))
)
# Lost mail: the bounces and whether an outage bounces, then the daemon and its answers; the
# wizard adds the address checks of the last bounced recipient (alias, typo, disabled).
BOUNCED_CHECKS: tuple[Check, ...] = tuple(dict.fromkeys((
    delivery_checks.mail_bounced,
    delivery_checks.maildrop_tempfail_flag,
    delivery_checks.maildrop_setuid,
    delivery_checks.postfix_transport,
    *S_CONNECT_CHECKS,
    *TEMPFAIL_CHECKS,
)))

# A refused login: guessing first (it is nobody's fault), then authdaemond and what it needs;
# the wizard adds authdaemond's answer for the newest refused user (`last_failed_login`).
LOGIN_CHECKS: tuple[Check, ...] = tuple(dict.fromkeys((
    login_checks.login_guessing,
    *S_CONNECT_CHECKS,
    *TEMPFAIL_CHECKS,
)))

BRANCH_CHECKS: dict[Branch, tuple[Check, ...]] = {
    Branch.S_CONNECT: S_CONNECT_CHECKS,
    Branch.TEMPFAIL: TEMPFAIL_CHECKS,
    Branch.FIND: ALL_CHECKS,
    Branch.QUEUED: QUEUED_CHECKS,
    Branch.BOUNCED: BOUNCED_CHECKS,
    Branch.LOGIN: LOGIN_CHECKS,
}

_QUEUED_STEPS = frozenset({WizardStep.MAIL_DEFERRED, WizardStep.MAILBOX_HOME,
                           WizardStep.MAILDIR_MISSING})
_LOGIN_STEPS = frozenset({WizardStep.LOGIN_FAILED, WizardStep.PASSWORD_GUESSING})
_BOUNCED_STEPS = frozenset({WizardStep.MAIL_BOUNCED, WizardStep.MAILDROP_TEMPFAIL_FLAG,
                           WizardStep.MAILDROP_SETUID})

# What a run comes to besides a cause (`check` prints these where it prints a diagnosis).
HEALTHY = "healthy"
WARNINGS = "warnings"  # nothing broken, but a check has something to say
UNKNOWN = "unknown"  # something failed, and no check named its cause
NOT_AUTHLIBS_LOGINS = "logins-not-authlib"  # no Courier IMAP/POP3 here: logins are another's
# Upstream causes first: each explains the failures of the checks after it.
DIAGNOSIS_ORDER: tuple[DiagnosisId, ...] = (
    DiagnosisId.SOCKET_MISSING,
    DiagnosisId.DAEMON_STOPPED,
    DiagnosisId.SOCKET_PERMISSION,
    DiagnosisId.CONFIG_MISSING,
    DiagnosisId.CONFIG_UNREADABLE,
    DiagnosisId.MARKER_MISSING,
    DiagnosisId.OLD_STYLE_KEYS,
    DiagnosisId.CONNECTION_MISSING,
    DiagnosisId.MODULE_MISSING,
    DiagnosisId.DB_DOWN,
    DiagnosisId.DB_MISSING,
    DiagnosisId.DB_PASSWORD_WRONG,
    DiagnosisId.DB_ERROR,
    DiagnosisId.SELECT_PERMISSION_DENIED,
    DiagnosisId.SELECT_ERROR,
    # Postfix's own pgsql maps: after the database's causes, which explain them when shared.
    DiagnosisId.POSTFIX_PGSQL_MAP,
    DiagnosisId.WORKERS_SATURATED,
    # Last: it stops nothing now, so anything that does explains the symptom better.
    DiagnosisId.AUTHDAEMONRC_BAD_LINE,
)
# Each of the causes above (and healthy) as a trainee picks it in training.
TRAINEE_LABELS: dict[str, str] = {
    DiagnosisId.SOCKET_MISSING: "the socket file is missing",
    DiagnosisId.DAEMON_STOPPED: "authdaemond is not running (stale socket)",
    DiagnosisId.SOCKET_PERMISSION: "the delivery user may not open the socket",
    DiagnosisId.CONFIG_MISSING: "authpgsqlrc is missing",
    DiagnosisId.CONFIG_UNREADABLE: "authpgsqlrc cannot be read",
    DiagnosisId.MARKER_MISSING: "authpgsqlrc lost its marker line",
    DiagnosisId.OLD_STYLE_KEYS: "authpgsqlrc uses the old PGSQL_HOST… keys",
    DiagnosisId.CONNECTION_MISSING: "PGSQL_CONNECTION is missing or broken",
    DiagnosisId.MODULE_MISSING: "the authpgsql module is missing",
    DiagnosisId.DB_DOWN: "PostgreSQL is down",
    DiagnosisId.DB_MISSING: "the database named by dbname= does not exist",
    DiagnosisId.DB_PASSWORD_WRONG: "the database password is wrong",
    DiagnosisId.DB_ERROR: "PostgreSQL refuses for another reason",
    DiagnosisId.SELECT_PERMISSION_DENIED: "the mail role lost SELECT on a table",
    DiagnosisId.SELECT_ERROR: "the SELECT clause itself fails",
    DiagnosisId.WORKERS_SATURATED: "the worker pool is saturated / lookups too slow",
    DiagnosisId.AUTHDAEMONRC_BAD_LINE: "authdaemonrc is broken: the next restart will fail",
    DiagnosisId.POSTFIX_PGSQL_MAP: "a Postfix pgsql map fails (Postfix defers before maildrop)",
    HEALTHY: "nothing is wrong",
}
# The delivery side's diagnoses, each with a short label (the authlib ones above are labelled
# where they are shown). Mail being lost outranks everything; a mailbox that maildrop
# refuses explains only its own mail, so those come after every authlib cause.
URGENT_DIAGNOSES: tuple[DiagnosisId, ...] = (DiagnosisId.MAILDROP_BOUNCES_OUTAGES,
                                             DiagnosisId.MAILDROP_NOT_SETUID)
MAILBOX_DIAGNOSES: tuple[DiagnosisId, ...] = (
    DiagnosisId.HOME_SYMLINK, DiagnosisId.HOME_OUTSIDE_MAIL_ROOT, DiagnosisId.HOME_MISSING,
    DiagnosisId.HOME_WRONG_OWNER, DiagnosisId.HOME_WORLD_WRITABLE, DiagnosisId.MAILDIR_MISSING,
    DiagnosisId.NOT_A_MAILBOX, DiagnosisId.ADDRESS_ROW_INVALID, DiagnosisId.MAIL_BOUNCED,
    # The login side: one user's password, and guessing (nobody's fault here) last.
    DiagnosisId.LOGIN_PASSWORD_WRONG, DiagnosisId.PASSWORD_GUESSING,
)
DELIVERY_DIAGNOSIS_LABELS: dict[DiagnosisId, str] = {
    DiagnosisId.MAILDROP_BOUNCES_OUTAGES: "maildrop lacks -a: an authdaemond outage bounces mail",
    DiagnosisId.MAILDROP_NOT_SETUID: "maildrop is not setuid root: every delivery bounces",
    DiagnosisId.HOME_SYMLINK: "the mailbox's home or Maildir is a symlink: look at it by hand",
    DiagnosisId.HOME_OUTSIDE_MAIL_ROOT: "the mailbox's home is outside the mail directories: "
                                        "look at it by hand",
    DiagnosisId.HOME_MISSING: "the mailbox's home directory is missing",
    DiagnosisId.HOME_WRONG_OWNER: "the mailbox's home directory has the wrong owner",
    DiagnosisId.HOME_WORLD_WRITABLE: "the mailbox's home directory is world-writable",
    DiagnosisId.MAILDIR_MISSING: "the mailbox's Maildir is missing",
    DiagnosisId.NOT_A_MAILBOX: "the address is not a mailbox: its mail bounces",
    DiagnosisId.ADDRESS_ROW_INVALID: "the address's database row is unusable: its mail waits",
    DiagnosisId.MAIL_BOUNCED: "maildrop bounced mail for another reason",
    DiagnosisId.LOGIN_PASSWORD_WRONG: "the login's password is wrong (the account is right)",
    DiagnosisId.PASSWORD_GUESSING: "an address is guessing passwords: fail2ban, not authlib",
    DiagnosisId.POSTFIX_PGSQL_MAP: "a Postfix pgsql map fails: Postfix defers mail before "
                                   "maildrop",
}
DIAGNOSIS_PRIORITY: tuple[DiagnosisId, ...] = (*URGENT_DIAGNOSES, *DIAGNOSIS_ORDER,
                                               *MAILBOX_DIAGNOSES)


def branch_for_step(step: str) -> Branch:
    """The branch that holds a wizard step given as text (a log signature's `step=`)."""
    check_id = check_for_step(step)
    if step == WizardStep.NOT_A_MAILBOX:
        return Branch.ADDRESS
    if step in _QUEUED_STEPS:
        return Branch.QUEUED
    if step in _BOUNCED_STEPS:
        return Branch.BOUNCED
    if step in _LOGIN_STEPS:
        return Branch.LOGIN
    if check_id is not None and any(check.id == check_id for check in S_CONNECT_CHECKS):
        return Branch.S_CONNECT
    return Branch.TEMPFAIL if check_id is not None else Branch.FIND


def run_checks(context: CheckContext, checks: tuple[Check, ...]) -> Iterator[CheckResult]:
    """Each check in order, timed; a check that raises becomes a failed result, not a crash."""
    for check in checks:
        started = time.monotonic()
        try:
            result = check(context)
        except Exception as exc:
            result = CheckResult(check.id, check.id, Status.FAIL,
                                 f"The check itself failed: {exc!r}")
        yield CheckResult(**{**result.__dict__, "elapsed": time.monotonic() - started})


def check_by_id(check_id: str) -> Check | None:
    """The check of the whole chain with this id (None for an address check or an unknown id)."""
    return next((c for c in ALL_CHECKS if c.id == check_id), None)


@dataclass(frozen=True)
class Diagnosis:
    id: str  # a lab fault name, "healthy", or "unknown"
    status: Status
    headline: str
    cause: CheckResult | None  # the check that found it
    results: tuple[CheckResult, ...]

    @property
    def fix(self) -> Fix | None:
        return self.cause.fix if self.cause is not None else None


def diagnose(results: tuple[CheckResult, ...]) -> Diagnosis:
    # A failure beats a warning whatever their order: a risk (a WARN such as maildrop
    # without -a) must not hide an outage happening now.
    for status in (Status.FAIL, Status.WARN):
        found = [r for r in results if r.status is status and r.diagnosis]
        for name in DIAGNOSIS_PRIORITY:
            cause = next((r for r in found if r.diagnosis == name), None)
            if cause is not None:
                return Diagnosis(name, cause.status, cause.finding, cause, results)
    failed = [r for r in results if r.status is Status.FAIL]
    if failed:
        return Diagnosis(UNKNOWN, Status.FAIL,
                         f"{failed[0].title}: {failed[0].finding} (no cause found)",
                         failed[0], results)
    warned = [r for r in results if r.status is Status.WARN]
    if warned:
        return Diagnosis(WARNINGS, Status.WARN, f"{warned[0].title}: {warned[0].finding}",
                         warned[0], results)
    return Diagnosis(HEALTHY, Status.OK, "Every check passed: the chain works.", None, results)


def diagnose_logins(results: tuple[CheckResult, ...], context: CheckContext) -> Diagnosis:
    """The login walk's verdict. Where no Courier IMAP/POP3 is installed its checks skip, and
    "the chain works" would answer a question nobody asked: say whose logins they are."""
    diagnosis = diagnose(results)
    services = context.installation.discovery.login_services
    if diagnosis.id != HEALTHY or services.installed:
        return diagnosis
    return Diagnosis(NOT_AUTHLIBS_LOGINS, Status.WARN, safe_text(services.sentence, 400), None,
                     results)


def find_it(context: CheckContext) -> Diagnosis:
    return diagnose(tuple(run_checks(context, ALL_CHECKS)))


def last_bounced_recipient(context: CheckContext) -> str | None:
    """The newest recipient maildrop bounced in the last hour (the wizard checks its row)."""
    report = context.postfix.bounces
    return report.bounces[-1].recipient if report.bounces else None

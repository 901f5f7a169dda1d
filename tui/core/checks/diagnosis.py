"""Every check, grouped by the symptom the admin starts from, and the diagnosis they come to.

"Find it for me" runs every check once and names the first cause in
DIAGNOSIS_PRIORITY that a check found: causes upstream in the chain (no socket, no
daemon) explain everything downstream, so they win. The ids are the lab's fault
names, so a test can break the lab and expect its name back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from tui.core.checks import (
    config_checks,
    database_checks,
    delivery_checks,
    pool_checks,
    socket_checks,
)
from tui.core.checks.context import CheckContext
from tui.core.checks.result import CheckResult, Fix, Status

Check = Callable[[CheckContext], CheckResult]


class Branch(StrEnum):
    S_CONNECT = "s-connect"
    TEMPFAIL = "tempfail"
    ADDRESS = "address"
    FIND = "find"
    QUEUED = "queued"
    BOUNCED = "bounced"


BRANCH_TITLES = {
    Branch.S_CONNECT: "Mail is deferred with `s_connect() failed`",
    Branch.TEMPFAIL: "Mail is deferred with `Temporary authentication failure`",
    Branch.ADDRESS: "A lookup fails for one address",
    Branch.FIND: "Find it for me (run every check)",
    Branch.QUEUED: "Mail waits in the queue",
    Branch.BOUNCED: "Mail bounced: `Invalid user specified` / user unknown",
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
)
ALL_CHECKS: tuple[Check, ...] = tuple(
    dict.fromkeys((*S_CONNECT_CHECKS, *TEMPFAIL_CHECKS, *DELIVERY_CHECKS))
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

BRANCH_CHECKS: dict[Branch, tuple[Check, ...]] = {
    Branch.S_CONNECT: S_CONNECT_CHECKS,
    Branch.TEMPFAIL: TEMPFAIL_CHECKS,
    Branch.FIND: ALL_CHECKS,
    Branch.QUEUED: QUEUED_CHECKS,
    Branch.BOUNCED: BOUNCED_CHECKS,
}

_QUEUED_STEPS = frozenset({"mail-deferred", "mailbox-home", "maildir-missing"})
_BOUNCED_STEPS = frozenset({"mail-bounced", "maildrop-tempfail-flag", "maildrop-setuid"})

HEALTHY = "healthy"
WARNINGS = "warnings"  # nothing broken, but a check has something to say
# Upstream causes first: each explains the failures of the checks after it.
DIAGNOSIS_ORDER = (
    "socket-missing",
    "daemon-stopped",
    "socket-permission",
    "config-missing",
    "config-unreadable",
    "marker-missing",
    "old-style-keys",
    "connection-missing",
    "module-missing",
    "db-down",
    "db-missing",
    "db-password-wrong",
    "db-error",
    "select-permission-denied",
    "select-error",
    "workers-saturated",
    # Last: it stops nothing now, so anything that does explains the symptom better.
    "authdaemonrc-bad-line",
)
# The delivery side's diagnoses, each with a short label (the authlib ones above are labelled
# where they are shown). Mail being lost outranks everything; a mailbox that maildrop
# refuses explains only its own mail, so those come after every authlib cause.
URGENT_DIAGNOSES = ("maildrop-bounces-outages", "maildrop-not-setuid")
MAILBOX_DIAGNOSES = ("home-symlink", "home-outside-mail-root", "home-missing",
                     "home-wrong-owner", "home-world-writable", "maildir-missing",
                     "not-a-mailbox", "address-row-invalid", "mail-bounced")
DELIVERY_DIAGNOSIS_LABELS: dict[str, str] = {
    "maildrop-bounces-outages": "maildrop lacks -a: an authdaemond outage bounces mail",
    "maildrop-not-setuid": "maildrop is not setuid root: every delivery bounces",
    "home-symlink": "the mailbox's home or Maildir is a symlink: look at it by hand",
    "home-outside-mail-root": "the mailbox's home is outside the mail directories: look at it "
                              "by hand",
    "home-missing": "the mailbox's home directory is missing",
    "home-wrong-owner": "the mailbox's home directory has the wrong owner",
    "home-world-writable": "the mailbox's home directory is world-writable",
    "maildir-missing": "the mailbox's Maildir is missing",
    "not-a-mailbox": "the address is not a mailbox: its mail bounces",
    "address-row-invalid": "the address's database row is unusable: its mail waits",
    "mail-bounced": "maildrop bounced mail for another reason",
}
DIAGNOSIS_PRIORITY = (*URGENT_DIAGNOSES, *DIAGNOSIS_ORDER, *MAILBOX_DIAGNOSES)

# Wizard steps named by log signatures (signatures.py `step=`) → the check that answers them.
STEP_CHECK: dict[str, str] = {
    "socket-missing": "socket-present",
    "daemon-not-running": "daemon-listening",
    "socket-permission": "socket-access",
    "backlog-full": "pool-saturation",
    "workers-saturated": "pool-saturation",
    "authdaemonrc-daemons": "pool-saturation",
    "temporary-failure": "lookup-answers",
    "db-down": "db-connect",
    "db-credentials": "db-connect",
    "db-charset": "db-connect",
    "authpgsqlrc-marker": "config-marker",
    "authpgsqlrc-old-keys": "config-old-keys",
    "authpgsqlrc-required-keys": "config-connection",
    "config-file-access": "authpgsqlrc-readable",
    "authdaemonrc-bad-line": "authdaemonrc-valid",
    "daemon-start-failed": "startup-errors",
    "module-missing": "authpgsql-module",
    "select-clause": "select-runs",
    "debug-login-passwords": "debug-login",
    "maildrop-tempfail-flag": "maildrop-tempfail-flag",
    "maildrop-setuid": "maildrop-setuid",
    "mailbox-home": "mail-deferred",
    "maildir-missing": "mail-deferred",
    "mail-deferred": "mail-deferred",
    "mail-bounced": "mail-bounced",
}


# A diagnosis → the wizard step (as log signatures name it) that explains it.
DIAGNOSIS_STEP: dict[str, str] = {
    "socket-missing": "socket-missing",
    "daemon-stopped": "daemon-not-running",
    "socket-permission": "socket-permission",
    "config-missing": "config-file-access",
    "config-unreadable": "config-file-access",
    "marker-missing": "authpgsqlrc-marker",
    "old-style-keys": "authpgsqlrc-old-keys",
    "connection-missing": "authpgsqlrc-required-keys",
    "module-missing": "module-missing",
    "db-down": "db-down",
    "db-missing": "db-down",
    "db-password-wrong": "db-credentials",
    "workers-saturated": "workers-saturated",
    "authdaemonrc-bad-line": "authdaemonrc-bad-line",
    "maildrop-bounces-outages": "maildrop-tempfail-flag",
    "maildrop-not-setuid": "maildrop-setuid",
    "home-symlink": "mailbox-home",
    "home-outside-mail-root": "mailbox-home",
    "home-missing": "mailbox-home",
    "home-wrong-owner": "mailbox-home",
    "home-world-writable": "mailbox-home",
    "maildir-missing": "maildir-missing",
    "not-a-mailbox": "not-a-mailbox",
    "address-row-invalid": "select-clause",
}


def step_for(result: CheckResult) -> str:
    """The wizard step for a failing check: by its diagnosis, else the step naming the check."""
    if result.diagnosis in DIAGNOSIS_STEP:
        return DIAGNOSIS_STEP[result.diagnosis]
    return next((step for step, check in STEP_CHECK.items() if check == result.id),
                "temporary-failure")


def branch_for_step(step: str) -> Branch:
    check_id = STEP_CHECK.get(step, "")
    if step == "not-a-mailbox":
        return Branch.ADDRESS
    if step in _QUEUED_STEPS:
        return Branch.QUEUED
    if step in _BOUNCED_STEPS:
        return Branch.BOUNCED
    if check_id and any(check.__name__.replace("_", "-") == check_id
                        for check in S_CONNECT_CHECKS):
        return Branch.S_CONNECT
    return Branch.TEMPFAIL if check_id else Branch.FIND


def run_checks(context: CheckContext, checks: tuple[Check, ...]) -> Iterator[CheckResult]:
    """Each check in order, timed; a check that raises becomes a failed result, not a crash."""
    for check in checks:
        started = time.monotonic()
        try:
            result = check(context)
        except Exception as exc:
            name = check.__name__.replace("_", "-")
            result = CheckResult(name, name, Status.FAIL, f"The check itself failed: {exc!r}")
        yield CheckResult(**{**result.__dict__, "elapsed": time.monotonic() - started})


def check_by_id(check_id: str) -> Check | None:
    return next((c for c in ALL_CHECKS if c.__name__.replace("_", "-") == check_id), None)


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
        return Diagnosis("unknown", Status.FAIL,
                         f"{failed[0].title}: {failed[0].finding} (no cause found)",
                         failed[0], results)
    warned = [r for r in results if r.status is Status.WARN]
    if warned:
        return Diagnosis(WARNINGS, Status.WARN, f"{warned[0].title}: {warned[0].finding}",
                         warned[0], results)
    return Diagnosis(HEALTHY, Status.OK, "Every check passed: the chain works.", None, results)


def find_it(context: CheckContext) -> Diagnosis:
    return diagnose(tuple(run_checks(context, ALL_CHECKS)))


def last_bounced_recipient(context: CheckContext) -> str | None:
    """The newest recipient maildrop bounced in the last hour (the wizard checks its row)."""
    report = context.postfix.bounces
    return report.bounces[-1].recipient if report.bounces else None

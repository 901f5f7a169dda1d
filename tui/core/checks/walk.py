"""A wizard start's walk: the checks of one branch, in order, and the verdict they lead to.

The app's wizard runs it one result at a time (each is shown as it comes); a test or
another front end runs the same walk, so a start cannot reach another cause elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from tui.core.checks.address_checks import address_checks
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import (
    BRANCH_CHECKS,
    Branch,
    Diagnosis,
    diagnose,
    diagnose_logins,
    last_bounced_recipient,
    run_checks,
)
from tui.core.checks.login_checks import last_failed_login, login_answer
from tui.core.checks.result import CheckResult


def walk(context: CheckContext, branch: Branch, address: str = "") -> Iterator[CheckResult]:
    """Each result of the branch's walk as it is known."""
    if branch is Branch.ADDRESS:
        yield from address_checks(context, address)
        return
    yield from run_checks(context, BRANCH_CHECKS[branch])
    if branch is Branch.BOUNCED:  # is the bounced recipient a mailbox: alias, typo, disabled?
        bounced = last_bounced_recipient(context)
        if bounced is not None:
            yield from address_checks(context, bounced)
    if branch is Branch.LOGIN:  # authdaemond's answer for the refused user, its home, Maildir
        refused = last_failed_login(context)
        if refused is not None:
            yield login_answer(context, refused)


def verdict(results: tuple[CheckResult, ...], context: CheckContext, branch: Branch) -> Diagnosis:
    """The walk's diagnosis (the login walk says whose logins they are where not authlib's)."""
    if branch is Branch.LOGIN:
        return diagnose_logins(results, context)
    return diagnose(results)

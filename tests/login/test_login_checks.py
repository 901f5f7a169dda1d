"""The login walk against the lab's real authdaemond: a refused user is explained by its
account, home and Maildir; many refusals from one address are called guessing.

The login lines here are the exact strings imapd writes, appended to the lab's real mail
log, and discovery is told which login programs are installed; the lines the lab's real
imapd and pop3d write are tested in test_lab_logins.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import running_lab
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import (
    BRANCH_CHECKS,
    NOT_AUTHLIBS_LOGINS,
    Branch,
    branch_for_step,
    diagnose,
    diagnose_logins,
    run_checks,
)
from tui.core.checks.login_checks import last_failed_login, login_answer, login_guessing
from tui.core.checks.result import Status
from tui.core.discovery.login_services import LoginServices
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.wizard_step import WizardStep
from tui.core.installation import Installation
from tui.core.log_sources.login_history import LoginHistory, recent_logins
from tui.lab.lab import Lab


def _with(lab: Lab, services: LoginServices) -> CheckContext:
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    discovery = dataclasses.replace(installation.discovery, login_services=services)
    return CheckContext(Installation(installation.settings, discovery))


def _with_imapd(lab: Lab) -> CheckContext:
    return _with(lab, LoginServices((("imapd", Path("/etc/courier/imapd")),), "Courier imapd"))


def _log(lab: Lab, *messages: str) -> None:
    stamp = time.strftime("%b %e %H:%M:%S")
    with lab.maillog.open("a") as log:
        for message in messages:
            log.write(f"{stamp} lab imapd: {message}\n")


def test_a_refused_existing_user_is_a_wrong_password(healthy_lab: Lab) -> None:
    user = "foo@domain.com"
    _log(healthy_lab, f"LOGIN FAILED, user={user}, ip=[::ffff:192.0.2.10]")
    context = _with_imapd(healthy_lab)
    assert last_failed_login(context) == user
    result = login_answer(context, user)
    assert result.status is Status.FAIL, result
    assert result.diagnosis == DiagnosisId.LOGIN_PASSWORD_WRONG, result
    assert result.fix is not None and "--password-stdin" in result.fix.why


def test_an_unknown_user_is_not_a_mailbox(healthy_lab: Lab) -> None:
    result = login_answer(_with_imapd(healthy_lab), "nobody-here@domain.com")
    assert result.diagnosis == DiagnosisId.NOT_A_MAILBOX, result


def test_a_missing_home_is_named(break_lab: Callable[..., Lab]) -> None:
    lab = break_lab("home-missing")
    result = login_answer(_with_imapd(lab), "foo@domain.com")
    assert result.diagnosis == DiagnosisId.HOME_MISSING, result


@pytest.fixture(scope="module")
def guessed_lab() -> Iterator[Lab]:
    """A lab of its own: in the session's lab these refusals would be password guessing in
    every later check of the hour (its lab runs Courier imapd, so the login checks count)."""
    with running_lab() as instance:
        yield instance


def test_many_refusals_from_one_address_are_password_guessing(guessed_lab: Lab) -> None:
    ip = "203.0.113.77"
    _log(guessed_lab, *(f"LOGIN FAILED, user=admin{i}@domain.com, ip=[::ffff:{ip}]"
                      for i in range(25)))
    result = login_guessing(_with_imapd(guessed_lab))
    assert result.status is Status.WARN and result.diagnosis == DiagnosisId.PASSWORD_GUESSING
    assert ip in result.finding and "not an authlib fault" in result.finding
    assert result.fix is not None and "fail2ban" in result.fix.why


def test_without_courier_imap_the_login_checks_skip(healthy_lab: Lab) -> None:
    context = _with(healthy_lab, LoginServices((), "no Courier IMAP/POP3 config found"))
    assert login_guessing(context).status is Status.SKIP
    assert login_answer(context, "foo@domain.com").status is Status.SKIP


def test_without_courier_imap_the_login_walk_says_whose_logins_they_are(healthy_lab: Lab) -> None:
    """Not "every check passed: the chain works": the question was about logins."""
    here = _with(healthy_lab, LoginServices((), "no Courier IMAP/POP3 config found"))
    results = tuple(run_checks(here, BRANCH_CHECKS[Branch.LOGIN]))
    verdict = diagnose_logins(results, here)
    assert verdict.id == NOT_AUTHLIBS_LOGINS and verdict.status is Status.WARN
    assert verdict.headline == "No Courier IMAP/POP3 config found."
    # With Courier imapd installed the walk's own verdict stands (the session's lab log may
    # hold other tests' refusals, so not necessarily healthy).
    installed = _with_imapd(healthy_lab)
    results = tuple(run_checks(installed, BRANCH_CHECKS[Branch.LOGIN]))
    assert diagnose_logins(results, installed).id == diagnose(results).id != NOT_AUTHLIBS_LOGINS


def test_the_login_steps_open_the_login_start() -> None:
    assert branch_for_step(WizardStep.LOGIN_FAILED) is Branch.LOGIN
    assert branch_for_step(WizardStep.PASSWORD_GUESSING) is Branch.LOGIN


def test_the_monitor_s_login_history_reads_only_what_is_new(healthy_lab: Lab) -> None:
    """Every health run asks for the last hour's logins: the second read starts at the newest
    line the first saw, and both read what a whole read of the hour finds."""
    installation = _with_imapd(healthy_lab).installation
    _log(healthy_lab, "LOGIN FAILED, user=first@domain.com, ip=[::ffff:192.0.2.21]")
    since = time.time() - 3600
    history = LoginHistory()
    first = history.since(installation, since)
    assert first == recent_logins(installation, since=since)
    assert first[-1][1].user == "first@domain.com"
    _log(healthy_lab, "LOGIN FAILED, user=second@domain.com, ip=[::ffff:192.0.2.21]",
         "LOGIN FAILED, user=third@domain.com, ip=[::ffff:192.0.2.21]")
    second = history.since(installation, since)
    assert history.read_from == first[-1][0]
    assert second == recent_logins(installation, since=since)
    assert [line.user for _at, line in second[-3:]] == [
        "first@domain.com", "second@domain.com", "third@domain.com"]

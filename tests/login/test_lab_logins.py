"""Real logins against the lab's Courier imapd and pop3d: the lines they write are explained,
and the login walk goes from them to the cause.

Debian's imapd and pop3d (courier-imap, courier-pop) run in the lab (tui/lab/courier_imap)
and ask the lab's authdaemond; what they write reaches the lab's maillog through
courierlogger and the syslog sink, and is read back from there, never typed in. The
lab's accounts have passwords only with `passwords-returned` (ApisCP's SELECT returns
none: Dovecot does its logins). A lab of this module's own: its refused logins must not
count as password guessing in the session's lab.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _unavailable, running_lab
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import Branch, Diagnosis, branch_for_step
from tui.core.checks.walk import verdict, walk
from tui.core.explain.line import explain_line
from tui.core.explain.remedies import PlatformFacts
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.installation import Installation
from tui.lab.courier_imap import IMAPD, POP3D, LoginServer, missing_packages
from tui.lab.lab import Lab
from tui.lab.seed import LAB_MAILBOX_PASSWORD

pytestmark = pytest.mark.lab

USER = "foo@domain.com"
# ApisCP's SELECT (with passwords) names the account by its system user: what LOGIN shows.
ACCOUNT = "bar@domain.com"
CLIENT = "ip=[::ffff:127.0.0.1]"


@pytest.fixture(scope="module")
def login_lab() -> Iterator[Lab]:
    if missing := missing_packages():
        _unavailable(f"{', '.join(missing)} not installed (make system-packages)")
    with running_lab() as instance:
        yield instance


def _faults(lab: Lab, *names: str) -> None:
    lab.apply(frozenset({"passwords-returned", *names}))


def _line(lab: Lab, server: LoginServer, text: str, after: int) -> str:
    """The first line `server` wrote past byte `after` that holds `text`."""
    return lab.wait_for_log(f" {server.name}: {text}", after=after)


def _record(line: str) -> str:
    explanation = explain_line(line, PlatformFacts.generic())
    assert explanation is not None, line
    return explanation.signature.id


def _walk_from(lab: Lab, line: str) -> tuple[Branch, Diagnosis]:
    """The wizard's walk that this line opens (its record's step), on the lab as discovered."""
    explanation = explain_line(line, PlatformFacts.generic())
    assert explanation is not None and explanation.signature.wizard_step, line
    branch = branch_for_step(explanation.signature.wizard_step)
    context = CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))
    return branch, verdict(tuple(walk(context, branch)), context, branch)


def test_discovery_says_courier_imap_and_pop3_log_in_through_authlib(login_lab: Lab) -> None:
    services = Installation.from_flags(
        {"config": str(login_lab.settings_file)}).discovery.login_services
    assert services.installed and not services.dovecot
    assert [name for name, _path in services.configs] == ["imapd", "pop3d"]
    assert "their logins ask authdaemond" in services.said
    assert {"imapd", "pop3d"} <= set(services.log_tags)


def test_a_right_password_logs_in(login_lab: Lab) -> None:
    _faults(login_lab)
    for server, answer in ((IMAPD, "LOGIN Ok."), (POP3D, "+OK logged in.")):
        start = login_lab.log_size()
        assert login_lab.logins.log_in(server, USER, LAB_MAILBOX_PASSWORD) == answer
        line = _line(login_lab, server, f"LOGIN, user={ACCOUNT}, {CLIENT}, port=[", start)
        explanation = explain_line(line, PlatformFacts.generic())
        assert explanation is not None and explanation.signature.id == "imap-login"
        assert explanation.signature.normal
        logout = _line(login_lab, server, f"LOGOUT, user={ACCOUNT}, {CLIENT}", start)
        assert _record(logout) == "imap-logout"


def test_a_wrong_password_is_refused_and_the_walk_says_so(login_lab: Lab) -> None:
    _faults(login_lab)
    for server in (POP3D, IMAPD):  # imapd's last: the walk explains the newest refusal
        start = login_lab.log_size()
        assert "Login failed." in login_lab.logins.log_in(server, USER, "not-the-password")
        refused = _line(login_lab, server, f"LOGIN FAILED, user={USER}, {CLIENT}, port=[",
                        start)
        assert _record(refused) == "login-failed"
    branch, diagnosis = _walk_from(login_lab, refused)
    assert branch is Branch.LOGIN
    assert diagnosis.id == DiagnosisId.LOGIN_PASSWORD_WRONG, diagnosis.headline
    assert diagnosis.cause is not None and "--password-stdin" in (
        diagnosis.cause.fix.why if diagnosis.cause.fix else "")


def test_a_missing_home_fails_the_login_and_the_walk_names_it(login_lab: Lab) -> None:
    _faults(login_lab, "home-missing")
    start = login_lab.log_size()
    assert "Temporary problem" in login_lab.logins.log_in(IMAPD, USER, LAB_MAILBOX_PASSWORD)
    chdir = _line(login_lab, IMAPD, f"{ACCOUNT}: chdir(/home/bar/) failed!!", start)
    assert _record(chdir) == "login-home-chdir-failed"
    tempfail = _line(login_lab, IMAPD, "authentication error: No such file or directory", start)
    assert _record(tempfail) == "login-tempfail"
    refused = _line(login_lab, IMAPD, f"LOGIN FAILED, user={USER}, {CLIENT}", start)
    branch, diagnosis = _walk_from(login_lab, refused)
    assert branch is Branch.LOGIN
    assert diagnosis.id == DiagnosisId.HOME_MISSING, diagnosis.headline


def test_a_missing_maildir_is_what_imapd_and_pop3d_print(login_lab: Lab) -> None:
    _faults(login_lab, "maildir-missing")
    for server, answer in ((IMAPD, "No such file or directory"), (POP3D, "chdir Mail/ failed")):
        start = login_lab.log_size()
        assert answer in login_lab.logins.log_in(server, USER, LAB_MAILBOX_PASSWORD)
        line = _line(login_lab, server, "chdir Mail/: No such file or directory", start)
        assert _record(line) == "login-maildir-missing"


def test_with_the_database_down_a_login_is_refused_and_the_walk_finds_the_database(
        login_lab: Lab) -> None:
    """Debian's imapd logs LOGIN FAILED here, not `authentication error`: authdaemond
    answers the login FAIL when its module cannot reach PostgreSQL."""
    _faults(login_lab, "db-down")
    start = login_lab.log_size()
    assert "Login failed." in login_lab.logins.log_in(IMAPD, USER, LAB_MAILBOX_PASSWORD)
    refused = _line(login_lab, IMAPD, f"LOGIN FAILED, user={USER}, {CLIENT}", start)
    assert _record(refused) == "login-failed"
    assert _record(login_lab.wait_for_log("authdaemond: PGSQL_CONNECTION could not be "
                                          "established", after=start)) == "db-connect-failed"
    branch, diagnosis = _walk_from(login_lab, refused)
    assert branch is Branch.LOGIN
    assert diagnosis.id == DiagnosisId.DB_DOWN, diagnosis.headline


def test_with_authdaemond_stopped_the_login_is_a_temporary_failure(login_lab: Lab) -> None:
    _faults(login_lab, "daemon-stopped")
    start = login_lab.log_size()
    assert "Temporary problem" in login_lab.logins.log_in(IMAPD, USER, LAB_MAILBOX_PASSWORD)
    connect = _line(login_lab, IMAPD, "authdaemon: s_connect() failed: Connection refused",
                    start)
    assert _record(connect) == "s-connect-refused"
    tempfail = _line(login_lab, IMAPD, "authentication error: Connection refused", start)
    assert _record(tempfail) == "login-tempfail"
    refused = _line(login_lab, IMAPD, f"LOGIN FAILED, user={USER}, {CLIENT}", start)
    branch, diagnosis = _walk_from(login_lab, refused)
    assert branch is Branch.LOGIN
    assert diagnosis.id == DiagnosisId.DAEMON_STOPPED, diagnosis.headline

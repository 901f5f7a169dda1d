""""Find it for me" on the real lab: every fault reaches exactly its diagnosis, with evidence and
the right fix; applying the lab's fix and verifying turns the check green."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.waiting import sample_until
from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import HEALTHY, Check, check_by_id, find_it, run_checks
from tui.core.checks.result import Status
from tui.core.discovery.processes import find_daemon_processes
from tui.core.fixes.audit import ABOUT_TO_RUN, ENDED, read_audit
from tui.core.fixes.runner import FixesNotAllowed, run_fix
from tui.core.installation import Installation
from tui.core.workers.pool import PoolSample, sample_pool
from tui.lab.faults import FAULTS, LOG_FAULTS
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS

# Faults seen only once mail meets them are in tests/lab/test_delivery.py and test_bounces.py.
DIAGNOSED = [name for name, fault in FAULTS.items()
             if name != "passwords-returned" and not fault.needs_mail
             and name not in LOG_FAULTS]
# What the fix offered for each fault must say (the lab's own commands stand in for the
# platform's; the ones an admin edits by hand come as a diff).
FIX_TEXT = {
    "daemon-stopped": " start",
    "socket-missing": " start",
    "socket-permission": " setuid-maildrop",  # the lab's Postfix-side maildrop, not the host's
    "workers-saturated": " set-workers 5",
    "db-password-wrong": " sync-password",
    "db-down": " start-db",
    "marker-missing": "##NAME: MARKER:0",
    "old-style-keys": "PGSQL_CONNECTION host=",
    "select-permission-denied": """-c 'GRANT SELECT ON "uids" TO "postfix"'""",
    "authdaemonrc-bad-line": "Make it NAME=value",
    "maildrop-not-setuid": " setuid-maildrop",
    "maildrop-bounces-outages": " add-maildrop-a",
}


def lab_pool(lab: Lab) -> PoolSample:
    return sample_pool(lab.socket_path, find_daemon_processes(lab.socket_path.parent / "pid"),
                       configured=None)


def context_for(lab: Lab) -> CheckContext:
    return CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))


@pytest.mark.parametrize("fault", DIAGNOSED)
def test_find_it_names_the_fault_with_evidence_and_fix(break_lab, fault: str) -> None:
    lab = break_lab(fault)
    diagnosis = find_it(context_for(lab))
    assert diagnosis.id == fault, [(r.id, r.status, r.finding) for r in diagnosis.results]
    assert diagnosis.cause is not None and diagnosis.cause.evidence
    assert diagnosis.fix is not None
    assert FIX_TEXT[fault] in diagnosis.fix.as_text()
    text = repr(diagnosis)
    for secret in SECRETS:
        assert secret not in text


def test_find_it_on_a_healthy_lab(healthy_lab: Lab) -> None:
    diagnosis = find_it(context_for(healthy_lab))
    assert diagnosis.id == HEALTHY and diagnosis.status is Status.OK
    assert all(r.status in (Status.OK, Status.SKIP) for r in diagnosis.results)
    assert {r.id for r in diagnosis.results} >= {"socket-present", "db-connect", "select-runs",
                                                "pool-saturation", "authpgsql-module",
                                                "postfix-transport", "maildrop-setuid",
                                                "maildrop-tempfail-flag", "mail-deferred",
                                                "mail-bounced"}
    # The lab's Postfix was observed, not assumed: its own config dir and queue.
    transport = next(r for r in diagnosis.results if r.id == "postfix-transport")
    assert transport.details["config_dir"] == str(healthy_lab.postfix.config_dir)


def known_check(check_id: str) -> Check:
    check = check_by_id(check_id)
    assert check is not None, f"no check {check_id!r}"
    return check


def verify(lab: Lab, check_id: str) -> Status:
    return next(run_checks(context_for(lab), (known_check(check_id),))).status


@pytest.fixture
def audit(lab: Lab) -> Iterator[Path]:
    path = lab.root / "audit.log"
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize(("fault", "check_id"), [("daemon-stopped", "daemon-listening"),
                                                 ("db-password-wrong", "db-connect"),
                                                 ("socket-permission", "socket-access")])
def test_applying_the_fix_then_verify_turns_the_check_green(
    break_lab, audit: Path, fault: str, check_id: str
) -> None:
    lab = break_lab(fault)
    diagnosis = find_it(context_for(lab))
    assert diagnosis.cause is not None and diagnosis.cause.id == check_id
    fix = diagnosis.fix
    assert fix is not None and fix.runnable
    with pytest.raises(FixesNotAllowed):
        run_fix(fix.commands, allowed=False, audit_log=audit, check=check_id)
    assert verify(lab, check_id) is Status.FAIL  # nothing ran
    output: list[str] = []
    runs = run_fix(fix.commands, allowed=True, audit_log=audit, check=check_id,
                   on_output=output.append)
    assert all(run.ok for run in runs), output
    assert output[0] == f"$ {fix.commands[0]}"
    assert verify(lab, check_id) is Status.OK
    assert lab.client().lookup("foo@domain.com").outcome is Outcome.FOUND
    records = read_audit(audit)
    # Each command on record before it ran, then with how it ended.
    assert [(r["event"], r["command"]) for r in records] == [
        (event, command) for command in fix.commands for event in (ABOUT_TO_RUN, ENDED)]
    assert all(r["check"] == check_id and r["user"] for r in records)
    assert [r["exit_code"] for r in records if r["event"] == ENDED] == [0] * len(fix.commands)


def test_saturation_under_load_is_fixed_by_more_workers(
    break_lab: Callable[..., Lab], audit: Path
) -> None:
    lab = break_lab("workers-saturated")  # daemons=2, a 3 s SELECT
    stop = threading.Event()

    def load() -> None:  # four deliveries at a time, all day long
        while not stop.is_set():
            lab.client(read_timeout=20).lookup("foo@domain.com")

    clients = [threading.Thread(target=load) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        # Both workers inside the 3 s query, the other clients queued behind them.
        sample_until(lambda: lab_pool(lab), lambda p: p.busy == 2 and p.queued,
                     timeout=10, what="two busy workers and a queue")
        result = next(run_checks(context_for(lab), (known_check("pool-saturation"),)))
        assert result.status is Status.FAIL and result.diagnosis == "workers-saturated"
        assert "wait for one of 2 busy workers" in result.finding
        assert result.fix is not None and result.fix.commands[0].endswith(" set-workers 5")
        runs = run_fix(result.fix.commands, allowed=True, audit_log=audit,
                       check="pool-saturation")
        assert all(run.ok for run in runs)
        # The restarted daemon has its five workers and the load is back on them.
        sample_until(lambda: lab_pool(lab), lambda p: p.alive == 5 and p.busy,
                     timeout=15, what="five workers serving the load again")
        after = next(run_checks(context_for(lab), (known_check("pool-saturation"),)))
        # Five workers for four clients: nothing queues. The 3 s query is still slow, and
        # the lookup-speed check keeps saying so.
        assert after.status is Status.OK, after
        assert "0 queued" in after.evidence[0]
        speed = next(run_checks(context_for(lab), (known_check("lookup-speed"),)))
        assert speed.status is Status.WARN and speed.diagnosis == "workers-saturated"
    finally:
        stop.set()
        for thread in clients:
            thread.join()


def lab_copy(lab: Lab, tmp_path: Path, *, platform: str = "lab",
             replace: tuple[str, str] = ("", ""),
             mailboxes_password: str | None = None) -> CheckContext:
    """The lab's config in a directory of our own, edited; the real daemon and database behind."""
    conf = tmp_path / "etc"
    conf.mkdir(parents=True)
    for name in ("authdaemonrc", "authpgsqlrc"):
        text = (lab.etc / name).read_text()
        (conf / name).write_text(text.replace(*replace) if replace[0] else text)
    postfix = tmp_path / "postfix"
    postfix.mkdir()
    if mailboxes_password is not None:
        (postfix / "mailboxes.cf").write_text(
            f"user = postfix\npassword = {mailboxes_password}\nhosts = 127.0.0.1\n")
    settings = tmp_path / "settings.toml"
    settings.write_text(f'conf_dir = "{conf}"\nsocket = "{lab.socket_path}"\n'
                        f'platform = "{platform}"\npostfix_dir = "{postfix}"\n')
    return CheckContext(Installation.from_flags({"config": str(settings)}))


def test_a_missing_database_is_its_own_finding(healthy_lab: Lab, tmp_path: Path) -> None:
    context = lab_copy(healthy_lab, tmp_path, replace=("dbname=appldb", "dbname=nosuchdb"))
    result = next(run_checks(context, (known_check("db-connect"),)))
    assert result.status is Status.FAIL and result.diagnosis == "db-missing"
    assert "'nosuchdb'" in result.finding


def test_apiscp_password_must_match_mailboxes_cf(healthy_lab: Lab, tmp_path: Path) -> None:
    from tui.lab.seed import LAB_DB_PASSWORD

    check = known_check("apiscp-password")
    same = lab_copy(healthy_lab, tmp_path / "same", platform="apiscp",
                    mailboxes_password=LAB_DB_PASSWORD)
    assert next(run_checks(same, (check,))).status is Status.OK
    other = lab_copy(healthy_lab, tmp_path / "other", platform="apiscp",
                     mailboxes_password="not-the-one")
    result = next(run_checks(other, (check,)))
    assert result.status is Status.FAIL and result.diagnosis == "db-password-wrong"
    assert result.fix is not None and result.fix.commands == (
        "upcp -sb mail/configure-courier-authlib",)
    assert LAB_DB_PASSWORD not in repr(result) and "not-the-one" not in repr(result)
    not_apiscp = lab_copy(healthy_lab, tmp_path / "debian", platform="debian",
                          mailboxes_password="not-the-one")
    assert next(run_checks(not_apiscp, (check,))).status is Status.SKIP


@pytest.mark.parametrize("error", [
    'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
    "FATAL:  the database system is shutting down",
    "FATAL:  the database system is starting up",
    "server closed the connection unexpectedly\n\tThis probably means the server terminated",
])
def test_a_postgres_stopping_or_starting_is_diagnosed_as_down(healthy_lab: Lab,
                                                                error: str) -> None:
    """What PostgreSQL says on its way down or up is the same cause and fix as down."""
    from tui.core.checks.database_checks import db_connect
    from tui.core.database.probe import ProbeResult, ProbeStatus

    context = context_for(healthy_lab)
    context.__dict__["db_ping"] = ProbeResult(ProbeStatus.CONNECT_ERROR, error=error)
    result = db_connect(context)
    assert (result.status, result.diagnosis) == (Status.FAIL, "db-down")


def test_another_postgres_error_is_shown_as_it_is(healthy_lab: Lab) -> None:
    from tui.core.checks.database_checks import db_connect
    from tui.core.database.probe import ProbeResult, ProbeStatus

    context = context_for(healthy_lab)
    context.__dict__["db_ping"] = ProbeResult(ProbeStatus.CONNECT_ERROR,
                                              error='FATAL:  role "postfix" is not permitted')
    result = db_connect(context)
    assert result.diagnosis == "db-error" and "not permitted" in result.finding


def test_a_mended_authdaemonrc_leaves_no_warning_behind(break_lab) -> None:
    """The daemon logs `Bad line` again as it stops; once the file is mended that is history."""
    lab = break_lab("authdaemonrc-bad-line")
    lab.apply(frozenset())
    assert "Bad line in " in lab.maillog.read_text()
    diagnosis = find_it(context_for(lab))
    assert diagnosis.id == HEALTHY, [(r.id, r.status, r.finding) for r in diagnosis.results]

"""Real mail through the lab's chain, per fault: Postfix's own deferral line, the diagnosis,
the fix, a retry of the queue, and the message in the Maildir.

Deferrals leave nothing behind once the queue is emptied, so they share the session's lab.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import HEALTHY, find_it
from tui.core.checks.result import CheckResult, Status
from tui.core.installation import Installation
from tui.core.postfix.queue import QueueSampler, QueueSnapshot
from tui.lab.faults import FAULTS, LOG_FAULTS
from tui.lab.lab import Lab
from tui.lab.postfix import DEBIAN_MAILDROP

RECIPIENT = "foo@domain.com"
DEFERRED = [name for name, fault in FAULTS.items()
            if "status=deferred" in fault.delivery_text and name not in LOG_FAULTS]
# Faults there for authdaemond's own log lines: the deferral is real, the diagnosis another's.
LOG_DEFERRED = [name for name in LOG_FAULTS if "status=deferred" in FAULTS[name].delivery_text]
# workers-saturated only delays one message (3 s a lookup); it defers under load, not here.
DELIVERED = [name for name, fault in FAULTS.items() if "status=sent" in fault.delivery_text]
# Faults fixed here with the commands the diagnosis offers (the others with lab.apply).
FIXED_BY_COMMAND = {"home-missing", "home-wrong-owner", "home-world-writable", "maildir-missing",
                    "daemon-stopped", "socket-permission"}


def context_for(lab: Lab) -> CheckContext:
    return CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))


def lab_cli(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "--dir", str(lab.root),
                           *args], capture_output=True, text=True, timeout=120)


def test_the_fault_list_covers_every_delivery(lab: Lab) -> None:
    assert all(fault.delivery_text for fault in FAULTS.values())
    assert {"home-missing", "daemon-stopped", "db-down"} <= set(DEFERRED)


@pytest.mark.parametrize("fault", DEFERRED)
def test_deferred_mail_is_diagnosed_then_delivered_after_the_fix(mail_lab: Lab,
                                                                  fault: str) -> None:
    lab = mail_lab
    lab.apply(frozenset({fault}))
    subject = f"e2e {fault}"
    start = lab.log_size()
    sent = lab_cli(lab, "send", RECIPIENT)
    assert sent.returncode == 0, sent.stderr
    lab.send(RECIPIENT, subject=subject)
    line = lab.wait_for_delivery(RECIPIENT, start)
    assert FAULTS[fault].delivery_text in line  # the line as Postfix wrote it
    assert " relay=vmaildrop, " in line and " dsn=4." in line

    snapshot = wait_for_queue(lab, lambda s: s.deferred_authlib == 2)
    assert snapshot.ok
    assert snapshot.recipients == (RECIPIENT,)
    assert snapshot.oldest_seconds is not None and snapshot.oldest_seconds >= 0
    queue = lab_cli(lab, "queue")
    assert queue.returncode == 0 and RECIPIENT in queue.stdout

    diagnosis = find_it(context_for(lab))
    assert diagnosis.id == fault, [(r.id, r.status, r.finding) for r in diagnosis.results]
    assert diagnosis.fix is not None

    if fault in FIXED_BY_COMMAND:
        for command in diagnosis.fix.commands:
            subprocess.run(command, shell=True, check=True, timeout=120,
                           capture_output=True)
        lab.state = Lab.load(lab.root).state  # the fix ran in another process
    else:
        lab.apply(frozenset())
    fixed = lab.log_size()
    flushed = lab_cli(lab, "flush")
    assert flushed.returncode == 0, flushed.stderr
    assert "status=sent" in lab.wait_for_delivery(RECIPIENT, fixed)
    assert lab.wait_for_log("status=sent", fixed, also=" to=<foo@domain.com>")
    wait_for_queue(lab, lambda s: not s.messages)
    assert any(subject in path.read_text() for path in lab.delivered())
    assert find_it(context_for(lab)).id == HEALTHY


def test_socket_permission_is_fixed_in_the_lab_and_the_dir_stays_closed(mail_lab: Lab) -> None:
    """Both checks that see the shut socket name socket-permission (not "every delivery
    bounces"), and the fix they offer changes the lab's Postfix-side maildrop: the host's
    binary keeps its mode and the socket directory stays closed."""
    lab = mail_lab
    host_before = os.stat(DEBIAN_MAILDROP)
    lab.apply(frozenset({"socket-permission"}))
    line = lab.send_and_wait(RECIPIENT, subject="e2e socket-permission closed dir")
    assert "status=deferred" in line and "s_connect() failed: Permission denied" in line

    diagnosis = find_it(context_for(lab))
    by_id: dict[str, CheckResult] = {result.id: result for result in diagnosis.results}
    assert diagnosis.id == "socket-permission"
    for check_id in ("socket-access", "maildrop-setuid"):
        assert by_id[check_id].status is Status.FAIL
        assert by_id[check_id].diagnosis == "socket-permission", by_id[check_id].finding
    assert "deferred at the socket now" in by_id["maildrop-setuid"].finding
    assert not [r.id for r in diagnosis.results if r.diagnosis == "maildrop-not-setuid"]
    assert diagnosis.fix is not None
    assert diagnosis.fix.commands == (f"{context_for(lab).commands.lab} setuid-maildrop",)

    for command in diagnosis.fix.commands:
        subprocess.run(command, shell=True, check=True, timeout=120, capture_output=True)
    lab.state = Lab.load(lab.root).state
    host_after = os.stat(DEBIAN_MAILDROP)
    assert (host_after.st_mode, host_after.st_uid, host_after.st_gid, host_after.st_ctime_ns) == (
        host_before.st_mode, host_before.st_uid, host_before.st_gid, host_before.st_ctime_ns)
    run_dir = lab.socket_path.parent.stat()
    assert stat.S_IMODE(run_dir.st_mode) == 0o750 and run_dir.st_uid != 0
    assert lab.postfix.maildrop.stat().st_mode & stat.S_ISUID

    fixed = lab.log_size()
    lab.postfix.flush()
    assert "status=sent" in lab.wait_for_delivery(RECIPIENT, fixed)
    wait_for_queue(lab, lambda s: not s.messages)
    assert find_it(context_for(lab)).id == HEALTHY


@pytest.mark.parametrize("fault", LOG_DEFERRED)
def test_log_faults_that_defer_write_their_deferral(mail_lab: Lab, fault: str) -> None:
    lab = mail_lab
    lab.apply(frozenset({fault}))
    assert FAULTS[fault].delivery_text in lab.send_and_wait(RECIPIENT, subject=f"e2e {fault}")
    assert wait_for_queue(lab, lambda s: s.deferred_authlib == 1).recipients == (RECIPIENT,)


@pytest.mark.parametrize("fault", DELIVERED)
def test_faults_that_do_not_stop_delivery(mail_lab: Lab, fault: str) -> None:
    lab = mail_lab
    lab.apply(frozenset({fault}))
    assert FAULTS[fault].delivery_text in lab.send_and_wait(RECIPIENT, subject=f"e2e {fault}")


def wait_for_queue(lab: Lab, condition: Callable[[QueueSnapshot], bool],
                   timeout: float = 20.0) -> QueueSnapshot:
    """The first queue snapshot that meets `condition`; fails at the deadline."""
    deadline = time.monotonic() + timeout
    sampler = QueueSampler(lab.postfix.config_dir)
    while not condition(snapshot := sampler.sample()):
        assert time.monotonic() < deadline, f"the queue never got there: {snapshot}"
        time.sleep(0.05)
    return snapshot


@pytest.mark.parametrize("args", [["send"], ["send", "foo@domain.com", "bar@domain.com"],
                                  ["send", "foo @domain.com"],
                                  ["send", "foo@domain.com", "--count", "0"]])
def test_bad_send_input_is_one_sentence_and_sends_nothing(mail_lab: Lab,
                                                          args: list[str]) -> None:
    start = mail_lab.log_size()
    done = lab_cli(mail_lab, *args)
    assert done.returncode == 64 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert QueueSampler(mail_lab.postfix.config_dir).sample().messages == ()
    assert "postfix/pickup" not in mail_lab.maillog.read_bytes()[start:].decode()


def test_send_count_delivers_that_many(mail_lab: Lab) -> None:
    before = len(mail_lab.delivered())
    done = lab_cli(mail_lab, "send", "baz@domain.com", "--count", "3")
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 20
    while len(mail_lab.delivered()) < before + 3:
        assert time.monotonic() < deadline, "three messages were not delivered"
        time.sleep(0.05)


def test_the_lab_dir_may_follow_the_action(mail_lab: Lab) -> None:
    """`lab send --dir D ADDRESS` and `lab shell --dir D -- CMD` (how the README's readers type
    them) work like `lab --dir D send ADDRESS`."""
    root = str(mail_lab.root)
    start = mail_lab.log_size()
    sent = subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "send", "--dir", root,
                           RECIPIENT], capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr
    assert "status=sent" in mail_lab.wait_for_delivery(RECIPIENT, start)
    shell = subprocess.run([sys.executable, "-m", "tui.cli.main", "lab", "shell", "--dir", root,
                            "--", "authlib-tui", "check", "--json"],
                           capture_output=True, text=True, timeout=120)
    assert shell.returncode in (0, 1, 2), shell.stderr
    document = json.loads(shell.stdout)
    transport = next(c for c in document["checks"] if c["id"] == "postfix-transport")
    assert transport["status"] == "ok" and "vmaildrop" in transport["finding"]

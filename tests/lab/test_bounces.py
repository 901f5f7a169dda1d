"""Mail the chain loses: bounces from the real maildrop, reported as the most urgent state.

A bounce stays in the log for the hour `check` looks back, so each case runs on a lab of
its own, torn down afterwards, and the session's lab stays clean for the other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import running_lab
from tui.lab.faults import FAULTS
from tui.lab.lab import Lab

RECIPIENT = "foo@domain.com"


@dataclass(frozen=True)
class Case:
    faults: frozenset[str]
    line: str  # the status text Postfix writes
    diagnosis: str


CASES = {
    "not-a-mailbox": Case(frozenset({"not-a-mailbox"}), FAULTS["not-a-mailbox"].delivery_text,
                          "not-a-mailbox"),
    "maildrop-not-setuid": Case(frozenset({"maildrop-not-setuid"}),
                                FAULTS["maildrop-not-setuid"].delivery_text,
                                "maildrop-not-setuid"),
    # Without -a, an authdaemond outage is a 5.1.1 bounce: mail lost.
    "outage-without-a": Case(
        frozenset({"maildrop-bounces-outages", "daemon-stopped"}),
        "dsn=5.1.1, status=bounced (user unknown. Command output: ERR: authdaemon: s_connect() "
        "failed: Connection refused Invalid user specified. )",
        "maildrop-bounces-outages"),
}


@pytest.fixture
def own_lab(lab: Lab) -> Iterator[Lab]:
    """A lab of its own (the session fixture proves the machine can run one)."""
    with running_lab() as instance:
        yield instance


def check(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", "check", *args],
                          capture_output=True, text=True, env=lab.environ(), timeout=90)


@pytest.mark.parametrize("name", CASES)
def test_bounced_mail_is_critical_with_its_cause(own_lab: Lab, name: str) -> None:
    lab, case = own_lab, CASES[name]
    lab.apply(case.faults)
    line = lab.send_and_wait(RECIPIENT, subject=f"bounce {name}")
    assert case.line in line and " relay=vmaildrop, " in line

    as_json = check(lab, "--json")
    assert as_json.returncode == 2, as_json.stdout
    document = json.loads(as_json.stdout)
    assert document["diagnosis"] == case.diagnosis
    assert document["queue"] == {"deferred_authlib": 0, "oldest_seconds": 0.0,
                                 "bounced_last_hour": 1}
    bounced = next(c for c in document["checks"] if c["id"] == "mail-bounced")
    assert bounced["status"] == "fail" and RECIPIENT in bounced["finding"]
    assert any(case.line in evidence for evidence in bounced["evidence"])

    prom = check(lab, "--prometheus")
    values = {s.name: s.value for f in text_string_to_metric_families(prom.stdout)
              for s in f.samples if not s.labels}
    assert values["authlib_bounced_last_hour"] == 1
    assert values["authlib_queue_deferred"] == 0

    fix = document["checks"]
    cause = next(c for c in fix if c["status"] == "fail" and c["id"] == "mail-bounced")
    for command in cause["fix"]["commands"]:
        subprocess.run(command, shell=True, check=True, timeout=120, capture_output=True)
    lab.state = Lab.load(lab.root).state
    assert lab.faults == frozenset()
    assert "status=sent" in lab.send_and_wait(RECIPIENT, subject=f"after {name}")
    assert any(f"after {name}" in path.read_text() for path in lab.delivered())


def test_missing_a_is_a_warning_before_any_outage(break_lab) -> None:
    lab = break_lab("maildrop-bounces-outages")
    text = check(lab)
    assert text.returncode == 1, text.stdout
    assert text.stdout.startswith("AUTHLIB WARNING - maildrop-bounces-outages: vmaildrop runs "
                                  "maildrop without -a")


def test_a_fixed_bounce_cause_never_hides_the_current_one(own_lab: Lab) -> None:
    """The outage bounce stays in the hour's log after -a is added; the next cause is named."""
    lab = own_lab
    lab.apply(CASES["outage-without-a"].faults)
    assert CASES["outage-without-a"].line in lab.send_and_wait(RECIPIENT, subject="outage")
    lab.apply(frozenset({"maildrop-not-setuid"}))  # -a back, authdaemond back, a new cause
    document = json.loads(check(lab, "--json").stdout)
    assert document["diagnosis"] == "maildrop-not-setuid", document["summary"]

    lab.apply(frozenset())
    as_json = check(lab, "--json")
    assert as_json.returncode == 2  # the mail is still lost: critical for the hour
    document = json.loads(as_json.stdout)
    assert document["diagnosis"] == "mail-bounced"
    bounced = next(c for c in document["checks"] if c["id"] == "mail-bounced")
    assert "That cause is gone now" in bounced["finding"]
    assert bounced["fix"]["commands"] == []  # nothing left to run: the senders resend
    assert document["queue"]["bounced_last_hour"] == 1

"""`authlib-tui check` and `report`: real processes against the real lab, every fault."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tui.lab.faults import FAULTS, LOG_FAULTS
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS

# Faults seen only once mail meets them are in tests/lab/test_delivery.py and test_bounces.py.
DIAGNOSED = [name for name, fault in FAULTS.items()
             if name != "passwords-returned" and not fault.needs_mail
             and name not in LOG_FAULTS]
# A slow pool is a warning until it queues, a maildrop without -a until an outage, a bad
# authdaemonrc under a running daemon until its next restart; every other fault stops
# mail: critical.
EXIT = {"healthy": 0, "workers-saturated": 1, "maildrop-bounces-outages": 1,
        "authdaemonrc-bad-line": 1}


def check(lab: Lab, *args: str, timeout: float = 90,
          umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return cli(lab, "check", *args, timeout=timeout, umask=umask)


def cli(lab: Lab, *args: str, timeout: float = 90,
        umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", *args], capture_output=True,
                          text=True, env=lab.environ(), timeout=timeout,
                          umask=-1 if umask is None else umask)


def metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.mark.parametrize("fault", ["healthy", *DIAGNOSED])
def test_every_fault_in_all_three_formats(lab: Lab, fault: str) -> None:
    lab.apply(frozenset() if fault == "healthy" else frozenset({fault}))
    try:
        code = EXIT.get(fault, 2)
        word = {0: "OK", 1: "WARNING", 2: "CRITICAL"}[code]
        text = check(lab)
        assert text.returncode == code, text.stdout + text.stderr
        assert text.stdout.startswith(f"AUTHLIB {word} - {fault}"), text.stdout

        as_json = check(lab, "--json")
        assert as_json.returncode == code
        document = json.loads(as_json.stdout)
        assert document["status"] == word and document["diagnosis"] == fault
        assert {"host", "time", "version", "checks"} <= document.keys()
        assert all({"id", "status", "finding", "evidence", "fix"} <= c.keys()
                   for c in document["checks"])
        # No mail was sent: the lab's queue and log have nothing for maildrop.
        assert document["queue"] == {"deferred_authlib": 0, "oldest_seconds": 0.0,
                                     "bounced_last_hour": 0}

        prom = check(lab, "--prometheus")
        assert prom.returncode == code
        values = metrics(prom.stdout)
        assert values[("authlib_diagnosis", (("diagnosis", fault),))] == 1
        assert values[("authlib_status", ())] == code
        answering = ("healthy", "workers-saturated", "socket-permission", "maildrop-not-setuid",
                     "maildrop-bounces-outages", "authdaemonrc-bad-line")
        assert values[("authlib_up", ())] == (1 if fault in answering else 0)
        assert values[("authlib_queue_deferred", ())] == 0
        assert values[("authlib_bounced_last_hour", ())] == 0
        assert ("authlib_check_status", (("check", "db-connect"),)) in values
        for output in (text.stdout, as_json.stdout, prom.stdout):
            for secret in SECRETS:
                assert secret not in output
    finally:
        lab.apply(frozenset())


def test_prometheus_output_file_is_written_atomically(healthy_lab: Lab, tmp_path: Path) -> None:
    target = tmp_path / "authlib.prom"
    done = check(healthy_lab, "--prometheus", "--output", str(target), umask=0o077)
    assert done.returncode == 0 and done.stdout == ""
    # node_exporter reads it as its own user: 0644 even under a strict umask.
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    values = metrics(target.read_text())
    assert values[("authlib_workers_configured", ())] == 2
    assert values[("authlib_workers_alive", ())] == 2
    assert values[("authlib_queue_depth", ())] == 0
    assert values[("authlib_probe_latency_seconds", ())] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["authlib.prom"]  # no temp file left


def test_check_answers_within_its_timeout_when_the_daemon_hangs(healthy_lab: Lab) -> None:
    """SIGSTOP: the listener still accepts, nobody ever answers (a real hang, no fake)."""
    pids = healthy_lab.daemon_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        done = check(healthy_lab, "--timeout", "3")
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    # The deadline ended the lookup, not an answer: said as such, and the run finished.
    assert "[FAIL] pool-saturation: A lookup got no answer within the timeout" in done.stdout
    assert done.returncode in (2, 3), done.stdout
    assert done.stdout.startswith(("AUTHLIB CRITICAL", "AUTHLIB UNKNOWN"))


def test_address_option_explains_a_row_without_home(healthy_lab: Lab) -> None:
    """The wizard's address branch runs these same checks: the row's own verdict, in words."""
    done = check(healthy_lab, "--address", "home-empty@odd.example", "--json")
    document = json.loads(done.stdout)
    by_id = {c["id"]: c for c in document["checks"]}
    for check_id in ("address-lookup", "address-database"):
        assert by_id[check_id]["status"] == "fail"
        assert "home (column 6) is empty: authlib answers FAIL" in by_id[check_id]["finding"]
    assert "home directory" in by_id["address-database"]["fix"]["why"]
    # authlib's FAIL bounces the mail: the run names that cause, not "no cause found".
    assert document["diagnosis"] == "not-a-mailbox"
    assert done.stdout.count("no cause found") == 0


@pytest.mark.parametrize(("address", "diagnosis", "returncode"), [
    ("uid-null@odd.example", "address-row-invalid", 2),
    ("gid-text@odd.example", "address-row-invalid", 2),
    ("nobody-here@domain.com", "not-a-mailbox", 2),
])
def test_address_option_names_the_cause_of_a_failing_address(
    healthy_lab: Lab, address: str, diagnosis: str, returncode: int
) -> None:
    done = check(healthy_lab, "--address", address)
    assert done.returncode == returncode, done.stdout
    assert done.stdout.startswith(f"AUTHLIB CRITICAL - {diagnosis}: "), done.stdout
    assert "no cause found" not in done.stdout
    assert "\nfix: " in done.stdout


@pytest.mark.parametrize(("local_part", "status"), [("reply-8191", "ok"), ("reply-8192", "ok"),
                                                  ("reply-8193", "fail")])
def test_address_option_sizes_the_reply_as_the_daemon_sends_it(
    healthy_lab: Lab, local_part: str, status: str
) -> None:
    """The database check's size estimate agrees with the bytes the real daemon sent."""
    done = check(healthy_lab, "--address", f"{local_part}@odd.example", "--json")
    by_id = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert by_id["address-database"]["status"] == status
    assert by_id["address-lookup"]["status"] == status
    if status == "fail":
        assert "a reply of about 8193 bytes; maildrop reads only 8191" in \
            by_id["address-database"]["finding"]
        assert "a reply of about 8193 bytes" in by_id["address-lookup"]["finding"]
        assert "tempfail" in " ".join(by_id["address-lookup"]["evidence"])


def test_address_option_and_bad_timeout(healthy_lab: Lab) -> None:
    done = check(healthy_lab, "--address", "postmaster@domain.com")
    assert done.returncode == 1, done.stdout  # an alias: a warning, the stack itself is fine
    assert "[WARN] address-database" in done.stdout and "alias" in done.stdout
    assert check(healthy_lab, "--timeout", "0").returncode == 64


def test_report_has_every_section_and_no_secret(break_lab, tmp_path: Path) -> None:
    lab = break_lab("db-password-wrong")
    lab.client().lookup("foo@domain.com")  # authdaemond logs the failure
    out = tmp_path / "ticket.md"
    done = subprocess.run([sys.executable, "-m", "tui.cli.main", "report", "-o", str(out)],
                          capture_output=True, text=True, env=lab.environ(), timeout=90)
    assert done.returncode == 0, done.stderr
    report = out.read_text()
    for section in ("## Checks", "## Discovery", "## Configuration",
                    "## Last 50 authdaemond log lines"):
        assert section in report
    assert "AUTHLIB CRITICAL - db-password-wrong" in report
    assert "PGSQL_CONNECTION could not be established" in report
    assert "password=(hidden)" in report
    for secret in SECRETS:
        assert secret not in report


def test_report_file_is_private_whatever_the_umask(healthy_lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "ticket.md"
    done = cli(healthy_lab, "report", "-o", str(out), umask=0o000)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["ticket.md"]


def test_report_onto_a_symbolic_link_is_refused(healthy_lab: Lab, tmp_path: Path) -> None:
    precious = tmp_path / "authorized_keys"
    precious.write_text("ssh-ed25519 AAAA admin\n")
    out = tmp_path / "ticket.md"
    out.symlink_to(precious)

    done = cli(healthy_lab, "report", "-o", str(out))

    assert done.returncode == 1
    assert done.stderr == (f"authlib-tui: cannot write {out}: {out} is a symbolic link; "
                           "authlib-tui never writes through one, so it was left as it is\n")
    assert precious.read_text() == "ssh-ed25519 AAAA admin\n"
    assert out.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == [
        "authorized_keys", "ticket.md"]

"""The pool and socket state at a failure's moment names its cause when the logs do not.

maildrop's `Temporary authentication failure` with no authdaemond line near it
says nothing about why; the monitor's samples (live, or from a recording) of
that moment may: every worker busy with lookups queued, the socket file gone,
the daemon stopped. The logs' own word still wins where they have one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.trace.test_exact_lines import PASSWORD_WRONG, RULES, write
from tui.core.checks.result import CheckResult, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.monitor.observations import ChecksRan, Observation, PoolSampled
from tui.core.recording.observations import Kind, checks_row
from tui.core.recording.store import RecordingStore
from tui.core.trace.history import HistoryStart, file_history, merged
from tui.core.trace.message import Attempt
from tui.core.trace.query import parse_query
from tui.core.trace.sampled_state import STALE_SECONDS, SampledStates
from tui.core.trace.story import attempts_story
from tui.core.trace.trace import trace_history
from tui.core.workers.pool import PoolSample

VAGUE = [
    "Dec 01 21:10:04 sandbox postfix/pipe[3868]: 0CDF121A01E: to=<foo@domain.com>, "
    "relay=vmaildrop, delay=2.1, delays=0.01/0/0/2.1, dsn=4.3.0, status=deferred (temporary "
    "failure. Command output: /usr/bin/maildrop: Temporary authentication failure. )",
]
SOCKET_GONE = CheckResult(CheckId.SOCKET_PRESENT, "Socket present", Status.FAIL,
                          "no socket file at /run/courier/authdaemon/socket",
                          diagnosis=DiagnosisId.SOCKET_MISSING)


def pool(at: float, *, alive: int, busy: int, queued: int, listening: bool = True) -> PoolSampled:
    sample = PoolSample(taken_at=at, configured=alive, alive=alive, busy=busy, queued=queued,
                        backlog=64, worker_pids=(), busy_pids=(), listening=listening)
    return PoolSampled(at, sample)


def first_attempt(log: Path, *observations: Observation) -> Attempt:
    states = SampledStates()
    for seen in observations:
        states.observe(seen)
    lines = merged([file_history(log, lambda _p, _e: None)], HistoryStart())
    [item] = trace_history(parse_query("foo@domain.com"), lines, queue=None, rules=RULES,
                           states=states)
    return item.attempts[0]


def attempt_time(log: Path) -> float:
    return first_attempt(log).timestamp


def test_without_samples_a_vague_tempfail_has_no_cause(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    assert first_attempt(log).cause is None


def test_a_saturated_pool_at_that_moment_names_workers_saturated(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    at = attempt_time(log)
    attempt = first_attempt(log, pool(at - 3, alive=2, busy=1, queued=0),
                            pool(at - 1, alive=2, busy=2, queued=7))
    assert attempt.cause is DiagnosisId.WORKERS_SATURATED
    assert attempt.evidence[0].endswith(": 2/2 workers busy, 7 queued")
    assert "workers were all busy, lookups queued (sampled " in attempts_story([attempt])


def test_a_healthy_pool_or_a_stale_sample_names_nothing(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    at = attempt_time(log)
    assert first_attempt(log, pool(at - 1, alive=2, busy=1, queued=0)).cause is None
    stale = pool(at - STALE_SECONDS - 30, alive=2, busy=2, queued=7)
    assert first_attempt(log, stale).cause is None


def test_a_stopped_pool_names_daemon_stopped(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    at = attempt_time(log)
    attempt = first_attempt(log, pool(at - 0.5, alive=0, busy=0, queued=0, listening=False))
    assert attempt.cause is DiagnosisId.DAEMON_STOPPED


def test_the_checks_know_the_socket_file_was_missing(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    at = attempt_time(log)
    attempt = first_attempt(log, pool(at - 1, alive=0, busy=0, queued=0, listening=False),
                            ChecksRan(at - 4, (SOCKET_GONE,), ()))
    assert attempt.cause is DiagnosisId.SOCKET_MISSING
    assert "socket-present: fail: no socket file at" in attempt.evidence[0]


def test_authdaemonds_lines_win_over_a_sample(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", PASSWORD_WRONG)
    at = attempt_time(log)
    attempt = first_attempt(log, pool(at, alive=2, busy=2, queued=3))
    assert attempt.cause is DiagnosisId.DB_PASSWORD_WRONG
    assert not any(line.startswith("pool ") for line in attempt.evidence)


def test_trace_recording_reads_the_state_from_a_recording_file(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", VAGUE)
    at = attempt_time(log)
    recording = tmp_path / "incident.sqlite"
    store = RecordingStore(recording)
    store.add(at - 2, Kind.CHECKS, checks_row((SOCKET_GONE,), lambda text: text))
    store.close()
    settings = tmp_path / "settings.toml"
    settings.write_text(f'socket = "{tmp_path / "no-socket"}"\n')
    command = [sys.executable, "-m", "tui.cli.main", "trace", "foo@domain.com", "--json",
               "--log-file", str(log), "--postfix-dir", str(tmp_path), "--config",
               str(settings)]
    done = subprocess.run([*command, "--recording", str(recording)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [message] = json.loads(done.stdout)["messages"]
    [attempt] = message["attempts"]
    assert attempt["cause"] == "socket-missing"
    assert "socket-present: fail" in attempt["evidence"][0]

    not_a_recording = tmp_path / "notes.txt"
    not_a_recording.write_text("hello\n")
    bad = subprocess.run([*command, "--recording", str(not_a_recording)], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 64
    assert bad.stderr.startswith("authlib-tui: --recording: ") and bad.stdout == ""

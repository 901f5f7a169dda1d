"""`authlib-tui record` on the real lab: a fault and its repair, the hop states in order."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.cli.record import parse_duration
from tui.core.recording.observations import Kind
from tui.core.recording.replay import Recording, RecordingError
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS


def _recorded(path: Path, wanted: Callable[[list[str]], bool], timeout: float = 60.0) -> None:
    """Wait until the PostgreSQL hop's states written so far satisfy `wanted`."""
    deadline = time.monotonic() + timeout
    states: list[str] = []
    while time.monotonic() < deadline:
        try:
            recording = Recording.load(path)
        except RecordingError:
            recording = None  # not written yet
        if recording is not None:
            hops = recording.between(Kind.HOPS, recording.start, recording.end)
            states = [str(h.data["postgres"]["state"]) for h in hops]  # type: ignore[index]
            if wanted(states):
                return
        time.sleep(0.2)  # the recorder flushes once a second
    raise AssertionError(f"never recorded: {states}")


def test_a_fault_and_its_repair_are_recorded_with_their_hop_states(lab: Lab,
                                                                    tmp_path: Path) -> None:
    lab.apply(frozenset())
    out = tmp_path / "incident.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "record", "--for", "5m", "-o", str(out)],
        env=lab.environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _recorded(out, lambda states: states.count("ok") >= 2)  # two healthy runs on file
        broken_at = time.time()
        lab.apply(frozenset({"db-password-wrong"}))
        lab.client().lookup("foo@domain.com")  # authdaemond logs the failure
        _recorded(out, lambda states: states[-2:] == ["bad", "bad"])
        repaired_at = time.time()
        lab.fix_sync_password()
        _recorded(out, lambda states: states[-1] == "ok" and "bad" in states)
        process.send_signal(signal.SIGINT)  # Ctrl+C: stops early, the file is closed
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        lab.apply(frozenset())
    assert process.returncode == 0, stderr
    recording = Recording.load(out)
    everything = (recording.start, recording.end)
    hops = recording.between(Kind.HOPS, *everything)
    states = [h.data["postgres"]["state"] for h in hops]  # type: ignore[index]
    assert states[0] == "ok" and "bad" in states and states[-1] == "ok", states
    during = recording.latest(Kind.HOPS, repaired_at)
    assert during is not None and during.at > broken_at
    assert during.data["postgres"]["state"] == "bad"  # type: ignore[index]
    assert len(recording.between(Kind.POOL, *everything)) >= 10
    assert any(o.data["id"] == "db-password-wrong"
               for o in recording.between(Kind.SIGNATURE, *everything))
    assert {"host", "version", "started", "ended"} <= recording.meta.keys()
    raw = out.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("30s", 30), ("10m", 600),
                                               ("1.5h", 5400)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_durations_are_refused() -> None:
    for text in ("", "0", "ten", "5d", "-3"):
        with pytest.raises(ValueError):
            parse_duration(text)

"""R in the live app: what the panes sample goes to a recording that `authlib-tui replay` opens."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.app.conftest import until, visible_text
from tests.conftest import NOBODY_GID, NOBODY_UID
from tui.app.panes.workers import WorkersPane
from tui.core.recording.observations import Kind
from tui.core.recording.replay import Recording
from tui.lab.seed import SECRETS


async def test_r_records_the_panes_samples_and_r_again_saves(
        healthy_lab, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = make_app(health_interval=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: bool(app.query(WorkersPane)))
        await pilot.press("R")
        await until(lambda: app.tape.recording is not None)
        seen: set[str] = set()  # what the stream carried while recording
        app.stream.subscribe(lambda observation: seen.add(type(observation).__name__))
        path = app.tape.recording
        assert path is not None and path.parent == tmp_path / "authlib-tui" / "recordings"
        await until(lambda: "● recording to" in visible_text(app))
        # The Workers pane samples for the recording even though it was never opened.
        await until(lambda: app.query_one(WorkersPane).snapshot is not None)
        await until(lambda: {"PoolSampled", "ProbeRan", "ChecksRan"} <= seen)
        await pilot.press("i")  # an incident mark goes on the recording too
        await pilot.press("R")
        await until(lambda: app.tape.recording is None)
        await until(lambda: "● recording to" not in visible_text(app))
    recording = Recording.load(path)
    kinds = {observation.kind for observation in recording.observations}
    assert {Kind.POOL, Kind.PROBE, Kind.HOPS, Kind.CHECKS, Kind.MARK} <= kinds
    assert "ended" in recording.meta
    assert recording.hops_at(recording.end) is not None
    raw = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw


async def test_an_unwritable_place_says_so_and_records_nothing(
        healthy_lab, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state dir would be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("R")
        await until(lambda: "Cannot record to" in visible_text(app))
        await app.wait_for_work()
        assert app.tape.recording is None


async def test_a_planted_link_on_the_way_to_the_recordings_is_not_followed(
        healthy_lab, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The state dir's names are predictable: a link someone else owns there is refused."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    link = state / "authlib-tui"
    link.symlink_to(elsewhere)
    os.lchown(link, NOBODY_UID, NOBODY_GID)
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("R")
        await until(lambda: any("Cannot record to" in n.message for n in app._notifications))
        await app.wait_for_work()
        message = next(n.message for n in app._notifications if "Cannot record to" in n.message)
        assert app.tape.recording is None
    assert f"{link} is a symbolic link owned by uid {NOBODY_UID}" in message
    assert list(elsewhere.iterdir()) == []


async def test_r_pressed_twice_at_once_opens_one_file_and_closes_it(
        healthy_lab, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = make_app(health_interval=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("R", "R")  # both toggles' workers run at once
        await app.wait_for_work()
        recordings = list((tmp_path / "authlib-tui" / "recordings").glob("*.sqlite"))
        assert len(recordings) == 1, recordings
        assert app.tape.recording is None  # the second toggle stopped the first
        app.tape.flush()  # a flush after the close touches nothing
    import sqlite3

    with sqlite3.connect(recordings[0]) as db:  # closed with its end time
        assert dict(db.execute("SELECT key, value FROM meta")).get("ended")


async def test_r_again_within_the_same_second_records_to_a_new_name(
        healthy_lab, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Recordings are created new, never over an existing file; the second one of a second
    gets its own name instead of a refusal."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    real_strftime = time.strftime
    monkeypatch.setattr("time.strftime", lambda pattern, *when: "20261207-031500"
                        if pattern == "%Y%m%d-%H%M%S" else real_strftime(pattern, *when))
    app = make_app(health_interval=3600)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for _ in range(3):  # start, stop, start again: two recordings
            await pilot.press("R")
            await app.wait_for_work()
        assert app.tape.recording is not None
        await pilot.press("R")
        await app.wait_for_work()
        assert "Cannot record to" not in visible_text(app)
    names = sorted(path.name for path in (tmp_path / "authlib-tui" / "recordings").iterdir())
    assert names == ["20261207-031500-2.sqlite", "20261207-031500.sqlite"]


def test_a_closed_tape_ignores_late_observations_and_flushes(healthy_lab, tmp_path: Path) -> None:
    from tui.core.installation import Installation
    from tui.core.monitor.observations import IncidentMarked
    from tui.core.recording.tape import Tape

    tape = Tape()
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file)})
    path = tape.start(tmp_path / "one.sqlite", installation)
    assert tape.start(tmp_path / "two.sqlite", installation) == path  # one recording at a time
    assert not (tmp_path / "two.sqlite").exists()
    tape.observe(IncidentMarked(1.0))
    assert tape.stop() == path
    tape.observe(IncidentMarked(2.0))  # after the close: nothing, no error
    tape.flush()
    marks = [o.at for o in Recording.load(path).observations if o.kind == Kind.MARK]
    assert marks == [1.0]

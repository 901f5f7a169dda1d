"""`authlib-tui replay`: a recording of a real lab fault and its repair, played back.

The recording is made here, on the lab, with the same recorder `authlib-tui record`
runs; what the x-ray showed live at each run of the checks is kept, then the
replay is asked for the same moments.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.conftest import until, widget_text
from tui.app.replay.app import ReplayApp
from tui.app.replay.logs import RecordedLogs
from tui.app.screens.timeline_screen import TimelineScreen
from tui.app.widgets.xray_chain import HopCard
from tui.cli.exit_codes import EXIT_USAGE
from tui.core.installation import Installation
from tui.core.recording.observations import Kind
from tui.core.recording.recorder import record
from tui.core.recording.replay import Recording
from tui.core.xray import Hop
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS


@pytest.fixture(scope="module")
def incident(lab: Lab, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, list[tuple[float, dict[str, str]]]]:
    """A recording of the lab: healthy, then daemon-stopped, then started again by its fix."""
    lab.apply(frozenset())
    path = tmp_path_factory.mktemp("replay") / "incident.sqlite"
    seen: list[tuple[float, dict[str, str]]] = []

    def on_hops(at: float, hops: tuple[Hop, ...]) -> None:
        seen.append((at, {hop.id: hop.state.value for hop in hops}))

    def checks_seen(predicate: Callable[[dict[str, str]], bool], after: int = 0) -> int:
        """Wait until a run of the checks (from index `after` on) matches; its index."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for index, (_, states) in enumerate(list(seen)[after:], start=after):
                if predicate(states):
                    return index
            done.wait(0.05)
        raise AssertionError(f"the checks never showed it: {seen[-3:]}")

    installation = Installation.from_flags({"config": str(lab.settings_file)})
    done = threading.Event()
    recorder = threading.Thread(target=record, args=(installation, path, 120.0),
                                kwargs={"interval": 0.5, "check_every": 1.0, "on_hops": on_hops,
                                        "stop": done})
    recorder.start()
    try:
        healthy = checks_seen(lambda states: states["socket"] == "ok")
        checks_seen(lambda states: True, after=healthy + 1)  # a second healthy run
        lab.apply(frozenset({"daemon-stopped"}))
        broken = checks_seen(lambda states: states["socket"] == "bad")
        checks_seen(lambda states: True, after=broken + 1)  # it stays broken a while
        lab.fix_start()
        repaired = checks_seen(lambda states: states["socket"] == "ok", after=broken)
        checks_seen(lambda states: True, after=repaired + 1)
    finally:
        done.set()
        recorder.join(timeout=60)
        lab.apply(frozenset())
    assert not recorder.is_alive()
    return path, seen


async def test_the_replay_shows_the_same_hop_states_at_the_same_moments(incident) -> None:
    path, seen = incident
    socket_states = [states["socket"] for _, states in seen]
    # The recording holds the whole story, or comparing it proves nothing.
    assert socket_states[0] == "ok" and "bad" in socket_states and socket_states[-1] == "ok"
    app = ReplayApp(Recording.load(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(lambda: bool(app.query(HopCard)))  # built after the first frame
        for at, states in seen:
            app.seek(at)
            await pilot.pause()
            shown = {card.hop.id: card.hop.state.value for card in app.query(HopCard)
                     if card.hop is not None}
            assert shown == states, f"at {at}"
            # The first failing hop (else the first warning) is the one marked, as live.
            expected = next((hop for state in ("bad", "warn")
                             for hop, hop_state in states.items() if hop_state == state), None)
            marked = [card.hop.id for card in app.query(HopCard)
                      if card.has_class("-first") and card.hop is not None]
            assert marked == ([expected] if expected else [])


async def test_the_recording_holds_no_lab_password(incident) -> None:
    path, _ = incident
    raw = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw


async def test_workers_and_logs_show_the_recorded_state_as_of_the_cursor(incident) -> None:
    path, seen = incident
    recording = Recording.load(path)
    # During the fault, the Workers pane shows the verdict recorded then, and at the end
    # the one recorded at the end. (Usually "Stopped" then; another authdaemond on this
    # machine, another test's lab, can be taken for ours, so the test reads the file.)
    broken = next(at for at, states in seen if states["socket"] == "bad")

    def headline(moment: float) -> str:
        observation = recording.latest(Kind.POOL, moment)
        assert observation is not None
        return str(observation.data["verdict"]["headline"])  # type: ignore[index]

    assert headline(broken) != headline(recording.end)
    app = ReplayApp(recording)
    async with app.run_test(size=(100, 30)) as pilot:
        verdict = app.query_one("#workers-verdict")
        app.seek(broken)
        await pilot.press("3")
        await pilot.pause()
        assert verdict.render().plain == headline(broken)  # type: ignore[union-attr]
        app.seek(recording.end)
        await pilot.pause()
        assert verdict.render().plain == headline(recording.end)  # type: ignore[union-attr]
        await pilot.press("2")
        app.seek(broken)
        await pilot.pause()
        hits = recording.signatures_until(broken)
        later = recording.between(Kind.SIGNATURE, broken + 1e-6, recording.end)
        assert later, "the restart after the fault logs lines"
        text = str(app.query_one("#replay-log-hits").render())
        assert text.count("\n") + 1 == max(len(hits), 1)
        assert app.query_one(RecordedLogs).is_attached


async def test_play_pause_step_and_seek(incident) -> None:
    path, _ = incident
    recording = Recording.load(path)
    app = ReplayApp(recording, tick=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        start = app.cursor
        assert start == recording.first_check
        await pilot.press("space")
        assert app.playing
        await pilot.pause(0.5)
        await pilot.press("space")
        assert not app.playing and app.cursor > start
        here = app.cursor
        await pilot.press("full_stop")
        assert app.cursor == recording.next_moment(here) > here
        await pilot.press("comma")
        assert app.cursor == recording.previous_moment(recording.next_moment(here))
        await pilot.press("right_square_bracket")
        assert app.cursor == recording.end  # the recording is shorter than a minute
        await pilot.press("home")
        assert app.cursor == recording.start
        await pilot.press("plus", "plus")
        assert app.speed == 4.0
        await pilot.press("minus", "minus", "end", "space")
        assert app.speed == 1.0
        # From the end, play starts again at the start (at 1x, the end is 10 s of play away).
        assert app.playing and app.cursor < recording.end


async def test_the_timeline_runs_from_the_start_to_the_cursor(incident) -> None:
    path, seen = incident
    recording = Recording.load(path)
    broken = next(at for at, states in seen if states["socket"] == "bad")
    app = ReplayApp(recording)
    async with app.run_test(size=(100, 30)) as pilot:
        app.seek(broken)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        events = app.screen.timeline.events()
        assert events and all(event.at <= broken for event in events)
        assert any("daemon-listening: ok → fail" in event.text for event in events)
        assert not any("fail → ok" in event.text for event in events)


def test_a_file_that_is_not_a_recording_is_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\x00not sqlite\xff" * 100)
    for target, says in ((garbage, "not an authlib-tui recording"),
                         (tmp_path / "missing.sqlite", "no such file")):
        result = subprocess.run([sys.executable, "-m", "tui.cli.main", "replay", str(target)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == EXIT_USAGE
        assert says in result.stderr


async def test_keys_help_and_palette_list_every_replay_action(incident) -> None:
    from tui.app.actions import key_label
    from tui.app.replay.actions import PANES, REPLAY_ACTIONS
    from tui.app.screens.help_screen import HelpScreen

    path, _ = incident
    app = ReplayApp(Recording.load(path))
    async with app.run_test(size=(100, 50)) as pilot:
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        for action in REPLAY_ACTIONS:
            if action.action != "command_palette":
                assert (action.title if action.show else action.help) in commands
        await commands["Play/pause"].callback()  # a palette entry runs its action
        assert app.playing
        await pilot.press("space")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # Every key with its whole description, in order, as the screen shows them.
        shown = widget_text(app, app.screen.query_one("#help-body"))
        keys = " ".join(f"{key_label(action.key)} {action.help}" for action in REPLAY_ACTIONS)
        assert shown == (f"Keys (esc closes) {keys} Tabs Click a tab with the mouse, or press "
                         f"its number 1–{len(PANES)}.")

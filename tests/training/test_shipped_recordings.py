"""The recordings shipped with the training scenarios: readable, telling the story, no secret."""

from __future__ import annotations

import pytest

from tui.core.recording.observations import Kind
from tui.core.recording.replay import Recording
from tui.core.training.scenarios import SCENARIOS_BY_ID
from tui.core.training.shipped_recordings import RECORDED, shipped_recording, shipped_scenarios
from tui.lab.seed import SECRETS

# The hop each recorded scenario breaks (tests/app/test_xray.py checks the same live).
HOP_OF_SCENARIO = {"daemon-stopped": "socket", "db-password-wrong": "postgres",
                   "marker-missing": "config", "db-down": "postgres"}


def test_every_recorded_scenario_ships_and_exists() -> None:
    assert sorted(RECORDED) == shipped_scenarios()
    assert set(RECORDED) <= SCENARIOS_BY_ID.keys()
    assert set(RECORDED) == HOP_OF_SCENARIO.keys()


@pytest.mark.parametrize("scenario_id", RECORDED)
def test_a_shipped_recording_goes_healthy_broken_repaired(scenario_id: str) -> None:
    path = shipped_recording(scenario_id)
    assert path is not None
    recording = Recording.load(path)
    assert recording.meta["scenario"] == scenario_id
    hop = HOP_OF_SCENARIO[scenario_id]
    states = [o.data[hop]["state"]  # type: ignore[index]
              for o in recording.between(Kind.HOPS, recording.start, recording.end)]
    assert states[0] == "ok" and "bad" in states and states[-1] == "ok", states
    first, last = recording.hops_at(recording.first_check), recording.hops_at(recording.end)
    assert first is not None and last is not None
    assert all(h.state.value == "ok" for h in first if h.id != "delivery")
    raw = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw

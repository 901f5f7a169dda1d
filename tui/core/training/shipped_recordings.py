"""Recordings of real lab incidents shipped with the package, one per scenario that has one.

Made by `scripts/record_training.py` (the lab healthy, the scenario's faults, the
repair) and opened with `authlib-tui replay --scenario ID`: a trainee can watch
how an incident looks on every pane before facing it live.
"""

from __future__ import annotations

from pathlib import Path

RECORDINGS_DIR = Path(__file__).parent / "recordings"
# The scenarios the script records (their faults show without outside load).
RECORDED: tuple[str, ...] = ("daemon-stopped", "db-password-wrong", "marker-missing", "db-down")


def shipped_recording(scenario_id: str) -> Path | None:
    path = RECORDINGS_DIR / f"{scenario_id}.sqlite"
    return path if path.is_file() else None


def shipped_scenarios() -> list[str]:
    return sorted(path.stem for path in RECORDINGS_DIR.glob("*.sqlite"))

"""Record training scenarios on a real lab, to ship with the package for `authlib-tui replay`.

For each scenario: the lab healthy for a few seconds, then the scenario's faults,
then the repair (every fault cleared), all recorded with the same recorder as
`authlib-tui record`. The files land in `tui/core/training/recordings/<id>.sqlite`
and are checked for the lab's secrets before they are kept.

    .venv/bin/python scripts/record_training.py [SCENARIO ...]   (root; its own lab)
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path

from tui.core.installation import Installation
from tui.core.recording.recorder import record
from tui.core.training.scenarios import SCENARIOS_BY_ID
from tui.core.training.shipped_recordings import RECORDED, RECORDINGS_DIR
from tui.lab.lab import Lab
from tui.lab.seed import SECRETS

HEALTHY, BROKEN, REPAIRED = 6.0, 20.0, 10.0  # seconds of each phase


def record_scenario(lab: Lab, scenario_id: str) -> Path:
    scenario = SCENARIOS_BY_ID[scenario_id]
    path = RECORDINGS_DIR / f"{scenario_id}.sqlite"
    path.unlink(missing_ok=True)
    lab.apply(frozenset())
    installation = Installation.from_flags({"config": str(lab.settings_file)})
    recorder = threading.Thread(target=record, args=(installation, path,
                                                     HEALTHY + BROKEN + REPAIRED),
                                kwargs={"interval": 1.0, "check_every": 2.0})
    recorder.start()
    try:
        time.sleep(HEALTHY)
        lab.apply(scenario.faults)
        deadline = time.monotonic() + BROKEN
        while time.monotonic() < deadline:  # deliveries keep coming during an incident
            lab.client().lookup("foo@domain.com")
            time.sleep(2.0)
        lab.apply(frozenset())
    finally:
        recorder.join()
    db = sqlite3.connect(path)
    try:
        with db:  # one transaction; VACUUM must run outside it
            db.execute("INSERT OR REPLACE INTO meta VALUES ('scenario', ?)", (scenario_id,))
        db.execute("VACUUM")
    finally:
        db.close()
    raw = path.read_bytes()
    leaked = [secret for secret in SECRETS if secret.encode() in raw]
    if leaked:
        path.unlink()
        raise SystemExit(f"{path}: holds a lab secret; not kept")
    return path


def main(names: list[str]) -> int:
    lab = Lab.create()
    try:
        lab.wait_found()
        for scenario_id in names or RECORDED:
            path = record_scenario(lab, scenario_id)
            print(f"{path} ({path.stat().st_size / 1024:.0f} KiB)")
    finally:
        lab.down()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The stress run, short: starts on the lab with both cores busy, keys pressed at once.

`scripts/stress_start.py --runs 30` is the long version; both count crashes
(a traceback or a non-zero exit) and hung exits, and both must be zero.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.lab.lab import Lab

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stress_start.py"


def _stress_module() -> Any:
    spec = importlib.util.spec_from_file_location("stress_start", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.lab
def test_starts_under_load_never_crash_or_hang(healthy_lab: Lab) -> None:
    stress = _stress_module()
    result = stress.stress(str(healthy_lab.settings_file), runs=2, timeout=90.0)
    assert result.starts == 2
    assert result.crashes == [], "\n\n".join(result.crashes)
    assert result.hung == 0

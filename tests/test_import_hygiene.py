"""The core and the headless commands never load Textual (import-linter can't see runtime imports).

Each module is imported in a fresh interpreter and `sys.modules` inspected,
as Harlequin does: `authlib-tui lookup` and `check` must start without the UI.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import tui.cli
import tui.core
import tui.lab

UI_MODULES = ("textual", "rich")


def _modules(package) -> list[str]:
    return [package.__name__] + [
        info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ]


HEADLESS = [*_modules(tui.core), *_modules(tui.lab), *_modules(tui.cli)]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_import_the_ui(module: str) -> None:
    code = (
        f"import json, sys, importlib; importlib.import_module({module!r}); "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {UI_MODULES!r})))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(completed.stdout) == []


def test_the_check_itself_can_fail() -> None:
    """Guard against a vacuous test: importing textual is seen."""
    code = "import sys, textual.app; print('textual' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.strip() == "True"


# What the app's first frame must not wait for: they are imported after it (the monitor and
# the other panes, discovery in the monitor's first health run) or only in training (the
# session and its checks).
AFTER_THE_FIRST_FRAME = ("tui.core.checks.context", "tui.core.training.session",
                         "tui.core.monitor.monitor", "tui.core.workers.sampler", "psycopg",
                         "tui.core.discovery.discover", "tui.core.discovery.processes",
                         "tui.core.discovery.login_services",
                         "tui.core.authdaemon.client_timeouts",
                         # the x-ray's model: the chain's cards are built just after it
                         "tui.core.xray", "tui.core.checks.result",
                         # training's bar: built in training only
                         "tui.app.widgets.trainer_bar")


def _loaded_after_importing(module: str, watched: tuple[str, ...]) -> list[str]:
    code = (
        f"import json, sys, importlib; importlib.import_module({module!r}); "
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(completed.stdout)


def test_the_app_module_leaves_the_heavy_parts_for_after_its_first_frame() -> None:
    assert _loaded_after_importing("tui.app.app", AFTER_THE_FIRST_FRAME) == []


def test_the_first_pane_leaves_them_too() -> None:
    """The first pane is built before the first frame: its module must not pull in the
    checks' registry and every check module with it, nor the x-ray's model (its cards are
    built just after the first frame)."""
    from tui.app.panes.registry import PANES

    first = PANES[0].live.split(":")[0]
    watched = (*AFTER_THE_FIRST_FRAME, "tui.core.checks.registry")
    assert _loaded_after_importing(first, watched) == []


def test_the_apps_installation_leaves_discovery_for_the_monitor() -> None:
    """`authlib-tui` builds its installation before the app (`from_flags`, settings only):
    that module must not import discovery, which the monitor's first health run does."""
    assert _loaded_after_importing("tui.core.installation", AFTER_THE_FIRST_FRAME) == []


def test_the_first_frame_check_can_fail() -> None:
    """Guard against a vacuous test: the training session does pull in the checks."""
    assert "tui.core.checks.context" in _loaded_after_importing(
        "tui.core.training.session", AFTER_THE_FIRST_FRAME)

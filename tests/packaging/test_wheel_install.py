"""The wheel, installed the way the README tells a mail server to: no checkout, no dev tools.

The wheel is built into a temp dir and installed into a fresh venv there (its
dependencies come from the index pip is configured with here), and every command
runs from that temp dir with a clean environment, so nothing can import the
checkout's `tui`. It then answers `--version`, runs `check --json` against the
real lab, and draws the app's first frame with the stylesheets from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.lab.lab import Lab

CHECKOUT = Path(__file__).resolve().parents[2]

# Runs inside the installed venv: the first frame of the app on the lab, and where it came from.
FIRST_FRAME = """
import asyncio, json, sys
import tui
from tui.app.app import AuthlibApp
from tui.app.widgets.health_strip import HealthStrip
from tui.core.installation import Installation

async def first_frame():
    app = AuthlibApp(Installation.from_flags({"config": sys.argv[1]}))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        strip = app.query_one(HealthStrip)
        print(json.dumps({
            "package": tui.__file__,
            "css_paths": [str(path) for path in app.css_path],
            "sources": sorted({str(path) for path, _ in app.stylesheet.source}),
            "strip_padding": [strip.styles.padding.left, strip.styles.padding.right],
            "screenshot": len(app.export_screenshot()),
        }))

asyncio.run(first_frame())
"""


def _clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """No PYTHONPATH and no virtualenv of ours: only the installed venv can be imported."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    return {**env, **(extra or {})}


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv (outside the checkout) with only the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("wheel-install")
    assert not root.is_relative_to(CHECKOUT)
    dist = root / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir",
                  str(dist), str(CHECKOUT)], cwd=root)
    assert built.returncode == 0, built.stderr
    wheels = list(dist.glob("authlib_tui-*.whl"))
    assert len(wheels) == 1, wheels
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    assert made.returncode == 0, made.stderr
    done = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])],
                cwd=root)
    assert done.returncode == 0, done.stderr
    yield venv


def test_version_is_the_project_version(installed: Path) -> None:
    expected = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["version"]
    done = _run([str(installed / "bin" / "authlib-tui"), "--version"], cwd=installed.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"authlib-tui {expected}\n"


def test_no_dev_dependency_is_installed(installed: Path) -> None:
    listed = _run([str(installed / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                  cwd=installed.parent)
    names = {entry["name"].lower() for entry in json.loads(listed.stdout)}
    assert {"textual", "psycopg", "systemd-python", "authlib-tui"} <= names
    assert not names & {"pytest", "ruff", "hypothesis", "import-linter"}


def test_check_json_against_the_lab(installed: Path, healthy_lab: Lab) -> None:
    done = _run([str(installed / "bin" / "authlib-tui"), "check", "--json",
                 "--config", str(healthy_lab.settings_file)], cwd=installed.parent, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["status"] == "OK" and document["diagnosis"] == "healthy"
    assert document["version"] == _run(
        [str(installed / "bin" / "authlib-tui"), "--version"], cwd=installed.parent
    ).stdout.split()[1]


def test_first_frame_draws_with_the_wheels_stylesheets(installed: Path, healthy_lab: Lab) -> None:
    done = _run([str(installed / "bin" / "python"), "-c", FIRST_FRAME,
                 str(healthy_lab.settings_file)], cwd=installed.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    frame = json.loads(done.stdout.strip().splitlines()[-1])
    site_packages = str(installed / "lib")
    assert frame["package"].startswith(site_packages)
    assert frame["css_paths"] and all(p.startswith(site_packages) for p in frame["css_paths"])
    assert any(p.endswith("tui/styles/app.tcss") for p in frame["sources"])
    assert not any(p.startswith(str(CHECKOUT)) for p in frame["sources"])
    # `HealthStrip { padding: 0 1; }` in app.tcss: the rule reached the widget.
    assert frame["strip_padding"] == [1, 1]
    assert frame["screenshot"] > 0

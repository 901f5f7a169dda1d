"""`authlib-tui` with no subcommand: build the installation, open the app."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.installation import Installation, InstallationError
from tui.core.training.session import TrainingSession

if TYPE_CHECKING:
    from tui.core.recording.replay import Recording


def run_app(args: argparse.Namespace) -> int:
    from tui.app.app import AuthlibApp

    try:
        # Discovered by the monitor's first health run, after the first frame: the strip
        # and the chain say "checking" until then.
        installation = installation_from_args(args, discover_now=False)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    app = AuthlibApp(installation, allow_fixes=bool(getattr(args, "allow_fixes", False)))
    result = app.run(mouse=not getattr(args, "no_mouse", False))
    return int(result or 0)


def run_training_app(settings_file: str, session: TrainingSession) -> None:
    """The app on a training lab: fixes allowed (it is the lab), the trainer bar shown."""
    from tui.app.app import AuthlibApp

    installation = Installation.from_flags({"config": settings_file}, discover_now=False)
    AuthlibApp(installation, allow_fixes=True, training=session).run()


def run_replay_app(recording: Recording, mouse: bool = True) -> int:
    """The panes on a recording: nothing is measured, the cursor decides what shows."""
    from tui.app.replay.app import ReplayApp

    return int(ReplayApp(recording).run(mouse=mouse) or 0)

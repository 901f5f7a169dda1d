"""`authlib-tui replay FILE`: open a recording (from `authlib-tui record` or the app's R key).

The x-ray, logs, workers and timeline show what was recorded as of a cursor:
space plays and pauses, . and , step between recorded moments, [ and ] seek a
minute, + and - change the speed, home and end jump. Nothing on this machine is
measured or changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.core.recording.replay import Recording, RecordingError


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay", help="open the app on a recording: play, pause, step and seek through it",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, help="the recording (SQLite)")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        recording = Recording.load(args.file)
    except RecordingError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from tui.app.run import run_replay_app

    return run_replay_app(recording, mouse=not getattr(args, "no_mouse", False))

"""`authlib-tui replay FILE`: open a recording (from `authlib-tui record` or the app's R key).

`authlib-tui replay --scenario ID` opens a recording of a real lab incident shipped
with authlib-tui for that training scenario (`authlib-tui train` marks them).

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
from tui.core.training.shipped_recordings import shipped_recording, shipped_scenarios


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay", help="open the app on a recording: play, pause, step and seek through it",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, nargs="?", help="the recording (SQLite)")
    parser.add_argument("--scenario", metavar="ID",
                        help="a shipped recording of this training scenario instead of FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    path = args.file
    if args.scenario:
        path = shipped_recording(args.scenario)
        if path is None:
            print(f"authlib-tui: no recording ships for {args.scenario!r}; these do: "
                  f"{', '.join(shipped_scenarios())}", file=sys.stderr)
            return EXIT_USAGE
    if path is None:
        print("authlib-tui: replay needs a FILE or --scenario ID", file=sys.stderr)
        return EXIT_USAGE
    try:
        recording = Recording.load(path)
    except RecordingError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from tui.app.run import run_replay_app

    return run_replay_app(recording, mouse=not getattr(args, "no_mouse", False))

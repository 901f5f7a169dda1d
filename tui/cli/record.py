"""`authlib-tui record [--for DURATION] -o FILE`: record samples, probes, log hits and checks.

DURATION is seconds or a number with s, m or h (default 10m). FILE must not exist
(nor be a link): it is created new, readable by its owner only. The file is SQLite;
`authlib-tui replay FILE` plays it back, and once the recording ends
`sqlite3 FILE 'select * from observations'` works too (until then the recorder
holds the file's lock).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.installation import InstallationError
from tui.core.recording.recorder import record
from tui.core.safe_text import safe_text

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")


def parse_duration(text: str) -> float:
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration (e.g. 90, 30s, 10m, 1h)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "record", help="record what the samplers and checks see, to SQLite (secrets never "
        "written)", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--for", dest="duration", default="10m", help="how long (default 10m)")
    parser.add_argument("--output", "-o", type=Path, required=True, help="the recording file")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        duration = parse_duration(args.duration)
    except ValueError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    output = safe_text(args.output)
    if os.path.lexists(args.output):  # a dangling link too: the recorder never follows one
        print(f"authlib-tui: {output} exists; record to a new file", file=sys.stderr)
        return EXIT_USAGE
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"recording to {output} for {duration:g} s (Ctrl+C stops early)")
    try:
        record(installation, args.output, duration)
    except KeyboardInterrupt:
        print("stopped early", file=sys.stderr)
    except FileExistsError:  # made meanwhile: the recorder creates the file new or not at all
        print(f"authlib-tui: {output} exists; record to a new file", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as exc:
        print(f"authlib-tui: cannot record to {output}: {safe_text(exc)}", file=sys.stderr)
        return EXIT_USAGE
    print(f"recorded {output}")
    return 0

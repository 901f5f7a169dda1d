"""`authlib-tui trace QUERY`: what happened to the mail to, from or with this id.

QUERY is an address (recipient or sender), a Postfix queue ID or a Message-ID.
Each message is told as a short story: every attempt, the cause of each failed
one (joined from authdaemond's lines), and whether the mail was delivered, is
still waiting (next retry, when Postfix gives up) or is lost. With --recording
FILE (from `authlib-tui record` or the app's R key) the pool and socket state
sampled at each failure's moment can name its cause when the logs do not. Exit:
0 something found, 1 nothing found, 64 bad usage.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_FOUND, EXIT_NOT_FOUND, EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.installation import InstallationError
from tui.core.recording.observations import observation
from tui.core.recording.reader import RecordingError, read_recording
from tui.core.safe_text import safe_text
from tui.core.trace.document import trace_document
from tui.core.trace.query import QueryError, parse_query
from tui.core.trace.sampled_state import SampledStates
from tui.core.trace.text import begins_words, trace_text
from tui.core.trace.trace import run_trace

_RELATIVE = re.compile(r"^(?P<number>\d+)\s*(?P<unit>[smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "trace", help="tell what happened to mail to/from an address, a queue ID or a Message-ID",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", help="an address, a Postfix queue ID or a <Message-ID>")
    parser.add_argument("--since", metavar="WHEN",
                        help="only history from then on: 2026-12-01, '2026-12-01 14:00' or 2h, 3d "
                        "ago (default: all the logs hold)")
    parser.add_argument("--until", metavar="WHEN", help="only history up to then (same forms)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--recording", type=Path, metavar="FILE",
                        help="a recording of this host (authlib-tui record): the pool and "
                        "socket state it sampled at each failure's moment")
    return parser


def recorded_states(path: Path) -> SampledStates:
    """The pool and socket samples a recording holds, read as the replay reads them."""
    states = SampledStates()
    _meta, rows = read_recording(path)
    for row in rows:
        seen = observation(row.at, row.kind, row.data)
        if seen is not None:
            states.observe(seen)
    return states


def parse_when(text: str, now: float | None = None) -> float:
    """An ISO 8601 date/time (local unless it says so) or `2h`-style time ago; else ValueError."""
    stripped = text.strip()
    if relative := _RELATIVE.match(stripped):
        ago = int(relative["number"]) * _UNIT_SECONDS[relative["unit"]]
        return (time.time() if now is None else now) - ago
    return datetime.fromisoformat(stripped).timestamp()


def run(args: argparse.Namespace) -> int:
    try:
        query = parse_query(args.query)
    except QueryError as exc:
        print(f"authlib-tui: {safe_text(exc, 300)}.", file=sys.stderr)
        return EXIT_USAGE
    try:
        since = parse_when(args.since) if args.since else None
        until = parse_when(args.until) if args.until else None
    except ValueError:
        print("authlib-tui: --since/--until take a date (2026-12-01), a date and time "
              "('2026-12-01 14:00') or a time ago (2h, 3d).", file=sys.stderr)
        return EXIT_USAGE
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        states = recorded_states(args.recording) if args.recording else None
    except RecordingError as exc:
        print(f"authlib-tui: --recording: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = run_trace(installation, query, since, until, states=states)
    if args.json:
        print(json.dumps(trace_document(report), indent=2))
    elif report.found:
        print(trace_text(report))
    if not report.found:
        if not args.json:
            print(trace_text(report))
        print(safe_text(f"authlib-tui: nothing about {query.text} in the logs "
                        f"({begins_words(report)}).", 400), file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_FOUND

"""`authlib-tui report -o FILE.md`: checks, discovery, config summary and recent log lines.

`--trace QUERY` (an address, a queue ID or a Message-ID; repeatable) adds the trace
of that mail, as `authlib-tui trace QUERY` tells it, for the ticket it is about.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.checks.headless import DEFAULT_DEADLINE, run_check
from tui.core.checks.output import write_atomically
from tui.core.checks.ticket_report import DEFAULT_LOG_LINES, render_report
from tui.core.installation import InstallationError
from tui.core.safe_text import safe_text
from tui.core.trace.query import Query, QueryError, parse_query
from tui.core.trace.report_section import trace_section
from tui.core.trace.trace import run_trace


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="write a Markdown report for a ticket (secrets masked)",
        description=__doc__,
    )
    parser.add_argument("--output", "-o", type=Path, required=True, help="the Markdown file")
    parser.add_argument("--lines", type=int, default=DEFAULT_LOG_LINES,
                        help=f"authdaemond log lines to include (default {DEFAULT_LOG_LINES})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_DEADLINE,
                        help="seconds for the checks, whatever hangs")
    parser.add_argument("--trace", action="append", default=[], metavar="QUERY",
                        help="add the trace of this address, queue ID or <Message-ID> "
                        "(repeatable)")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.lines < 0 or not args.timeout > 0:
        print("authlib-tui: --lines must be >= 0 and --timeout > 0", file=sys.stderr)
        return EXIT_USAGE
    try:
        queries: list[Query] = [parse_query(text) for text in args.trace]
    except QueryError as exc:
        print(f"authlib-tui: --trace: {safe_text(exc, 300)}.", file=sys.stderr)
        return EXIT_USAGE
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sections = [trace_section(run_trace(installation, query)) for query in queries]
    text = render_report(installation, run_check(installation, args.timeout), args.lines,
                         sections)
    try:
        write_atomically(args.output, text)
    except OSError as exc:
        print(f"authlib-tui: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"report written to {args.output}")
    return 0

"""`authlib-tui report -o FILE.md`: checks, discovery, config summary and recent log lines."""

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
    return parser


def run(args: argparse.Namespace) -> int:
    if args.lines < 0 or not args.timeout > 0:
        print("authlib-tui: --lines must be >= 0 and --timeout > 0", file=sys.stderr)
        return EXIT_USAGE
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = render_report(installation, run_check(installation, args.timeout), args.lines)
    try:
        write_atomically(args.output, text)
    except OSError as exc:
        print(f"authlib-tui: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"report written to {args.output}")
    return 0

"""`authlib-tui check`: the wizard's checks for monitoring, with the monitoring-plugin exit codes.

0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; the first line is the summary Nagios and
Icinga show. `--json` and `--prometheus` (node_exporter textfile format, written
atomically with `--output`) carry the same diagnosis.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.checks.headless import DEFAULT_DEADLINE, run_check
from tui.core.checks.output import (
    COLLECTOR_FILE_MODE,
    PluginStatus,
    as_json,
    as_prometheus,
    as_text,
    write_atomically,
)
from tui.core.installation import InstallationError


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check", help="run every check headless (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--address", help="also diagnose this address")
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON document")
    formats.add_argument("--prometheus", action="store_true",
                         help="node_exporter textfile format")
    parser.add_argument("--timeout", type=float, default=DEFAULT_DEADLINE,
                        help=f"answer within this many seconds, whatever hangs "
                        f"(default {DEFAULT_DEADLINE:g})")
    parser.add_argument("--output", "-o", type=Path,
                        help="write to FILE atomically instead of stdout (for a collector)")
    return parser


def run(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        print("authlib-tui: --timeout must be a positive number of seconds", file=sys.stderr)
        return EXIT_USAGE
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"AUTHLIB UNKNOWN - {exc}")
        return PluginStatus.UNKNOWN
    result = run_check(installation, args.timeout, args.address)
    render = as_json if args.json else as_prometheus if args.prometheus else as_text
    text = render(result)
    if args.output is not None:
        try:
            write_atomically(args.output, text, mode=COLLECTOR_FILE_MODE)
        except OSError as exc:
            print(f"AUTHLIB UNKNOWN - cannot write {args.output}: {exc.strerror}")
            return PluginStatus.UNKNOWN
    else:
        sys.stdout.write(text)
    return int(result.status)

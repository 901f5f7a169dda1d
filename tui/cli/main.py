"""`authlib-tui` entry point: global path options, then a subcommand.

Each subcommand lives in its own module under `tui/cli/` and exposes
`add_parser(subparsers)` and `run(args) -> int`. With no subcommand the Textual
app opens (deferred import, so headless commands never load Textual).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui.cli import check as check_command
from tui.cli import explain as explain_command
from tui.cli import lab as lab_command
from tui.cli import lookup as lookup_command
from tui.cli import record as record_command
from tui.cli import replay as replay_command
from tui.cli import report as report_command
from tui.cli import trace as trace_command
from tui.cli import train as train_command
from tui.cli import where as where_command
from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import add_path_options
from tui.core.checks.output import package_version

SUBCOMMANDS = (lookup_command, check_command, trace_command, explain_command, report_command,
               record_command, replay_command, where_command, lab_command, train_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authlib-tui",
        description="Troubleshoot Courier Authlib (authdaemond): logs, workers, lookups, fixes.",
    )
    parser.add_argument(
        "--version", action="version", version=f"authlib-tui {package_version()}",
        help="print the installed version and exit",
    )
    add_path_options(parser)
    parser.add_argument(
        "--no-mouse", action="store_true", help="open the app without mouse support"
    )
    parser.add_argument(
        "--allow-fixes", action="store_true",
        help="let the wizard run fixes (after a confirmation showing the exact command; "
        "every run is written to the audit log). Without it the app never changes the system.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        sub = module.add_parser(subparsers)
        add_path_options(sub, subcommand=True)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            complaint = (lab_command.take_trailing_names(args, extras)
                         if args.command == "lab" else
                         f"unrecognized arguments: {' '.join(extras)}")
            if complaint:
                parser.error(complaint)
    except SystemExit as exc:  # argparse exits 2 on bad usage; we promise 64 (EX_USAGE)
        return EXIT_USAGE if exc.code not in (0, None) else 0
    if args.command is None:
        from tui.app.run import run_app

        return run_app(args)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())

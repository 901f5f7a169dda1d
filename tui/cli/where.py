"""`authlib-tui where`: print every discovered path and the reason it was chosen."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import path_flags
from tui.core.discovery.discover import discover, render_where
from tui.core.installation import Installation
from tui.core.log_sources.sources import log_setup_of
from tui.core.settings import SettingsError, load_settings


def add_parser(subparsers: Any) -> argparse.ArgumentParser:  # argparse's _SubParsersAction
    """Register the subcommand; main adds the shared --conf-dir/--socket/--config options."""
    return subparsers.add_parser(
        "where",
        help="print what was discovered and from where",
        description="Print the config dir, socket, unit, logs and daemon processes that "
        "authlib-tui would use, where each came from, and what this user cannot access.",
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(path_flags(args))
    except SettingsError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    installation = Installation(settings, discover(settings))
    print(render_where(installation.discovery, settings, log_setup_of(installation)), end="")
    return 0

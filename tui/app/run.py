"""`authlib-tui` with no subcommand: build the installation, open the app."""

from __future__ import annotations

import argparse
import sys

from tui.cli.exit_codes import EXIT_USAGE
from tui.cli.path_options import installation_from_args
from tui.core.installation import InstallationError


def run_app(args: argparse.Namespace) -> int:
    from tui.app.app import AuthlibApp

    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    app = AuthlibApp(installation, allow_fixes=bool(getattr(args, "allow_fixes", False)))
    result = app.run(mouse=not getattr(args, "no_mouse", False))
    return int(result or 0)

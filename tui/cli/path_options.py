"""The path overrides every command shares, and the flags they become for the core."""

from __future__ import annotations

import argparse

from tui.core.installation import Installation

PATH_FLAGS = ("conf_dir", "socket", "config", "log_files", "postfix_dir")


def add_path_options(parser: argparse.ArgumentParser, *, subcommand: bool = False) -> None:
    """The overrides every command shares; flags beat env, env beats the TOML file.

    They are accepted before and after the subcommand; the subcommand's copies
    default to SUPPRESS so they never overwrite a value given before it.
    """
    default = argparse.SUPPRESS if subcommand else None
    group = parser.add_argument_group("paths (override what discovery finds)")
    group.add_argument(
        "--conf-dir", metavar="DIR", default=default,
        help="authlib config dir (authdaemonrc, authpgsqlrc)",
    )
    group.add_argument("--socket", metavar="PATH", default=default, help="authdaemond socket path")
    group.add_argument(
        "--log-file", dest="log_files", metavar="PATH", action="append", default=default,
        help="read this mail log instead of the journal (repeatable)",
    )
    group.add_argument(
        "--postfix-dir", metavar="DIR", default=default,
        help="Postfix config dir (master.cf, main.cf; postqueue -c DIR); default: what "
        "`postconf -d config_directory` says",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="authlib-tui TOML settings (default /etc/authlib-tui.toml, then "
        "~/.config/authlib-tui/config.toml)",
    )


def path_flags(args: argparse.Namespace) -> dict[str, object | None]:
    """The parsed path options as `load_settings` flags (absent ones as None)."""
    return {name: getattr(args, name, None) for name in PATH_FLAGS}


def installation_from_args(args: argparse.Namespace, *,
                           discover_now: bool = True) -> Installation:
    """Settings, discovery and configs for these flags; raises InstallationError (for the
    settings, at once). Not `discover_now`: discovery runs where it is first needed."""
    return Installation.from_flags(path_flags(args), discover_now=discover_now)

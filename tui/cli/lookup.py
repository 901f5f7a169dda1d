"""`authlib-tui lookup ADDRESS`: a better authtest, on the same core as the Lookup pane.

Prints authtest's block (same field names and alignment) with passwords
hidden, then what the account means on this server (group, ApisCP site, home,
maildir) and the latency. On failure, one sentence says what it means, using
the database itself when authlib's answer alone cannot.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tui.cli.exit_codes import (
    EXIT_CONNECT,
    EXIT_FOUND,
    EXIT_NOT_FOUND,
    EXIT_TEMPFAIL,
    EXIT_TIMEOUT,
    EXIT_USAGE,
)
from tui.cli.path_options import installation_from_args
from tui.core.account.context import AccountContext, describe_account
from tui.core.authdaemon.authtest_block import authtest_block, shown_secret
from tui.core.authdaemon.client import LookupResult
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.request import RefusedInput, address_problem
from tui.core.database.explain import Explanation
from tui.core.installation import InstallationError
from tui.core.lookup import run_lookup
from tui.core.safe_text import safe_text

EXIT_BY_OUTCOME = {
    Outcome.FOUND: EXIT_FOUND,
    Outcome.NOT_FOUND: EXIT_NOT_FOUND,
    Outcome.TEMPFAIL: EXIT_TEMPFAIL,
    Outcome.TIMEOUT: EXIT_TIMEOUT,
    Outcome.CONNECT_MISSING: EXIT_CONNECT,
    Outcome.CONNECT_REFUSED: EXIT_CONNECT,
    Outcome.CONNECT_DENIED: EXIT_CONNECT,
    Outcome.CONNECT_BACKLOG_FULL: EXIT_CONNECT,
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lookup",
        help="ask authdaemond which account an address belongs to (a better authtest)",
        description="Look an address up the way maildrop does (PRE . login ADDRESS), or test a "
        "login with --password-stdin. Exit: 0 found, 1 not found, 2 tempfail, 3 cannot "
        "connect, 4 timeout, 64 bad usage.",
    )
    parser.add_argument("address", help="the address to resolve, e.g. foo@domain.com")
    parser.add_argument("--service", default="login", help="service name sent (default: login)")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read a password from stdin and test a login (AUTH) instead of a lookup",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--show-secrets", action="store_true", help="show PASSWD/PASSWD2 instead of (hidden)"
    )
    return parser


def _json_object(
    address: str,
    service: str,
    result: LookupResult,
    context: AccountContext | None,
    explanation: Explanation | None,
    show_secrets: bool,
) -> dict[str, Any]:
    account = result.account
    data: dict[str, Any] = {
        "outcome": result.outcome.value,
        "address": address,
        "service": service,
        "uid": account.uid if account else None,
        "gid": account.gid if account else None,
        "home": account.home if account else None,
        "maildir": account.maildir if account else None,
        "quota": account.quota if account else None,
        "options": account.options if account else None,
        "authenticated_as": account.address if account else None,
        "group": context.group if context else None,
        "site": context.site if context else None,
        "home_path": str(context.home_path) if context and context.home_path else None,
        "home_exists": context.home_exists if context else None,
        "latency_ms": round(result.latency_ms, 3),
        "socket": result.socket_path,
        "explanation": explanation.sentence if explanation else None,
        "reason": explanation.reason.value if explanation else None,
        "alias_destination": explanation.alias_destination if explanation else None,
    }
    if show_secrets and account:
        data["encrypted_password"] = shown_secret(account.crypted_password, True)
        data["cleartext_password"] = shown_secret(account.clear_password, True)
    return data


def _shown(text: str) -> str:
    """Each line through the sanitiser: addresses and DB values must not drive the terminal."""
    return "\n".join(safe_text(line) for line in text.split("\n"))


def run(args: argparse.Namespace) -> int:
    problem = address_problem(args.address)
    if problem is not None:
        print(f"authlib-tui: refused, nothing was sent: {problem.message}", file=sys.stderr)
        return EXIT_USAGE
    password: str | None = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    try:
        installation = installation_from_args(args)
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = run_lookup(installation, args.address, args.service, password)
    except RefusedInput as exc:
        print(f"authlib-tui: refused, nothing was sent: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_CONNECT
    finally:
        password = None  # drop our reference as soon as it was sent
    result, context, explanation = report.result, report.context, report.explanation

    if args.json:
        print(json.dumps(_json_object(
            args.address, args.service, result, context, explanation, args.show_secrets
        ), indent=2))
    elif result.account is not None:
        print(_shown(authtest_block(result.account, args.show_secrets)))
        print()
        if context is not None:
            print(_shown(describe_account(context)))
        if report.row_note:
            print(_shown(f"note: {report.row_note}"))
        print(_shown(f"latency {result.latency_ms:.1f} ms via {result.socket_path}"))
    else:
        print(_shown(report.sentence()), file=sys.stderr)
    return EXIT_BY_OUTCOME[result.outcome]

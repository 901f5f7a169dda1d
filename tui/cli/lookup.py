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
from tui.core.account.context import AccountContext, account_context, describe_account
from tui.core.authdaemon.client import AuthdaemonClient, LookupResult
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.reply import Account
from tui.core.authdaemon.request import RefusedInput, address_problem
from tui.core.config.secret import MASK, Secret
from tui.core.database.explain import Explanation, Reason, explain_address
from tui.core.installation import Installation, InstallationError

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


def _shown(secret: Secret | None, show: bool) -> str:
    if secret is None:
        return "(none)"
    return secret.reveal() if show else MASK


def authtest_block(account: Account, show_secrets: bool = False) -> str:
    """authtest's success block, field for field (domain.md §3.2), secrets masked."""
    if account.uid is not None and account.gid is not None:
        who = f"(uid {account.uid}, gid {account.gid})"
    elif account.username:
        who = f"(system username: {account.username})"
    else:
        who = "(*** UID/GID initialization error***)"

    def field(value: str | None) -> str:
        return value if value else "(none)"

    return "\n".join(
        [
            "Authentication succeeded.",
            "",
            f"     Authenticated: {field(account.address)}  {who}",
            f"    Home Directory: {field(account.home)}",
            f"           Maildir: {field(account.maildir)}",
            f"             Quota: {field(account.quota)}",
            f"Encrypted Password: {_shown(account.crypted_password, show_secrets)}",
            f"Cleartext Password: {_shown(account.clear_password, show_secrets)}",
            f"           Options: {field(account.options)}",
        ]
    )


def failure_sentence(
    address: str, result: LookupResult, explanation: Explanation | None, login: bool
) -> str:
    """One sentence that says what the failure means."""
    if result.outcome is Outcome.NOT_FOUND and login:
        detail = explanation.sentence if explanation else ""
        return f"Login refused for {address}: wrong password, or no such account. {detail}".strip()
    if result.outcome in (Outcome.NOT_FOUND, Outcome.TEMPFAIL) and explanation is not None:
        return f"{result.outcome.value}: {explanation.sentence}"
    where = f" ({result.socket_path}: {result.os_error})" if result.os_error else ""
    return f"{result.outcome.value}: {result.outcome.meaning}{where}"


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
        data["encrypted_password"] = _shown(account.crypted_password, True)
        data["cleartext_password"] = _shown(account.clear_password, True)
    return data


def run(args: argparse.Namespace) -> int:
    problem = address_problem(args.address)
    if problem is not None:
        print(f"authlib-tui: refused, nothing was sent: {problem.message}", file=sys.stderr)
        return EXIT_USAGE
    password: str | None = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    try:
        installation = Installation.from_flags(
            {"conf_dir": args.conf_dir, "socket": args.socket, "config": args.config}
        )
    except InstallationError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if installation.socket is None:
        print("authlib-tui: no authdaemond socket found; give one with --socket", file=sys.stderr)
        return EXIT_CONNECT
    client = AuthdaemonClient(
        installation.socket,
        connect_timeout=installation.settings.connect_timeout.value,
        read_timeout=installation.settings.read_timeout.value,
    )
    try:
        if password is not None:
            result = client.login(args.address, password, args.service)
        else:
            result = client.lookup(args.address, args.service)
    except RefusedInput as exc:
        print(f"authlib-tui: refused, nothing was sent: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        password = None  # drop our reference as soon as it was sent

    context: AccountContext | None = None
    if result.account and result.account.uid is not None and result.account.gid is not None:
        context = account_context(
            result.account.uid,
            result.account.gid,
            result.account.home or "",
            result.account.maildir,
            group_file=installation.settings.group_file.value,
            virtual_root=installation.settings.virtual_root.value,
        )
    explanation: Explanation | None = None
    if result.outcome in (Outcome.NOT_FOUND, Outcome.TEMPFAIL):
        pgsql = installation.authpgsqlrc
        if pgsql is not None:
            explanation = explain_address(pgsql, args.address, args.service)
        database_looks_fine = explanation is None or explanation.reason in (
            Reason.MAILBOX, Reason.CATCH_ALL, Reason.UNKNOWN
        )
        if result.outcome is Outcome.TEMPFAIL and database_looks_fine:
            explanation = installation.config_explanation() or explanation

    if args.json:
        print(json.dumps(_json_object(
            args.address, args.service, result, context, explanation, args.show_secrets
        ), indent=2))
    elif result.account is not None:
        print(authtest_block(result.account, args.show_secrets))
        print()
        if context is not None:
            print(describe_account(context))
        print(f"latency {result.latency_ms:.1f} ms via {result.socket_path}")
    else:
        print(
            failure_sentence(args.address, result, explanation, args.password_stdin),
            file=sys.stderr,
        )
    return EXIT_BY_OUTCOME[result.outcome]

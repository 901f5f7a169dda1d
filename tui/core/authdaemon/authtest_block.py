"""authtest's success block, field for field, so admins see what they already know.

Same field names and alignment as `authtest`, except that
the password fields print `(hidden)` unless the caller reveals them.
"""

from __future__ import annotations

from tui.core.authdaemon.reply import Account
from tui.core.config.secret import MASK, Secret


def shown_secret(secret: Secret | None, show: bool) -> str:
    if secret is None:
        return "(none)"
    return secret.reveal() if show else MASK


def authtest_block(account: Account, show_secrets: bool = False) -> str:
    """authtest's success block, field for field, secrets masked."""
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
            f"Encrypted Password: {shown_secret(account.crypted_password, show_secrets)}",
            f"Cleartext Password: {shown_secret(account.clear_password, show_secrets)}",
            f"           Options: {field(account.options)}",
        ]
    )

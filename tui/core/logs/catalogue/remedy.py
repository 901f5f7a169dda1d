"""A record's remedy as plain data: the cause, how to confirm it, the fix, as templates.

The templates name the platform's paths and commands by placeholder (`{authpgsqlrc}`,
`{restart}`, …, listed in `PLACEHOLDERS`); `explain/` fills them in for the platform
discovery found, so `authlib-tui explain`, docs/failures.md and the app share one text.
On ApisCP the Bootstrapper owns authdaemonrc and authpgsqlrc, so a hand edit is never
the fix there: `apiscp_fix` replaces `fix`.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a template may name; explain's PlatformFacts has a value for each.
PLACEHOLDERS = ("label", "authdaemonrc", "authpgsqlrc", "socket", "socket_dir", "module_dir",
                "pgsql_package", "start", "restart", "start_database", "mail_log", "mail_user",
                "mail_group")

APISCP_BOOTSTRAP = "upcp -sb mail/configure-courier-authlib"


@dataclass(frozen=True)
class Remedy:
    """Why it happens, how to see that it is so, and what to do (templates, see PLACEHOLDERS)."""

    cause: str
    confirm: str
    fix: str
    apiscp_fix: str = ""  # replaces `fix` on ApisCP, where the Bootstrapper owns the files


# Sentences the remedies of several families share.
BOOTSTRAP_FIX = (f"The Bootstrapper writes authpgsqlrc on ApisCP; write it again: "
                 f"`{APISCP_BOOTSTRAP}`.")
SELECT_CONFIRM = ("`authlib-tui check` (select-runs) runs PGSQL_SELECT_CLAUSE for a mailbox and "
                  "shows the row it returns.")
LOOKUP_CONFIRM = "`authlib-tui lookup ADDRESS` asks authdaemond the way maildrop does."

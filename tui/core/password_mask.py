"""Hide the passwords that DEBUG_LOGIN=2 (and a few other debug lines) write to the mail log.

With DEBUG_LOGIN=2 authdaemond logs `Authenticated: clearpasswd=…, passwd=…` after
every lookup, a password change logs its SQL with the new password in it, and a
failed comparison logs both passwords. Whoever reads the log reads them; authlib-tui
must not show, copy, report or record them. Masking happens where a line is read
(the syslog parser, `build_entry`) and again in the sanitiser, so every view gets
masked text whichever path the line took.

The words around a secret stay, so the line is still recognisable (and its log
signature still matches); only the values are replaced. A password can contain
anything, including `, passwd=`, so everything from the first secret to the end of
its line goes.
"""

from __future__ import annotations

import re

MASK = "[masked]"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # `Authenticated: clearpasswd=<cleartext>, passwd=<hash>` (one line per found lookup)
    (re.compile(r"clearpasswd=[^\n]*"), f"clearpasswd={MASK}, passwd={MASK}"),
    # a failed comparison: `supplied password '<typed>' does not match clearpasswd '<stored>'`
    (re.compile(r"supplied password '[^\n]*"),
     f"supplied password '{MASK}' does not match clearpasswd '{MASK}'"),
    # a password change's SQL carries the new password (cleartext and crypted)
    (re.compile(r"setpass SQL: [^\n]*"), f"setpass SQL: {MASK}"),
    # authuserdb/authcustom password change: `Old password=<old>, new password=<new>`
    (re.compile(r"Old password=[^\n]*"), f"Old password={MASK}, new password={MASK}"),
    # authldap's bind: `binding to LDAP server as DN '<dn>', password '<bindpw>'`
    (re.compile(r"(as DN '[^'\n]*', password )'[^\n]*"), rf"\1'{MASK}'"),
    # a libpq connection string or a login line quoted in a message (one already hidden by
    # whoever printed it stays as it is)
    (re.compile(r"\bpassword=(?!\(hidden\)|\[masked\]|\*+(?:[\s,]|$))"
                r"(?:'(?:[^'\\\n]|\\.)*'?|[^\s,]*)"), f"password={MASK}"),
)


def mask_passwords(text: str) -> str:
    """`text` with every password value a known log line can carry replaced by MASK."""
    if "pass" not in text:  # the hot path: almost no log line mentions one
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text

"""DEBUG_LOGIN=2's passwords never leave the core unmasked: entries, syslog lines, safe_text.

The lines are authdaemond's and authpgsql's own formats at DEBUG_LOGIN=2.
"""

from __future__ import annotations

import pytest

from tui.core.logs.entry import build_entry
from tui.core.logs.syslog_line import parse_syslog_line
from tui.core.password_mask import MASK, mask_passwords
from tui.core.safe_text import safe_text

SECRET = "Sup3r, passwd=s3cret'"
HASH = "$6$rounds=5000$saltsalt$hashhash"

LEVEL_2_LINES = [
    f"Authenticated: clearpasswd={SECRET}, passwd={HASH}",
    f"DEBUG: supplied password '{SECRET}' does not match clearpasswd '{HASH}'",
    f"DEBUG: setpass SQL: UPDATE passwd SET clear='{SECRET}', crypt='{HASH}' WHERE id='a@b'",
    f"DEBUG: Old password={SECRET}, new password={HASH}",
    f"DEBUG: binding to LDAP server as DN 'cn=admin', password '{SECRET}'",
    f"PGSQL_CONNECTION host=db user=postfix password={SECRET} dbname=appldb",
]


@pytest.mark.parametrize("line", LEVEL_2_LINES)
def test_every_password_shape_is_masked(line: str) -> None:
    masked = mask_passwords(line)
    assert "Sup3r" not in masked and "hashhash" not in masked
    assert MASK in masked


@pytest.mark.parametrize("line", LEVEL_2_LINES)
def test_every_consumer_gets_masked_text(line: str) -> None:
    entry = build_entry(message=line, tag="authdaemond", source="journal", timestamp=None,
                        pid=None, cursor=None)
    parsed = parse_syslog_line(f"Nov 26 23:30:24 mail authdaemond: {line}")
    assert parsed is not None
    for text in (entry.message, parsed.message, parsed.raw, safe_text(line)):
        assert "Sup3r" not in text and "hashhash" not in text


def test_the_masked_line_keeps_its_signature() -> None:
    entry = build_entry(message=LEVEL_2_LINES[0], tag="authdaemond", source="journal",
                        timestamp=None, pid=None, cursor=None)
    assert entry.signature is not None and entry.signature.id == "debug-passwords-logged"


def test_lines_without_a_password_are_untouched() -> None:
    line = ("Authenticated: sysusername=<null>, sysuserid=21015, sysgroupid=1000, "
            "homedir=/home/bar/, address=bar@domain.com, fullname=, maildir=Mail/, quota=<null>, "
            "options=")
    assert mask_passwords(line) == line


@pytest.mark.parametrize("hidden", ["password=(hidden)", "password=***", f"password={MASK}"])
def test_a_value_already_hidden_is_left_as_it_is(hidden: str) -> None:
    assert mask_passwords(f"PGSQL_CONNECTION host=db {hidden} dbname=x") == (
        f"PGSQL_CONNECTION host=db {hidden} dbname=x")

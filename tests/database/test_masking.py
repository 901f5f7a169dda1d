"""A short authpgsqlrc password is masked where it stands, never as a bare word.

With `password=mail` the old masking replaced every `mail` in an error or a note:
`/run/mail-pg` became `/run/(hidden)-pg`, which both mangles the text and tells the
reader which word the password is. libpq never quotes the password in its errors;
what may carry one is a connection string or URI, and that is masked by keyword.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config.authpgsqlrc import ConnInfo
from tui.core.database.probe import ProbeStatus, run_query
from tui.core.password_mask import MASK, mask_passwords


def test_a_real_libpq_error_keeps_every_word_that_contains_the_password(tmp_path: Path) -> None:
    socket_dir = tmp_path / "mail-pg"
    socket_dir.mkdir()
    conn = ConnInfo.parse(f"host={socket_dir} user=mail password=mail dbname=mailbox")
    result = run_query(conn, "SELECT 1", timeout=2)
    assert result.status is ProbeStatus.CONNECT_ERROR
    # libpq's own words, naming the socket it tried: nothing in them is the password
    assert f'"{socket_dir}/.s.PGSQL.5432" failed' in result.error, result.error
    assert "(hidden)" not in result.error and MASK not in result.error


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("PGSQL_CONNECTION host=db user=mail password=mail dbname=mailbox",
         f"PGSQL_CONNECTION host=db user=mail password={MASK} dbname=mailbox"),
        ("PGSQL_CONNECTION host=db password = 'ma il' sslpassword=mail dbname=mailbox",
         f"PGSQL_CONNECTION host=db password = {MASK} sslpassword={MASK} dbname=mailbox"),
        ("PGSQL_CONNECTION postgresql://mail:mail@db/mailbox",
         f"PGSQL_CONNECTION postgresql://mail:{MASK}@db/mailbox"),
        ("PGSQL_PASSWORD         mail", f"PGSQL_PASSWORD         {MASK}"),
        ("PGSQL_USERNAME mail", "PGSQL_USERNAME mail"),
        ("Unable to open mailbox. /home/mail/Maildir",
         "Unable to open mailbox. /home/mail/Maildir"),
    ],
)
def test_only_a_value_in_a_passwords_place_is_masked(text: str, masked: str) -> None:
    assert mask_passwords(text) == masked

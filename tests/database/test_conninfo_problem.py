"""A connection string libpq refuses before connecting is a state with one sentence."""

from __future__ import annotations

from tui.core.config.authpgsqlrc import ConnInfo
from tui.core.database.probe import ProbeStatus, run_query


def test_an_unknown_keyword_is_a_sentence_not_a_traceback() -> None:
    conn = ConnInfo.parse("host=127.0.0.1 port=1 usr=mail dbname=appldb password=secret")
    result = run_query(conn, "SELECT 1", timeout=1)
    assert result.status is ProbeStatus.CONNECT_ERROR
    assert result.error == "PGSQL_CONNECTION has an unknown keyword usr"

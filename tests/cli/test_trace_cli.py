"""`authlib-tui trace`: exit codes, one sentence on bad usage, and the --json document's shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trace.test_exact_lines import BOUNCE_OLD_ORDER, DELIVERED_LATER, PASSWORD_WRONG, write

ATTEMPT_KEYS = {"time", "status", "dsn", "relay", "delays", "output", "cause", "evidence"}
MESSAGE_KEYS = {"queue_id", "message_id", "sender", "recipient", "state", "attempts",
                "next_retry", "gives_up", "notice_queue_id"}


def trace(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a process, on a log file, a Postfix dir without Postfix and no socket."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'socket = "{tmp_path / "no-socket"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "trace", *args,
         "--log-file", str(tmp_path / "maillog"), "--postfix-dir", str(tmp_path),
         "--config", str(settings)],
        capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("query", ["", "foo@domain.com\nx", "5CA1;3C0F12", "abc"])
def test_bad_usage_is_64_with_one_sentence(tmp_path: Path, query: str) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG)
    done = trace(tmp_path, query)
    assert done.returncode == 64
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("authlib-tui: ")


def test_bad_since_is_64(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG)
    done = trace(tmp_path, "foo@domain.com", "--since", "yesterday-ish")
    assert done.returncode == 64
    assert "--since/--until" in done.stderr


def test_nothing_found_is_1_and_says_where_the_logs_begin(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG)
    done = trace(tmp_path, "nobody@domain.com")
    assert done.returncode == 1
    assert "nothing about nobody@domain.com in the logs (logs begin " in done.stderr


def test_found_is_0_and_the_story_fits_80_columns(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG + DELIVERED_LATER)
    done = trace(tmp_path, "foo@domain.com")
    assert done.returncode == 0, done.stderr
    assert "deferred: the database password was wrong (authdaemond 20:01:57)" in " ".join(
        line.strip() for line in done.stdout.splitlines())
    assert "delivered by vmaildrop" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_json_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    write(tmp_path / "maillog", PASSWORD_WRONG + DELIVERED_LATER + BOUNCE_OLD_ORDER)
    done = trace(tmp_path, "tester@sender.test", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) == {"query", "history_begins", "messages"}
    assert document["query"] == "tester@sender.test"
    assert document["history_begins"].startswith("20")
    states = {m["queue_id"]: m["state"] for m in document["messages"]}
    assert states == {"061B421A1AB": "delivered", "1483221A1B3": "lost",
                      "234A121A1B5": "delivered"}
    for message in document["messages"]:
        assert set(message) == MESSAGE_KEYS
        for attempt in message["attempts"]:
            assert set(attempt) == ATTEMPT_KEYS
    first = next(m for m in document["messages"] if m["queue_id"] == "061B421A1AB")
    assert [a["cause"] for a in first["attempts"]] == ["db-password-wrong", None]
    assert first["attempts"][0]["delays"]["transmission"] == 0.03
    bounced = next(m for m in document["messages"] if m["queue_id"] == "1483221A1B3")
    assert bounced["notice_queue_id"] == "234A121A1B5"


def test_hostile_text_is_sanitised_in_the_human_output(tmp_path: Path) -> None:
    evil = ("Dec 01 20:01:57 sandbox postfix/pipe[3868]: 0CDF121A01E: to=<\x1b]0;pwned\x07"
            "x@domain.com>, relay=vmaildrop, delay=0.01, delays=0/0/0/0.01, dsn=4.3.0, "
            "status=deferred (temporary failure. Command output: \x1b[31mred )")
    write(tmp_path / "maillog", [evil])
    done = trace(tmp_path, "0CDF121A01E")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout

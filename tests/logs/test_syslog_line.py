"""Parsing syslog file lines in both timestamp styles rsyslog writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.core.logs.syslog_line import parse_syslog_line

LAB_LINE = "Nov 26 23:48:12 vm authdaemond: PGSQL_CONNECTION could not be established"


def local(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    """Epoch seconds of a local wall-clock time, as traditional syslog stamps are."""
    return datetime(year, month, day, hour, minute, second).timestamp()


def test_traditional_line_from_the_lab() -> None:
    line = parse_syslog_line(LAB_LINE + "\n", year=2026)
    assert line is not None
    assert line.timestamp == local(2026, 11, 26, 23, 48, 12)
    assert line.host == "vm"
    assert line.tag == "authdaemond"
    assert line.pid is None
    assert line.message == "PGSQL_CONNECTION could not be established"
    assert line.raw == LAB_LINE


def test_tag_with_pid_and_single_digit_day() -> None:
    line = parse_syslog_line(
        "Mar  4 07:01:02 mx1 authdaemond[4242]: stopping authdaemond children", year=2025
    )
    assert line is not None
    assert line.timestamp == local(2025, 3, 4, 7, 1, 2)
    assert (line.host, line.tag, line.pid) == ("mx1", "authdaemond", 4242)
    assert line.message == "stopping authdaemond children"


def test_postfix_style_tag_with_slashes() -> None:
    line = parse_syslog_line(
        "Nov 24 15:54:59 mail postfix/pipe[123]: 4F2A1: to=<a@b.c>, status=deferred", year=2026
    )
    assert line is not None
    assert (line.tag, line.pid) == ("postfix/pipe", 123)
    assert line.message == "4F2A1: to=<a@b.c>, status=deferred"


def test_rfc3339_timestamp_with_offset() -> None:
    line = parse_syslog_line(
        '2026-11-26T23:30:24.123456+00:00 vm authdaemond[77]: modules="authpgsql", daemons=2'
    )
    assert line is not None
    expected = datetime(2026, 11, 26, 23, 30, 24, 123456, tzinfo=UTC).timestamp()
    assert line.timestamp == pytest.approx(expected)
    assert (line.host, line.tag, line.pid) == ("vm", "authdaemond", 77)
    assert line.message == 'modules="authpgsql", daemons=2'


def test_rfc3339_with_z_and_no_fraction() -> None:
    line = parse_syslog_line("2026-01-02T03:04:05Z host authdaemond: fork() failed")
    assert line is not None
    assert line.timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()


def test_year_is_this_one_unless_that_is_more_than_a_day_ahead() -> None:
    now = local(2027, 1, 2, 10, 0, 0)
    new_year = parse_syslog_line("Jan  2 09:00:00 vm authdaemond: x", now=now)
    late_december = parse_syslog_line("Dec 31 23:59:59 vm authdaemond: x", now=now)
    tomorrow = parse_syslog_line("Jan  3 09:00:00 vm authdaemond: x", now=now)
    assert new_year is not None and new_year.timestamp == local(2027, 1, 2, 9, 0, 0)
    assert late_december is not None and late_december.timestamp == local(2026, 12, 31, 23, 59, 59)
    assert tomorrow is not None and tomorrow.timestamp == local(2027, 1, 3, 9, 0, 0)


def test_leap_day_in_a_year_without_one_falls_back_a_year() -> None:
    line = parse_syslog_line("Feb 29 12:00:00 vm authdaemond: x", now=local(2025, 3, 1, 0, 0, 0))
    assert line is not None and line.timestamp == local(2024, 2, 29, 12, 0, 0)


def test_impossible_date_keeps_the_line_without_a_timestamp() -> None:
    line = parse_syslog_line("Feb 31 12:00:00 vm authdaemond: fork() failed", year=2026)
    assert line is not None
    assert line.timestamp is None
    assert line.message == "fork() failed"


def test_line_without_a_tag() -> None:
    line = parse_syslog_line("Nov 26 23:48:12 vm last message repeated 3 times", year=2026)
    assert line is not None
    assert line.tag == ""
    assert line.message == "last message repeated 3 times"


def test_control_characters_stay_in_the_message_for_the_display_to_escape() -> None:
    line = parse_syslog_line(
        "Nov 26 23:48:12 vm authdaemond: received userid lookup request: \x1b]0;pwn\x07@x",
        year=2026,
    )
    assert line is not None
    assert line.message == "received userid lookup request: \x1b]0;pwn\x07@x"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "SING(domain) WHERE username = 'foo'",
        "Nov 26 vm authdaemond: x",
        "\ufffd\ufffd",
    ],
)
def test_lines_that_are_not_syslog_give_none(text: str) -> None:
    assert parse_syslog_line(text) is None

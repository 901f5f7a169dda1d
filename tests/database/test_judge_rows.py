"""authpgsql's verdict on a SELECT's rows, without a database (the lab tests run it for real)."""

from __future__ import annotations

import pytest

from tui.core.database.explain import Reason, judge_rows

GOOD = ("bar@domain.com", None, None, 21015, 1000, "/home/bar/", "Mail/", None, None, None)


def _with(index: int, value: object) -> tuple[object, ...]:
    row: list[object] = list(GOOD)
    row[index] = value
    return tuple(row)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (GOOD[:5], Reason.INCOMPLETE_ROW),
        (_with(3, None), Reason.BAD_ID),
        (_with(3, "21015x"), Reason.BAD_ID),
        (_with(3, "21015 "), Reason.BAD_ID),  # the stream must reach the end
        (_with(4, "99999999999"), Reason.BAD_ID),  # does not fit a 32-bit id
        (_with(5, None), Reason.NO_HOME),
        (_with(5, ""), Reason.NO_HOME),
        (_with(6, "Mail/\nHOME=/elsewhere/"), Reason.LINE_BREAK),
    ],
)
def test_each_row_is_judged_like_authpgsql(row: tuple[object, ...], reason: Reason) -> None:
    judged = judge_rows([row], "x@domain.com")
    assert judged is not None and judged.reason is reason


def test_a_good_row_has_nothing_to_say_and_text_ids_with_blanks_in_front_pass() -> None:
    assert judge_rows([GOOD], "x@domain.com") is None
    assert judge_rows([_with(3, " 21015")], "x@domain.com") is None
    assert judge_rows([], "x@domain.com") is None


def test_uid_is_judged_before_home_as_authpgsql_reads_them() -> None:
    row = (*_with(3, None)[:5], None, *GOOD[6:])
    judged = judge_rows([row], "x@domain.com")
    assert judged is not None and judged.reason is Reason.BAD_ID


def test_several_rows_name_the_first() -> None:
    judged = judge_rows([GOOD, _with(6, "Mail/.Other")], "x@domain.com")
    assert judged is not None and judged.reason is Reason.SEVERAL_ROWS
    assert "2 rows" in judged.sentence and "(maildir Mail/)" in judged.sentence

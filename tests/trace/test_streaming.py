"""The streamed trace (what the app shows while a long history is read), on exact lines.

A message is handed out as soon as its story is complete, long before the
history ends, with the same cause and verdict the whole read gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tests.trace.test_exact_lines import DELIVERED_LATER, PASSWORD_WRONG, RULES, write
from tests.trace.test_trace_in_reports import settings
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.installation import Installation
from tui.core.trace.history import HistoryLine, HistoryStart, file_history, merged
from tui.core.trace.query import parse_query
from tui.core.trace.story import attempts_story
from tui.core.trace.streaming import stream_history, stream_trace
from tui.core.trace.trace import TracedRecipient, run_trace, trace_history
from tui.core.trace.verdict import State


def later_mail(hour: int, queue_id: str) -> list[str]:
    """Another delivered message for the same address, an hour or more later."""
    return [
        f"Dec 01 {hour}:00:00 sandbox postfix/pickup[3810]: {queue_id}: uid=0 "
        "from=<tester@sender.test>",
        f"Dec 01 {hour}:00:00 sandbox postfix/qmgr[3819]: {queue_id}: "
        "from=<tester@sender.test>, size=341, nrcpt=1 (queue active)",
        f"Dec 01 {hour}:00:01 sandbox postfix/pipe[3868]: {queue_id}: to=<foo@domain.com>, "
        "relay=vmaildrop, delay=0.03, delays=0/0/0/0.03, dsn=2.0.0, status=sent (delivered "
        "via vmaildrop service)",
        f"Dec 01 {hour}:00:01 sandbox postfix/qmgr[3819]: {queue_id}: removed",
    ]


def _lines(path: Path) -> list[HistoryLine]:
    return list(merged([file_history(path, lambda _p, _e: None)], HistoryStart()))


def test_a_complete_message_is_told_before_the_history_ends(tmp_path: Path) -> None:
    log = write(tmp_path / "maillog", PASSWORD_WRONG + DELIVERED_LATER
                + later_mail(21, "7AB21C0F3D") + later_mail(22, "8BC32D1A4E"))
    lines = _lines(log)
    read_so_far: list[HistoryLine] = []

    def counted() -> Iterator[HistoryLine]:
        for line in lines:
            read_so_far.append(line)
            yield line

    told_at: list[tuple[str, int]] = []

    def found(items: list[TracedRecipient]) -> None:
        told_at.extend((item.message.queue_id, len(read_so_far)) for item in items)

    streamed = stream_history(parse_query("foo@domain.com"), counted(), queue=None,
                              rules=RULES, found=found)
    # The deferred-then-delivered message is told once the 21:00 mail is being read, the
    # 21:00 one once the 22:00 one is, the last at the end.
    assert [queue_id for queue_id, _ in told_at] == ["061B421A1AB", "7AB21C0F3D", "8BC32D1A4E"]
    assert told_at[0][1] < len(lines) - 4 and told_at[1][1] < len(lines)
    whole = trace_history(parse_query("foo@domain.com"), lines, queue=None, rules=RULES)
    assert [(i.message.queue_id, i.verdict, attempts_story(list(i.attempts)))
            for i in streamed.traced] == [
        (i.message.queue_id, i.verdict, attempts_story(list(i.attempts))) for i in whole]
    first = streamed.traced[0]
    assert first.attempts[0].cause is DiagnosisId.DB_PASSWORD_WRONG  # joined by time
    assert first.verdict.state is State.DELIVERED
    assert streamed.stopped is None


def test_a_stopped_reading_keeps_what_it_found_and_says_why(tmp_path: Path) -> None:
    many = [line for hour in range(10, 24) for line in later_mail(hour, f"{hour:02d}AB21C0F3D")]
    log = write(tmp_path / "maillog", many * 100)  # enough lines for a look at the clock
    asked: list[int] = []

    def stop() -> str | None:
        asked.append(1)
        return "the time limit ran out"

    found: list[TracedRecipient] = []
    streamed = stream_history(parse_query("foo@domain.com"), _lines(log), queue=None,
                              rules=RULES, found=found.extend, should_stop=stop)
    assert asked == [1]  # asked once, then it stopped
    assert streamed.stopped == "the time limit ran out"
    assert streamed.last is not None
    assert streamed.traced and len(streamed.traced) < len(many) // 4 * 100


def test_today_s_mail_is_told_before_the_week_s_older_files_are_read(tmp_path: Path) -> None:
    """The live log is read first: its own messages come at once; a message that began in a
    rotated copy (deferred there, delivered today) waits for the full read, and nothing is
    told twice."""
    write(tmp_path / "maillog.1.gz", PASSWORD_WRONG)
    write(tmp_path / "maillog", DELIVERED_LATER + later_mail(21, "7AB21C0F3D")
          + later_mail(22, "8BC32D1A4E"))
    installation = Installation.from_flags({"config": str(settings(tmp_path))})
    query = parse_query("foo@domain.com")
    told: list[str] = []
    report = stream_trace(installation, query, ask_authdaemond=False,
                          found=lambda items: told.extend(i.message.queue_id for i in items))
    assert told == ["7AB21C0F3D", "8BC32D1A4E", "061B421A1AB"]
    whole = run_trace(installation, query, ask_authdaemond=False)
    assert [(i.message.queue_id, i.verdict, attempts_story(list(i.attempts)))
            for i in report.traced] == [
        (i.message.queue_id, i.verdict, attempts_story(list(i.attempts))) for i in whole.traced]
    crossing = report.traced[0]
    assert [a.status for a in crossing.attempts] == ["deferred", "sent"]
    assert crossing.attempts[0].cause is DiagnosisId.DB_PASSWORD_WRONG
    assert report.history_begins == whole.history_begins

"""The prefilter hands the trace only the lines it needs, and the answer stays the same.

Each query is traced over the same files twice: every line parsed, and only
the lines the prefilter finds on raw bytes. Small chunks (a few KiB, where a
host's are MiB) put the chunk boundaries between a message's lines, so the
one-chunk look-back is what finds its pickup, cleanup and qmgr lines.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.trace.test_exact_lines import (
    BOUNCE_OLD_ORDER,
    DELIVERED_LATER,
    PASSWORD_WRONG,
    RULES,
    write,
)
from tui.core.trace.history import HistoryStart, file_history, merged
from tui.core.trace.prefilter import Prefilter
from tui.core.trace.query import parse_query
from tui.core.trace.trace import trace_history


def noise(stamp: str, number: int) -> list[str]:
    """Other mail and other daemons in the same seconds."""
    qid = f"9F{number:09X}"
    return [
        f"{stamp} sandbox postfix/smtpd[2{number}]: {qid}: client=mx.other.example[192.0.2.9]",
        f"{stamp} sandbox postfix/qmgr[3819]: {qid}: from=<someone@other.example>, size=9, "
        "nrcpt=1 (queue active)",
        f"{stamp} sandbox imapd: LOGIN, user=anna@other.example, ip=[::ffff:192.0.2.7]",
        f"{stamp} sandbox authdaemond: received userid lookup request: anna@other.example",
        f"{stamp} sandbox postfix/pipe[3868]: {qid}: to=<anna@other.example>, relay=vmaildrop, "
        "delay=0.01, delays=0/0/0/0.01, dsn=2.0.0, status=sent (delivered via vmaildrop service)",
        f"{stamp} sandbox postfix/qmgr[3819]: {qid}: removed",
    ]


def interleaved(lines: list[str], start: int) -> list[str]:
    out: list[str] = []
    for index, line in enumerate(lines):
        out += noise(line[:15], start + index)
        out.append(line)
    return out


def summary(query: str, log: Path, prefilter: Prefilter | None) -> list[object]:
    lines = merged([file_history(log, lambda _p, _e: None, prefilter)], HistoryStart())
    return [(item.message.queue_id, item.recipient, item.message.message_id,
             [(a.status, a.cause, tuple(a.evidence)) for a in item.attempts],
             item.verdict.state, item.message.notice.queue_id, item.message.notice.fate)
            for item in trace_history(parse_query(query), lines, queue=None, rules=RULES)]


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """The deferral and its notice in a rotated .gz, the delivery in the live file."""
    old = interleaved(PASSWORD_WRONG + BOUNCE_OLD_ORDER, 0)
    (tmp_path / "maillog.1.gz").write_bytes(gzip.compress(("\n".join(old) + "\n").encode()))
    return write(tmp_path / "maillog", interleaved(DELIVERED_LATER, 100))


@pytest.mark.parametrize("query", ["foo@domain.com", "FOO@Domain.com", "tester@sender.test",
                                   "nosuch@domain.com", "061B421A1AB", "234A121A1B5",
                                   "<chain.1.2@sandbox.invalid>", "nobody@domain.com"])
# A message's lines here span about 3 KiB: from 4 KiB on, one chunk of look-back holds them.
@pytest.mark.parametrize("chunk", [4096, 6000, 1 << 22])
def test_the_prefiltered_trace_equals_the_full_one(week: Path, query: str, chunk: int) -> None:
    full = summary(query, week, None)
    assert summary(query, week, Prefilter(parse_query(query), chunk)) == full
    if query != "nobody@domain.com":
        assert full  # the comparison is about a real answer


def test_the_prefilter_skips_the_other_mail(week: Path) -> None:
    query = parse_query("foo@domain.com")
    kept = list(Prefilter(query, 4096).rotated_lines(week, lambda _p, _e: None))
    every = (gzip.decompress((week.parent / "maillog.1.gz").read_bytes()).count(b"\n")
             + week.read_bytes().count(b"\n"))
    assert not any(b"other.example" in line.data and b"authdaemond" not in line.data
                   for line in kept[1:] if line.offset)  # the first lines say where it begins
    assert len(kept) < every / 3


# A message that waited two hours in a congested incoming queue: pickup's and cleanup's
# lines are many chunks before the first line that names the recipient.
WAITED_LONG_BEFORE = [
    "Dec 01 20:01:57 sandbox postfix/pickup[3810]: 3F2A41A1AB7: uid=0 from=<tester@sender.test>",
    "Dec 01 20:01:57 sandbox postfix/cleanup[3843]: 3F2A41A1AB7: "
    "message-id=<late.1@sandbox.invalid>",
]
WAITED_LONG_AFTER = [
    "Dec 01 22:03:37 sandbox postfix/qmgr[3819]: 3F2A41A1AB7: from=<tester@sender.test>, "
    "size=341, nrcpt=1 (queue active)",
    "Dec 01 22:03:37 sandbox postfix/pipe[3868]: 3F2A41A1AB7: to=<foo@domain.com>, "
    "relay=vmaildrop, delay=7300, delays=7300/0/0/0.03, dsn=2.0.0, status=sent (delivered "
    "via vmaildrop service)",
    "Dec 01 22:03:37 sandbox postfix/qmgr[3819]: 3F2A41A1AB7: removed",
]


def told_ids(query: str, log: Path) -> list[tuple[str, str | None]]:
    """Each message's queue ID and Message-ID, every line parsed."""
    lines = merged([file_history(log, lambda _p, _e: None, None)], HistoryStart())
    return [(item.message.queue_id, item.message.message_id)
            for item in trace_history(parse_query(query), lines, queue=None, rules=RULES)]


def other_mail(stamp: str, count: int) -> list[str]:
    return [line for number in range(count) for line in noise(stamp, 500 + number)]


@pytest.mark.parametrize("name", ["maillog", "maillog.1.gz"])
@pytest.mark.parametrize("chunk", [1024, 4096, 1 << 22])
def test_a_message_whose_start_is_chunks_before_its_recipient_is_told_whole(
        tmp_path: Path, name: str, chunk: int) -> None:
    lines = [*other_mail("Dec 01 20:00:00", 3), *WAITED_LONG_BEFORE,
             *other_mail("Dec 01 21:00:00", 40), *WAITED_LONG_AFTER,
             *other_mail("Dec 01 22:10:00", 3)]
    log = write(tmp_path / name, lines)
    gap = sum(len(line) + 1 for line in other_mail("Dec 01 21:00:00", 40))
    assert gap > 4 * 4096  # far more than a chunk between the message's start and its recipient
    live = tmp_path / "maillog"
    assert log.exists()
    assert told_ids("foo@domain.com", live) == [("3F2A41A1AB7", "<late.1@sandbox.invalid>")]
    full = summary("foo@domain.com", live, None)
    assert summary("foo@domain.com", live, Prefilter(parse_query("foo@domain.com"), chunk)) \
        == full


def test_a_message_whose_start_is_in_the_older_file_is_told_whole(tmp_path: Path) -> None:
    """Rotated between the message's arrival and its delivery: the look-back crosses files."""
    write(tmp_path / "maillog.1.gz", [*other_mail("Dec 01 20:00:00", 3), *WAITED_LONG_BEFORE])
    live = write(tmp_path / "maillog", WAITED_LONG_AFTER)
    assert told_ids("foo@domain.com", live) == [("3F2A41A1AB7", "<late.1@sandbox.invalid>")]
    full = summary("foo@domain.com", live, None)
    assert summary("foo@domain.com", live, Prefilter(parse_query("foo@domain.com"), 4096)) \
        == full

"""Per-minute s_connect / tempfail deferral counts for the Workers pane."""

from __future__ import annotations

from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.logs.entry import LogEntry, build_entry

NOW = 1_800_000_000.0 - 1_800_000_000.0 % 60 + 30  # half a minute into a minute


def pipe_line(output: str, status: str = "deferred", relay: str = "vmaildrop") -> str:
    return (
        f"4AbC: to=<a@b.com>, relay={relay}, delay=0.1, delays=0/0/0/0.1, dsn=4.3.0, "
        f"status={status} (temporary failure. Command output: {output} )"
    )


def entry(message: str, at: float | None, tag: str = "postfix/pipe") -> LogEntry:
    return build_entry(message=message, tag=tag, source="t", timestamp=at, pid=1, cursor=None)


def test_counts_each_kind_in_its_minute_and_ignores_the_rest() -> None:
    counts = DeferralCounts()
    counts.add([
        entry(pipe_line("ERR: authdaemon: s_connect() failed: Connection refused"), NOW),
        entry(pipe_line("ERR: authdaemon: s_connect() failed: Connection refused"), NOW - 1),
        entry(pipe_line("Temporary authentication failure."), NOW - 60),
        # Not a maildrop transport, not a pipe line, no timestamp: not counted.
        entry(pipe_line("Temporary authentication failure.", relay="spamd"), NOW),
        entry("PGSQL_CONNECTION could not be established", NOW, tag="authdaemond"),
        entry(pipe_line("Temporary authentication failure."), None),
    ])
    assert counts.last_minutes(NOW, minutes=3) == [(0, 0), (0, 1), (2, 0)]


def test_old_minutes_are_forgotten() -> None:
    counts = DeferralCounts(keep_minutes=2)
    counts.add([entry(pipe_line("Temporary authentication failure."), NOW - 600)])
    assert counts.last_minutes(NOW, minutes=20) == [(0, 0)] * 20

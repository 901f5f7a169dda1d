"""The incident timeline: check changes only, pool peaks per bucket, the incident mark."""

from __future__ import annotations

from tui.core.checks.result import CheckResult, Status
from tui.core.ids.check_id import CheckId
from tui.core.timeline import POOL_BUCKET_SECONDS, EventKind, Timeline, TimelineEvent


def result(status: Status, check: CheckId = CheckId.DB_CONNECT) -> CheckResult:
    return CheckResult(check, check, status, f"{check} is {status.value}")


def test_checks_become_events_only_when_they_change() -> None:
    timeline = Timeline()
    timeline.add_checks(1.0, (result(Status.OK), result(Status.SKIP, CheckId.SELECT_RUNS)))
    assert timeline.events() == []  # a healthy start is not news
    timeline.add_checks(2.0, (result(Status.OK),))
    timeline.add_checks(3.0, (result(Status.FAIL),))
    timeline.add_checks(4.0, (result(Status.FAIL),))
    timeline.add_checks(5.0, (result(Status.OK),))
    events = timeline.events()
    assert [(e.at, e.kind, e.level) for e in events] == [
        (3.0, EventKind.CHECK, "error"), (5.0, EventKind.CHECK, "info")]
    assert "ok → fail" in events[0].text and "fail → ok" in events[1].text


def test_pool_samples_fold_into_peaks_and_a_burst_between_looks_survives() -> None:
    timeline = Timeline()
    for second, (busy, queued) in enumerate([(0, 0), (2, 9), (1, 0), (0, 0)]):
        timeline.add_pool(100.0 + second, busy, queued)
    timeline.add_pool(100.0 + POOL_BUCKET_SECONDS, 0, 0)  # the next bucket closes the first
    timeline.add_pool(100.0 + 2 * POOL_BUCKET_SECONDS, 0, 0)  # an idle bucket: no event
    events = timeline.events()
    assert [(e.at, e.text, e.level) for e in events] == [(100.0, "peak 2 busy, 9 queued",
                                                          "error")]


def test_the_incident_mark_starts_every_view() -> None:
    timeline = Timeline()
    timeline.add(TimelineEvent(10.0, EventKind.LOG, "before"))
    timeline.mark_incident(20.0)
    timeline.add(TimelineEvent(30.0, EventKind.FIX, "after"))
    timeline.add(TimelineEvent(15.0, EventKind.LOG, "late arrival, earlier time"))
    assert [e.text for e in timeline.events()] == ["incident began (marked)", "after"]
    assert [e.at for e in timeline.events(since=0.0)] == [10.0, 15.0, 20.0, 30.0]
    timeline.mark_incident(40.7)  # a log line stamped 40 (whole seconds) belongs to it
    timeline.add(TimelineEvent(40.0, EventKind.LOG, "same second"))
    assert [e.text for e in timeline.events()] == ["same second", "incident began (marked)"]

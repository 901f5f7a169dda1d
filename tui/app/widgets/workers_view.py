"""The Workers pane's drawing: verdict, fix, gauge, 5-minute graphs, deferrals, database.

Draws one `WorkersSnapshot` and measures nothing, so the live pane (which
samples) and the replay (which reads a recording) show a pool the same way.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from tui.app.sparkline import peaks, sparkline
from tui.app.text import plain, styled
from tui.app.text_roles import ACCENT, DIM, ERROR, LABEL, MUTED, NOTE, OK, WARN
from tui.core.durations import age_text, seconds_text
from tui.core.findings import Severity
from tui.core.workers.sampler import WorkersSnapshot

GRAPH_WIDTH = 40
GAUGE_WIDTH = 20
MAX_SESSIONS_SHOWN = 4
QUERY_SHOWN = 120  # characters of each running query (the verdict's evidence has more)
NEWLINE = Content("\n")  # literal: styled() shows a newline inside external text as \x0a

_STATE_CLASS = {Severity.INFO: "state-ok", Severity.WARNING: "state-warn",
                Severity.ERROR: "state-bad"}


def gauge(busy: int | None, total: int) -> str:
    if busy is None or total <= 0:
        return "?" * GAUGE_WIDTH if busy is None else "·" * GAUGE_WIDTH
    filled = round(GAUGE_WIDTH * min(busy, total) / total)
    return "█" * filled + "·" * (GAUGE_WIDTH - filled)


class WorkersView(Vertical):
    def __init__(self) -> None:
        super().__init__(id="workers-view")
        self.probe_address = ""
        self.probe_note: str | None = None
        self.sessions_note: str | None = None
        self.snapshot: WorkersSnapshot | None = None
        # Set in on_mount: a snapshot handed down before this view's own lines are composed
        # (its pane can be mounted first, and a sample can land in between) waits for it.
        self._drawable = False

    def compose(self) -> ComposeResult:
        yield Static("Sampling the pool…", id="workers-verdict")
        yield Static("", id="workers-fix")
        yield Static("", id="workers-numbers")
        yield Static("", id="workers-graphs")
        yield Static("", id="workers-deferrals")
        yield Static("", id="workers-database")
        yield Static("", id="workers-evidence")

    def show(self, snapshot: WorkersSnapshot, probe_address: str,
             probe_note: str | None = None, sessions_note: str | None = None) -> None:
        """Draw `snapshot`; the notes replace the probe's or the database's line when given."""
        self.probe_address, self.probe_note, self.sessions_note = (probe_address, probe_note,
                                                                   sessions_note)
        self.snapshot = snapshot
        self._draw()

    def on_mount(self) -> None:
        self._drawable = True
        self._draw()

    def _draw(self) -> None:
        snapshot = self.snapshot
        if snapshot is None or not self._drawable:
            return
        verdict = snapshot.verdict
        line = self.query_one("#workers-verdict", Static)
        line.set_classes(_STATE_CLASS[verdict.severity])
        line.update(plain(verdict.headline, max_chars=400))
        fix_lines = [styled(("fix: ", LABEL), (command, ACCENT)) for command in verdict.fix]
        if verdict.advice:
            fix_lines.append(styled((verdict.advice, NOTE)))
        self.query_one("#workers-fix", Static).update(NEWLINE.join(fix_lines))
        self.query_one("#workers-numbers", Static).update(self._numbers(snapshot))
        self.query_one("#workers-graphs", Static).update(self._graphs(snapshot))
        self.query_one("#workers-deferrals", Static).update(self._deferrals(snapshot))
        self.query_one("#workers-database", Static).update(self._database(snapshot))
        evidence = [styled(("evidence", LABEL))] if verdict.evidence else []
        evidence += [styled(f"• {line}") for line in verdict.evidence]
        self.query_one("#workers-evidence", Static).update(NEWLINE.join(evidence))

    def _numbers(self, snapshot: WorkersSnapshot) -> Content:
        pool = snapshot.pool
        if pool is None:
            return Content("")
        busy = "?" if pool.busy is None else str(pool.busy)
        configured = "?" if pool.configured is None else str(pool.configured)
        ages = ", ".join(age_text(max(0.0, snapshot.taken_at - started))
                         for _, started in pool.worker_started) or "–"
        probe = snapshot.last_probe
        if self.probe_note is not None:
            probe_text = self.probe_note
        elif probe is None:
            probe_text = "–"
        elif probe.outcome is None:
            probe_text = "skipped: pool saturated"
        else:
            probe_text = f"{probe.outcome} in {seconds_text(probe.latency)}"
        return NEWLINE.join([
            styled(("workers  ", LABEL), (gauge(pool.busy, pool.alive), ACCENT),
                   f" {busy}/{pool.alive} busy · daemons={configured} · ages {ages}"),
            styled(("queue    ", LABEL),
                   f"{'?' if pool.queued is None else pool.queued} waiting · backlog "
                   f"{'?' if pool.backlog is None else pool.backlog}"),
            styled(("probe    ", LABEL), f"{self.probe_address}: {probe_text}"),
        ])

    def _graphs(self, snapshot: WorkersSnapshot) -> Content:
        stats = snapshot.stats
        latency = "–" if stats.p50 is None else (
            f"p50 {seconds_text(stats.p50)} p95 {seconds_text(stats.p95 or 0)} "
            f"max {seconds_text(stats.max or 0)}"
        )
        counts = f"{stats.tempfails} tempfail, {stats.timeouts} timeout"
        last = (snapshot.queue_series[-1:] or (0.0,))[0]
        busy = (snapshot.busy_series[-1:] or (0.0,))[0]
        return NEWLINE.join([
            styled(("last 5 min", DIM)),
            styled(("queue    ", LABEL),
                   (sparkline(peaks(snapshot.queue_series, GRAPH_WIDTH)), WARN),
                   f" {last:.0f}"),
            styled(("busy     ", LABEL),
                   (sparkline(peaks(snapshot.busy_series, GRAPH_WIDTH)), ACCENT),
                   f" {busy:.0f}"),
            styled(("latency  ", LABEL),
                   (sparkline(peaks(snapshot.latency_series, GRAPH_WIDTH)), OK),
                   f" {latency} · {counts}"),
        ])

    def _deferrals(self, snapshot: WorkersSnapshot) -> Content:
        s_connect = " ".join(str(pair[0]) for pair in snapshot.deferrals)
        tempfail = " ".join(str(pair[1]) for pair in snapshot.deferrals)
        return styled(("deferrals/min (last 5)  ", LABEL), "s_connect ", (s_connect, ERROR),
                      " · tempfail ", (tempfail, ERROR))

    def _database(self, snapshot: WorkersSnapshot) -> Content:
        sessions = snapshot.sessions
        if self.sessions_note is not None:
            return styled(("PostgreSQL  ", LABEL), (self.sessions_note, MUTED))
        if sessions is None:
            return styled(("PostgreSQL  ", LABEL), ("no usable credentials in authpgsqlrc",
                                                     MUTED))
        if sessions.error:
            return styled(("PostgreSQL  ", LABEL), (sessions.error, ERROR))
        running = sessions.running
        lines = [styled(
            ("PostgreSQL  ", LABEL),
            f"mail role: {len(running)} running, {len(sessions.sessions) - len(running)} idle",
        )]
        longest_first = sorted(running, key=lambda s: -(s.query_seconds or 0))
        for session in longest_first[:MAX_SESSIONS_SHOWN]:
            age = seconds_text(session.query_seconds or 0.0)
            lines.append(styled("  ", (f"pid {session.pid} {age}", LABEL),
                                f" {session.wait_event or 'cpu'} · ",
                                (session.query[:QUERY_SHOWN], MUTED)))
        return NEWLINE.join(lines)

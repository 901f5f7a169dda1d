"""The replay's Overview: the x-ray as of the cursor, the checks that were not OK, the recording."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui.app.formatting import clock
from tui.app.replay.pane import RecordedPane
from tui.app.text import plain, styled
from tui.app.text_roles import DIM, ERROR_STRONG, LABEL, OK, WARN
from tui.app.widgets.xray_chain import XrayChain
from tui.core.checks.result import CheckResult, Status
from tui.core.recording.replay import Recording

NEWLINE = Content("\n")
_STATUS_STYLE = {Status.FAIL: ERROR_STRONG, Status.WARN: WARN}


def _when(moment: str | None) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(moment or "")))
    except ValueError:
        return "?"


class RecordedOverview(RecordedPane, VerticalScroll):
    def __init__(self, about: list[tuple[str, str]]) -> None:
        super().__init__(classes="pane-body", id="replay-overview")
        self.about = about  # (label, value) rows describing the recording

    @classmethod
    def build(cls, recording: Recording) -> RecordedOverview:
        meta = recording.meta
        return cls([
            ("file", str(recording.path)),
            ("host", meta.get("host", "?")),
            ("version", meta.get("version", "?")),
            ("platform", meta.get("platform", "?")),
            ("from", _when(meta.get("started"))),
            ("to", _when(meta.get("ended")) if "ended" in meta else "? (not closed: cut short)"),
            ("rows", f"{len(recording.observations):,}"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(styled(("The chain", LABEL)), classes="section-title", id="xray-title")
        yield XrayChain(id="xray")
        yield Static(styled(("Checks not OK at this moment", LABEL)), classes="section-title")
        yield Static("…", id="replay-findings")
        yield Static(styled(("Recording", LABEL)), classes="section-title")
        yield Static(NEWLINE.join([styled((f"{label:>9} ", LABEL), value)
                                   for label, value in self.about]), id="replay-about")

    def home_widget(self) -> Widget:
        return self.query_one(XrayChain).first_failing_card() or self

    def show_checks(self, checked_at: float | None, results: list[CheckResult]) -> None:
        findings = self.query_one("#replay-findings", Static)
        if checked_at is None:
            findings.update(plain("the checks had not run yet"))
            return
        bad = sorted((r for r in results if r.status in _STATUS_STYLE),
                     key=lambda r: -r.status.rank)
        if not bad:
            findings.update(styled(("✓ every check OK", OK),
                                   (f"  (run at {clock(checked_at)})", DIM)))
            return
        findings.update(NEWLINE.join(
            [styled((f"run at {clock(checked_at)}", DIM))] +
            [styled((f"{r.status.value.upper():5} ", _STATUS_STYLE[r.status]), (r.id, LABEL),
                    "  ", r.finding) for r in bad]))

    def on_xray_chain_sampled(self, message: XrayChain.Sampled) -> None:
        when = f"  checked at {clock(message.sampled_at)}" if message.sampled_at else ""
        self.query_one("#xray-title", Static).update(styled(
            ("The chain", LABEL), (f"{when} (← → a hop, enter: its evidence)", DIM)))

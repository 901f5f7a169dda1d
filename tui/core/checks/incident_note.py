"""The walk as a Markdown incident note: steps, evidence, fix, what ran, timestamps.

Everything in it went through the same masking as the screen, and every secret
the installation knows (authpgsqlrc's password and friends) is replaced again
at the end, so a note pasted into a ticket never carries one.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.core.checks.diagnosis import Diagnosis
from tui.core.checks.result import CheckResult
from tui.core.installation import Installation
from tui.core.password_mask import mask_passwords
from tui.core.safe_text import safe_text

_ICON = {"ok": "✔ OK", "warn": "⚠ WARN", "fail": "✘ FAIL", "skip": "– SKIP"}


def _stamp(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(moment))


def _clean(text: object) -> str:
    return safe_text(text, 2000).replace("`", "'")


@dataclass
class IncidentNote:
    installation: Installation
    started: float = field(default_factory=time.time)
    events: list[tuple[float, str]] = field(default_factory=list)
    results: dict[str, CheckResult] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None
    title: str = ""
    # Markdown sections added by a caller above the checks (a trace of the mail concerned),
    # already sanitised; rendered before the timeline.
    sections: list[list[str]] = field(default_factory=list)

    def start(self, title: str) -> None:
        self.title = title
        self.events.append((time.time(), f"Started: {title}"))

    def add_result(self, result: CheckResult) -> None:
        self.results[result.id] = result

    def set_diagnosis(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        self.events.append((time.time(), f"Diagnosis: {diagnosis.id} — {diagnosis.headline}"))

    def add_fix_run(self, command: str, exit_code: int | None) -> None:
        self.events.append((time.time(), f"Ran `{command}` → exit code {exit_code}"))

    def add_verify(self, result: CheckResult) -> None:
        self.results[result.id] = result
        self.events.append((time.time(), f"Verified {result.id}: {result.status.value}"))

    def add_section(self, lines: Sequence[str]) -> None:
        """Add a Markdown section (`## Title` first), e.g. `trace_section(report)`."""
        self.sections.append(list(lines))

    def render(self, incident: list[tuple[float, str]] | None = None,
               incident_start: float | None = None,
               extra_sections: Sequence[Sequence[str]] = ()) -> str:
        """`incident`: the app's timeline since the incident mark, merged into the timeline;
        `extra_sections`: sections for this rendering only (the trace the user asked last)."""
        discovery = self.installation.discovery
        lines = [
            f"# authlib incident note — {socket.gethostname()}",
            "",
            f"- Started: {_stamp(self.started)}; written: {_stamp(time.time())}",
            f"- Platform: {discovery.platform.value} ({discovery.platform.source})",
            f"- Socket: {discovery.socket.value}",
            f"- Walk: {self.title or 'checks'}",
        ]
        if self.diagnosis is not None:
            lines += ["", "## Diagnosis", "", f"**{self.diagnosis.id}**: "
                      f"{_clean(self.diagnosis.headline)}"]
            fix = self.diagnosis.fix
            if fix is not None:
                lines += ["", f"Fix: {_clean(fix.why)}"]
                if fix.commands or fix.diff:
                    lines += ["", "```", *(_clean(c) for c in fix.commands),
                              *(_clean(fix.diff).splitlines() if fix.diff else []), "```"]
        lines += ["", "## Steps", ""]
        for result in self.results.values():
            lines.append(f"### {_ICON[result.status.value]} — {_clean(result.title)}")
            lines += ["", _clean(result.finding), ""]
            lines += [f"- {_clean(item)}" for item in result.evidence if item]
            lines.append("")
        for section in (*self.sections, *extra_sections):
            lines += [*section, ""]
        lines += ["## Timeline", ""]
        if incident_start is not None:
            lines += [f"Since the incident began (marked {_stamp(incident_start)}).", ""]
        merged = sorted([*self.events, *(incident or [])], key=lambda event: event[0])
        lines += [f"- {_stamp(moment)} {_clean(text)}" for moment, text in merged]
        return mask_passwords("\n".join(lines) + "\n")


"""What a check comes to: status, one-line finding, the evidence it looked at, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.shell_words import REFUSED_CONTROL, unsafe_in_command


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"  # not applicable here, or an earlier failure makes it meaningless

    @property
    def rank(self) -> int:
        return {"ok": 0, "skip": 0, "warn": 1, "fail": 2}[self.value]


@dataclass(frozen=True)
class Fix:
    """Why, and what to run. `commands` run in order; `diff` is a config edit to make by hand."""

    why: str
    commands: tuple[str, ...] = ()
    diff: str = ""

    @property
    def refusal(self) -> str:
        """Why these commands are not offered to run although they are complete ("" if they are)."""
        if any(unsafe_in_command(command) for command in self.commands):
            return REFUSED_CONTROL
        return ""

    @property
    def runnable(self) -> bool:
        """Complete commands with nothing left for the admin to fill in, safe to hand a shell."""
        return (bool(self.commands) and not self.refusal
                and not any("<" in command for command in self.commands))

    def as_text(self) -> str:
        """What the copy action puts on the clipboard."""
        return "\n".join([*self.commands, *([self.diff] if self.diff else [])])


@dataclass(frozen=True)
class CheckResult:
    id: CheckId
    title: str
    status: Status
    finding: str
    evidence: tuple[str, ...] = ()
    fix: Fix | None = None
    # The diagnosis (a lab fault name such as "db-password-wrong") this failure points to.
    diagnosis: DiagnosisId | Literal[""] = ""
    elapsed: float = 0.0
    details: dict[str, object] = field(default_factory=dict)

"""One shape for every problem the core finds: config linter, discovery, checks.

The panes, the wizard and the headless commands all show the same `Finding`,
so a problem reads the same wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; ordered from harmless to blocking."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem: a stable id, what is wrong, where, and what to do about it."""

    id: str
    severity: Severity
    message: str
    where: str = ""
    fix: str = ""

"""The health strip's data: one snapshot of daemon, socket, workers, database, mail, last error.

Every cell is a state *and* a word, so it reads the same without colour. The
sampling is in `health_sampler.py`: the strip is drawn before anything is measured,
so this module stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.log_sources.recent_errors import RecentErrors
    from tui.core.workers.pool import PoolSample

DB_CHECK_TIMEOUT = 3.0


class State(StrEnum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class HealthCell:
    """One cell: a label, a state, the word shown with it, and the detail for its tooltip."""

    key: str
    label: str
    state: State
    word: str
    detail: str = ""
    step: str = ""  # the wizard step that deals with this state ("" when nothing to do)
    lost: bool = False  # mail was lost (bounced): drawn above every other bad state


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    taken_at: float
    cells: tuple[HealthCell, ...]
    pool: PoolSample | None = None
    # The log read the last-error cell was judged from: the Overview lists its newest errors,
    # so the strip and the Overview never disagree about what authdaemond logged.
    recent: RecentErrors | None = None

    def cell(self, key: str) -> HealthCell:
        return next(cell for cell in self.cells if cell.key == key)
